package dev.vpcie.vrc;

import dev.vpcie.protocol.pci.Capability;
import dev.vpcie.protocol.pci.PciConfig;
import dev.vpcie.protocol.pci.PciConfig.Msi;
import dev.vpcie.protocol.pci.PciConfig.MsiX;
import dev.vpcie.protocol.tlp.Bdf;
import dev.vpcie.protocol.tlp.Message;
import dev.vpcie.vrc.trace.VrcPoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Interrupt set-up and delivery: programs MSI-X tables and MSI capabilities with addresses in
 * the MSI window, and turns MSI writes and Assert_INTx messages arriving from devices into
 * handler calls on the root complex's loop thread (see {@link InterruptDispatcher}).
 */
final class Interrupts {
    private static final Logger log = LoggerFactory.getLogger(Interrupts.class);

    private final RootComplex rc;
    private final MsiWindow window;
    private final InterruptDispatcher dispatcher;
    private final Counters counters;
    private final RareLog refused = new RareLog(log);

    Interrupts(RootComplex rc, MsiWindow window, InterruptDispatcher dispatcher, Counters counters) {
        this.rc = rc;
        this.window = window;
        this.dispatcher = dispatcher;
        this.counters = counters;
    }

    // ---- set-up (caller threads) ----

    int enableMsix(PcieDevice d, int count) {
        Capability cap = d.capability(PciConfig.CapId.MSI_X).orElseThrow(() -> new IllegalStateException(d.name() + " has no MSI-X capability"));
        int control = (int) d.configRead(cap.offset() + MsiX.MESSAGE_CONTROL, 2).orThrow(d.name() + ": configuration read");
        int tableSize = (control & MsiX.CONTROL_TABLE_SIZE_MASK) + 1;
        if (count < 1 || count > tableSize)
            throw new IllegalArgumentException(d.name() + " supports 1.." + tableSize + " MSI-X vectors, asked for " + count);
        turnOffMsi(d);
        int table = (int) d.configRead(cap.offset() + MsiX.TABLE_OFFSET_BIR, 4).orThrow(d.name() + ": configuration read");
        int bir = table & MsiX.BIR_MASK;
        long tableOffset = table & MsiX.OFFSET_MASK & 0xFFFF_FFFFL;
        long address = window.addressOf(d);
        // Enable with the whole function masked while the table is written, then unmask.
        d.configWrite(cap.offset() + MsiX.MESSAGE_CONTROL, 2, control | MsiX.CONTROL_ENABLE | MsiX.CONTROL_FUNCTION_MASK);
        for (int v = 0; v < tableSize; v++) {
            long entry = tableOffset + (long) v * MsiX.ENTRY_SIZE;
            d.mmioWrite(bir, entry + MsiX.ENTRY_ADDRESS, 8, address); // Message Address and Upper Address
            d.mmioWrite(bir, entry + MsiX.ENTRY_DATA, 4, v);
            d.mmioWrite(bir, entry + MsiX.ENTRY_VECTOR_CONTROL, 4, v < count ? 0 : MsiX.VECTOR_CONTROL_MASKED);
        }
        d.interruptMode(PcieDevice.InterruptMode.MSIX, count);
        d.configWrite(cap.offset() + MsiX.MESSAGE_CONTROL, 2, (control | MsiX.CONTROL_ENABLE) & ~MsiX.CONTROL_FUNCTION_MASK);
        setIntxDisable(d, true);
        return count;
    }

    int enableMsi(PcieDevice d, int count) {
        Capability cap = d.capability(PciConfig.CapId.MSI).orElseThrow(() -> new IllegalStateException(d.name() + " has no MSI capability"));
        if (count < 1 || count > 32) throw new IllegalArgumentException("MSI supports 1..32 vectors: " + count);
        turnOffMsix(d);
        int control = (int) d.configRead(cap.offset() + Msi.MESSAGE_CONTROL, 2).orThrow(d.name() + ": configuration read");
        int capable = 1 << (control >>> 1 & 7);
        int log2 = 32 - Integer.numberOfLeadingZeros(Math.min(count, capable) - 1);
        int vectors = 1 << log2;
        boolean is64 = (control & Msi.CONTROL_64BIT) != 0;
        long address = window.addressOf(d);
        d.configWrite(cap.offset() + Msi.MESSAGE_CONTROL, 2, control & ~(Msi.CONTROL_ENABLE | Msi.CONTROL_MULTIPLE_MESSAGE_ENABLE_MASK));
        d.configWrite(cap.offset() + Msi.MESSAGE_ADDRESS, 4, address);
        int dataOffset = is64 ? Msi.MESSAGE_DATA_64 : Msi.MESSAGE_DATA_32;
        if (is64) d.configWrite(cap.offset() + Msi.MESSAGE_UPPER_ADDRESS, 4, 0);
        d.configWrite(cap.offset() + dataOffset, 2, 0); // base data 0: the vector is ORed in
        if ((control & Msi.CONTROL_PER_VECTOR_MASKING) != 0)
            d.configWrite(cap.offset() + (is64 ? Msi.MASK_BITS_64 : Msi.MASK_BITS_32), 4, 0);
        d.interruptMode(PcieDevice.InterruptMode.MSI, vectors);
        d.configWrite(cap.offset() + Msi.MESSAGE_CONTROL, 2, (control & ~Msi.CONTROL_MULTIPLE_MESSAGE_ENABLE_MASK) | log2 << Msi.CONTROL_MULTIPLE_MESSAGE_ENABLE_SHIFT | Msi.CONTROL_ENABLE);
        setIntxDisable(d, true);
        return vectors;
    }

    void enableIntx(PcieDevice d) {
        if (d.interruptPin() == 0) throw new IllegalStateException(d.name() + " has no interrupt pin");
        turnOffMsi(d);
        turnOffMsix(d);
        window.release(d);
        d.interruptMode(PcieDevice.InterruptMode.INTX, 1);
        setIntxDisable(d, false);
    }

    void disable(PcieDevice d) {
        setIntxDisable(d, true);
        turnOffMsi(d);
        turnOffMsix(d);
        d.interruptMode(PcieDevice.InterruptMode.NONE, 0);
        window.release(d);
    }

    private void turnOffMsi(PcieDevice d) {
        d.capability(PciConfig.CapId.MSI).ifPresent(c -> {
            int control = (int) d.configRead(c.offset() + Msi.MESSAGE_CONTROL, 2).orThrow(d.name() + ": configuration read");
            if ((control & Msi.CONTROL_ENABLE) != 0) d.configWrite(c.offset() + Msi.MESSAGE_CONTROL, 2, control & ~Msi.CONTROL_ENABLE);
        });
    }

    private void turnOffMsix(PcieDevice d) {
        d.capability(PciConfig.CapId.MSI_X).ifPresent(c -> {
            int control = (int) d.configRead(c.offset() + MsiX.MESSAGE_CONTROL, 2).orThrow(d.name() + ": configuration read");
            if ((control & MsiX.CONTROL_ENABLE) != 0) d.configWrite(c.offset() + MsiX.MESSAGE_CONTROL, 2, control & ~MsiX.CONTROL_ENABLE);
        });
    }

    private void setIntxDisable(PcieDevice d, boolean disable) {
        int command = (int) d.configRead(PciConfig.COMMAND, 2).orThrow(d.name() + ": configuration read");
        int next = disable ? command | PciConfig.Command.INTERRUPT_DISABLE : command & ~PciConfig.Command.INTERRUPT_DISABLE;
        if (next != command) d.configWrite(PciConfig.COMMAND, 2, next);
    }

    // ---- delivery (link threads) ----

    boolean inWindow(long address) { return window.contains(address); }

    /** A memory write into the MSI window: {@code value} is the message data, as enabled by the byte enables. */
    void onMessageWrite(EndpointLink link, int requester, long address, long value) {
        PcieDevice d = window.owner(address);
        if (d == null || d.link() != link || d.bdf() != requester) {
            counters.increment(Counter.MSI_REFUSED);
            refused.warn("MSI write to 0x{} data 0x{} from {} refused: {}", Long.toHexString(address), Long.toHexString(value),
                    Bdf.toString(requester), d == null ? "no vector has this address" : "the address belongs to " + d.name());
            return;
        }
        PcieDevice.InterruptMode mode = d.interruptMode();
        if ((mode != PcieDevice.InterruptMode.MSI && mode != PcieDevice.InterruptMode.MSIX) || value < 0 || value >= d.vectors()) {
            counters.increment(Counter.MSI_REFUSED);
            refused.warn("MSI write from {} data 0x{} refused: {} has {} vector(s) in mode {}", Bdf.toString(requester),
                    Long.toHexString(value), d.name(), d.vectors(), mode);
            return;
        }
        counters.increment(Counter.MSI_DELIVERED);
        VrcPoint.IRQ_IN.mark();
        dispatcher.deliver(d, (int) value);
    }

    /** An Assert_INTx or Deassert_INTx message. INTx is a level: only the assertion runs the handler. */
    void onIntx(EndpointLink link, Message m) {
        boolean assertion = m.code() <= Message.ASSERT_INTD;
        counters.increment(assertion ? Counter.INTX_ASSERT : Counter.INTX_DEASSERT);
        PcieDevice d = rc.addressMap().device(m.requester());
        if (d == null || d.link() != link) {
            counters.increment(Counter.REQUEST_UNSUPPORTED);
            refused.warn("INTx message from unknown function {} on bus {} dropped", Bdf.toString(m.requester()), link.bus());
            return;
        }
        boolean was = d.intxAsserted();
        d.intxAsserted(assertion);
        if (assertion && !was && d.interruptMode() == PcieDevice.InterruptMode.INTX) {
            VrcPoint.IRQ_IN.mark();
            dispatcher.deliver(d, 0);
        }
    }
}
