package dev.vpcie.devices.nic;

import dev.vpcie.devices.nic.phy.Mdic;
import dev.vpcie.devices.nic.phy.Phy;
import dev.vpcie.devices.nic.phy.PhyProfile;
import dev.vpcie.devices.regs.RegisterTable;
import dev.vpcie.devices.spi.Counters;
import dev.vpcie.devices.spi.DeviceContext;
import dev.vpcie.devices.spi.EthernetPort;
import java.nio.ByteBuffer;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;

/**
 * What the cores of the 82540EM and the 82576 truly share: the PHY, the receive filter, the
 * statistics, the Ethernet port with the user's link control, MDIC, and the wiring of receiver
 * and transmitter to the port. Each chip's core adds its register table, reset and interrupt
 * funnel; its PCI shell ({@link NicFunction}) reaches it only through the methods here.
 */
public abstract class NicCore {
    /** The calls the core makes on a chip's receiver; the same on both chips. */
    public interface Receiver extends MacOutput.Loopback {
        void attach(DeviceContext ctx, BooleanSupplier busMaster, BooleanSupplier linkUp);

        /** A frame from the wire. */
        void frameArrived(ByteBuffer frame);

        /** A frame from the wire whose checksums the wire computed ({@link EthernetPort.FrameReceiver#receiveComputed}). */
        default void frameArrivedComputed(ByteBuffer frame) { frameArrived(frame); }

        /** Frames waiting in the receive packet buffer for descriptors. */
        int buffered();

        /** Whether a burst of {@code frames} frames, {@code bytes} in all, is taken now ({@link EthernetPort.FrameReceiver#accepts}; {@link FlowControl}). */
        default boolean accepts(int frames, int bytes) { return true; }
    }

    /** The call the core makes on a chip's transmitter. */
    public interface Transmitter {
        void attach(DeviceContext ctx, BooleanSupplier busMaster, TransmitFrame.Out out);
    }

    protected final Phy phy;
    protected final ReceiveFilter filter;
    protected final NicStatistics stats = new NicStatistics();
    private EthernetPort port = new UnpluggedPort();
    private boolean administrativelyUp = true;
    private Counters.Counter resets;
    private Counters.Counter mdicErrors;

    protected NicCore(PhyProfile phyProfile, int receiveAddresses) {
        this.phy = new Phy(phyProfile);
        this.filter = new ReceiveFilter(receiveAddresses);
    }

    // ---------------------------------------------------------------- what each chip supplies

    /** BAR0's register table. */
    public abstract RegisterTable registers();

    /** The reset a PCI reset (hot reset, FLR, D3 to D0) gives the chip. */
    public abstract void pciReset();

    /** The address every reset loads into RAL0 (from the EEPROM / NVM). */
    public abstract MacAddress permanentAddress();

    /** The INTx level the interrupt funnel last drove. */
    public abstract boolean interruptAsserted();

    /** Frames waiting in the receive packet buffer for descriptors. */
    public abstract int receiveBuffered();

    // ---------------------------------------------------------------- shared behaviour

    /**
     * Takes port 0 of {@code ctx} (none: the NIC is unplugged and its link stays down), connects
     * receiver and transmitter to it through the MAC's output ({@link MacOutput}: loopback, no
     * link, wire) and follows the port's carrier. Call once, after the chip's interrupt funnel
     * is attached.
     */
    protected final void connect(DeviceContext ctx, BooleanSupplier busMaster, Receiver rx, Transmitter tx) {
        if (ctx.ethernetPorts().isEmpty()) ctx.log().info("{}: no Ethernet port wired; the link stays down", ctx.name());
        else this.port = ctx.ethernetPort(0);
        Counters c = ctx.counters();
        resets = c.counter("device-resets");
        mdicErrors = c.counter("mdic-errors");
        rx.attach(ctx, busMaster, phy::linkUp);
        MacOutput mac = new MacOutput(phy, rx, port, c);
        RegisterTable regs = registers();
        tx.attach(ctx, busMaster, (frame, length) -> mac.transmit(regs.get(NicRegisters.RCTL), frame, length));
        port.setReceiver(new EthernetPort.FrameReceiver() {
            @Override public void receive(ByteBuffer frame) { rx.frameArrived(frame); }

            @Override public void receiveComputed(ByteBuffer frame) { rx.frameArrivedComputed(frame); }

            @Override public boolean accepts(int frames, int bytes) { return rx.accepts(frames, bytes); }
        });
        port.setLinkListener(up -> updateCable());
        updateCable();
    }

    /** Counts a device reset (once attached). */
    protected final void countReset() {
        if (resets != null) resets.increment();
    }

    /** MDIC: the PHY access completes at once; the result lands in MDIC, INT_EN raises MDAC. */
    protected final void writeMdic(int v, IntConsumer raiseCause) {
        int result = Mdic.execute(v, phy);
        if ((result & Mdic.ERROR) != 0 && mdicErrors != null) mdicErrors.increment();
        registers().set(NicRegisters.MDIC, result);
        if ((result & Mdic.INT_EN) != 0) raiseCause.accept(NicRegisters.ICR_MDAC);
    }

    /** The user's link control: down unplugs the cable as far as the PHY can tell. */
    public final void setAdministrativeLink(boolean up) {
        administrativelyUp = up;
        updateCable();
    }

    public final boolean administrativelyUp() { return administrativelyUp; }

    private void updateCable() { phy.setCable(administrativelyUp && port.linkUp()); }
}
