package dev.vpcie.endpoint;

import dev.vpcie.devices.config.ConfigSpace;
import dev.vpcie.devices.config.MsiCapability;
import dev.vpcie.devices.config.MsixCapability;
import dev.vpcie.devices.config.MsixEntry;
import dev.vpcie.devices.spi.Counters;
import dev.vpcie.devices.spi.InterruptPort;
import dev.vpcie.devices.trace.Hop;
import dev.vpcie.devices.trace.HopEvent;
import dev.vpcie.protocol.tlp.Bdf;
import dev.vpcie.protocol.tlp.MemWrite;
import dev.vpcie.protocol.tlp.Message;
import dev.vpcie.protocol.tlp.Tlp;

/**
 * One function's {@link InterruptPort}: turns the model's vectors and INTx level into what the
 * configuration space enables, as hardware does (PCI Local Bus 3.0 6.8, PCIe base spec 2.2.8.1):
 *
 * <table>
 *   <caption>Which mechanism is used</caption>
 *   <tr><th>MSI-X Enable</th><th>MSI Enable</th><th>raise(vector)</th><th>INTx level</th></tr>
 *   <tr><td>1</td><td>any</td><td>MSI-X table entry {@code vector}; Mask Bit or Function Mask set:
 *       PBA bit set instead, message sent when unmasked</td><td>not signalled</td></tr>
 *   <tr><td>0</td><td>1</td><td>MSI, vector folded onto those granted ({@code vector mod granted});
 *       masked: Pending bit set instead, message sent when unmasked</td><td>not signalled</td></tr>
 *   <tr><td>0</td><td>0</td><td>nothing (the level does the work)</td><td>Assert_INTx / Deassert_INTx
 *       on each change, unless Interrupt Disable is set or the Interrupt Pin is 0</td></tr>
 * </table>
 * The INTx level always sets Status.Interrupt Status, whatever the mode. Turning on Interrupt
 * Disable, MSI or MSI-X while INTx is asserted sends Deassert_INTx; turning them off again with the
 * level still high sends Assert_INTx.
 *
 * <p>MSI and MSI-X messages are memory writes with the function's Requester ID, so they need Bus
 * Master Enable: with it clear a message is dropped and counted. They go out on the function's
 * thread through its DMA engine's outbox, behind its DMA writes and reads, so an interrupt arrives
 * after the data the function wrote before raising it. Function thread only.
 */
final class InterruptRouter implements InterruptPort {
    private final ConfigSpace config;
    private final int function;
    private final DmaEngine dma;
    private final RouterCounters routerCounters;
    private final Counters.Counter msixSent, msiSent, intxSent, maskedPending, droppedBusMaster, droppedNoMode, droppedBadVector,
            droppedLinkDown;
    /** The model's INTx line. */
    private boolean line;
    /** Whether the host has been told (by Assert_INTx) that the line is asserted. */
    private boolean asserted;

    InterruptRouter(ConfigSpace config, int function, DmaEngine dma, Counters counters, RouterCounters routerCounters) {
        this.config = config;
        this.function = function;
        this.dma = dma;
        this.routerCounters = routerCounters;
        this.msixSent = counters.counter("interrupt-msix-sent");
        this.msiSent = counters.counter("interrupt-msi-sent");
        this.intxSent = counters.counter("interrupt-intx-messages");
        this.maskedPending = counters.counter("interrupt-masked-pending");
        this.droppedBusMaster = counters.counter("interrupt-dropped-bus-master-disabled");
        this.droppedNoMode = counters.counter("interrupt-raised-without-msi");
        this.droppedBadVector = counters.counter("interrupt-dropped-bad-vector");
        this.droppedLinkDown = counters.counter("interrupt-dropped-link-down");
        config.msix().ifPresent(m -> m.setUnmaskListener(this::msixUnmasked));
        config.msi().ifPresent(m -> m.setUnmaskListener(this::msiUnmasked));
        config.addWriteListener(w -> updateIntx());
    }

    @Override
    public void raise(int vector) {
        if (config.msixEnabled()) {
            MsixCapability msix = config.msix().orElseThrow();
            if (vector < 0 || vector >= msix.tableSize()) {
                droppedBadVector.increment();
                return;
            }
            if (msix.masked(vector)) {
                msix.setPending(vector, true);
                maskedPending.increment();
                return;
            }
            sendMsix(msix, vector);
        } else if (config.msiEnabled()) {
            MsiCapability msi = config.msi().orElseThrow();
            if (vector < 0) {
                droppedBadVector.increment();
                return;
            }
            int v = vector % msi.vectorsEnabled();
            if (msi.masked(v)) {
                msi.setPending(v, true);
                maskedPending.increment();
                return;
            }
            sendMsi(msi, v);
        } else {
            droppedNoMode.increment();
        }
    }

    @Override
    public void setLevel(boolean level) {
        line = level;
        config.setInterruptStatus(level);
        updateIntx();
    }

    /** After a reset of the function: the line is low; a hot reset ended the session, so the host forgot it anyway. */
    void reset(boolean sessionEnded) {
        line = false;
        config.setInterruptStatus(false);
        if (sessionEnded) asserted = false;
        else updateIntx();
    }

    /** Whether Assert_INTx is in effect at the host (for tests and status). */
    boolean intxAsserted() { return asserted; }

    private void msixUnmasked(int vector) {
        MsixCapability msix = config.msix().orElseThrow();
        msix.setPending(vector, false);
        sendMsix(msix, vector);
    }

    private void msiUnmasked(int vector) {
        MsiCapability msi = config.msi().orElseThrow();
        msi.setPending(vector, false);
        sendMsi(msi, vector);
    }

    private void sendMsix(MsixCapability msix, int vector) {
        MsixEntry e = msix.entry(vector);
        if (sendMessageWrite(e.address(), e.data())) msixSent.increment();
    }

    private void sendMsi(MsiCapability msi, int vector) {
        // MSI Message Data is 16 bits; the function writes a DW whose upper half is zero.
        if (sendMessageWrite(msi.address(), msi.messageData(vector) & 0xFFFF)) msiSent.increment();
    }

    private boolean sendMessageWrite(long address, int data) {
        if (!config.busMasterEnabled()) {
            droppedBusMaster.increment();
            return false;
        }
        byte[] dw = {(byte) data, (byte) (data >>> 8), (byte) (data >>> 16), (byte) (data >>> 24)};
        boolean sent = send(new MemWrite(requesterId(), 0, address & ~3L, 0xF, 0, dw));
        if (sent) HopEvent.mark(Hop.INTERRUPT);
        return sent;
    }

    private void updateIntx() {
        boolean want = line && config.interruptPin() != 0 && !config.interruptDisable() && !config.msiEnabled() && !config.msixEnabled();
        if (want == asserted) return;
        int pin = config.interruptPin() - 1;
        if (pin < 0) { // the pin cannot change, but a model may have no pin at all: nothing was ever asserted
            asserted = false;
            return;
        }
        Message m = want ? Message.assertIntx(requesterId(), pin) : Message.deassertIntx(requesterId(), pin);
        if (send(m)) {
            asserted = want;
            intxSent.increment();
            if (want) HopEvent.mark(Hop.INTERRUPT);
        } else {
            asserted = false; // no session: the next one starts deasserted
        }
    }

    /** Sends through the DMA engine's outbox, so the message leaves behind the function's earlier requests. */
    private boolean send(Tlp tlp) {
        if (dma.post(tlp)) return true;
        droppedLinkDown.increment();
        routerCounters.count(RouterEvent.SEND_FAILED_LINK_DOWN);
        return false;
    }

    private int requesterId() {
        int id = config.routingId();
        return id == ConfigSpace.NOT_CAPTURED ? Bdf.of(0, 0, function) : id;
    }
}
