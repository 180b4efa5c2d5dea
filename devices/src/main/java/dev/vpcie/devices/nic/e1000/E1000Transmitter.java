package dev.vpcie.devices.nic.e1000;

import static dev.vpcie.devices.nic.e1000.E1000Registers.*;

import dev.vpcie.devices.nic.LegacyTxDescriptor;
import dev.vpcie.devices.nic.NicCore;
import dev.vpcie.devices.nic.DescriptorRing;
import dev.vpcie.devices.nic.NicStatistics;
import dev.vpcie.devices.nic.Statistic;
import dev.vpcie.devices.nic.TransmitFrame;
import dev.vpcie.devices.nic.TxCounters;
import dev.vpcie.devices.nic.TxRingWalker;
import dev.vpcie.devices.nic.offload.ChecksumField;
import dev.vpcie.devices.nic.offload.OffloadException;
import dev.vpcie.devices.nic.offload.Segmentation;
import dev.vpcie.devices.nic.offload.TxOffload;
import dev.vpcie.devices.nic.offload.TxOffloadEngine;
import dev.vpcie.devices.regs.RegisterTable;
import dev.vpcie.devices.spi.DeviceContext;
import dev.vpcie.devices.spi.DmaException;
import dev.vpcie.devices.spi.DmaPort;
import java.util.Arrays;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;

/**
 * The 82540EM transmit path: the descriptor ring walker, packet gathering, offloads and the wire.
 *
 * <h2>Processing</h2>
 * A TDT write (or a TCTL write that sets EN) starts the walker ({@link TxRingWalker}) if TCTL.EN
 * and bus mastering are on. It fetches descriptors from TDH in batches (one DMA read for up to
 * {@link #BATCH}, the 82540EM's fixed prefetch), reads the buffers of a batch with the reads in
 * flight together, and handles the descriptors in order as their bytes come in:
 * <ul>
 *   <li><b>Context</b>: stored, one slot for TSE contexts and one for checksum-only contexts;</li>
 *   <li><b>Data</b> and <b>legacy</b>: the buffer is read and appended to the packet; the first data
 *       descriptor's POPTS (IXSM, TXSM) and TSE apply to the whole packet; at EOP the packet is sent
 *       through the {@link TxOffloadEngine} (checksums, segmentation) and, with VLE and CTRL.VME,
 *       gets an 802.1Q tag (VET, special) after the addresses;</li>
 *   <li>with RS (or legacy RPS) the descriptor's status dword is written back with DD set and
 *       EC/LC/TU clear.</li>
 * </ul>
 * TDH advances past each descriptor. When everything fetched is processed, ICR gains TXDW if
 * anything was written back and TXQE if the ring is empty — behind the write-backs.
 *
 * <p>Frames go to the wire when the link is up (else they are dropped and counted, as the MAC
 * does without link), or back into the receiver with RCTL loopback or PHY loopback.
 */
final class E1000Transmitter implements NicCore.Transmitter {
    static final int BATCH = 32;
    /** The transmit ring's DMA stream, apart from the receive cache's (a failed fetch here does not drop a frame there). */
    static final int TX_STREAM = 0;
    /** Largest packet gathered for segmentation (PAYLEN is 20 bits; Linux sends up to 64 KiB). */
    static final int MAX_PACKET = 256 * 1024;

    /** Where frames go: the wire, or the receiver in loopback. */

    private final RegisterTable regs;
    private final NicStatistics stats;
    private final E1000Interrupts interrupts;
    private final TxOffloadEngine engine = new TxOffloadEngine();
    private final byte[] writeBack = new byte[4];
    private TxRingWalker<TxDescriptor> walker;
    /** Causes the walk gathered for the interrupt it raises when caught up. */
    private int causes;

    private TxDescriptor.Context checksumContext;
    private TxDescriptor.Context segmentationContext;
    private byte[] packet = new byte[16 * 1024];
    private int packetLength;
    private boolean inPacket;
    private boolean packetTse;
    private int packetPopts;
    private boolean packetVlan;
    private int packetVlanTci;
    private boolean packetOverflow;

    private DmaPort dma;
    private Logger log;
    private BooleanSupplier busMaster;
    private TransmitFrame.Out out;
    private TxCounters counted;

    E1000Transmitter(RegisterTable regs, NicStatistics stats, E1000Interrupts interrupts) {
        this.regs = regs;
        this.stats = stats;
        this.interrupts = interrupts;
    }

    @Override
    public void attach(DeviceContext ctx, BooleanSupplier busMaster, TransmitFrame.Out out) {
        this.dma = ctx.dma();
        this.log = ctx.log();
        this.busMaster = busMaster;
        this.out = out;
        this.walker = new TxRingWalker<>(dma, TX_STREAM, new Ring());
        counted = TxCounters.in(ctx.counters());
    }

    /** Device reset: contexts and any half-gathered packet are forgotten. */
    void reset() {
        checksumContext = null;
        segmentationContext = null;
        endPacket();
        causes = 0;
        if (walker != null) walker.reset();
    }

    /**
     * TDBAL, TDBAH, TDLEN or TDH rewritten: the walk in progress (and a half-gathered packet) is
     * forgotten; reads in flight are ignored when they land.
     */
    void ringChanged() {
        endPacket();
        causes = 0;
        if (walker != null) walker.reset();
    }

    /** TDT written, or TCTL written: walk the ring if transmit is enabled. */
    void kick() {
        if ((regs.get(TCTL) & TCTL_EN) == 0 || !busMaster.getAsBoolean()) return;
        DescriptorRing ring = ring();
        if (!ring.valid()) {
            if (!ring.isEmpty()) counted.badRing().increment();
            return;
        }
        walker.kick();
    }

    /** The ring's registers and descriptors as the walk sees them. */
    private final class Ring implements TxRingWalker.Queue<TxDescriptor> {
        @Override public DescriptorRing ring() { return E1000Transmitter.this.ring(); }

        @Override public boolean enabled() { return (regs.get(TCTL) & TCTL_EN) != 0 && busMaster.getAsBoolean(); }

        @Override public int batch() { return BATCH; }

        @Override public TxDescriptor decode(byte[] raw, int off) { return TxDescriptor.decode(raw, off); }

        @Override public void process(TxDescriptor d, long at, byte[] buffer) throws DmaException {
            E1000Transmitter.this.process(d, buffer);
            if (d.reportStatus()) {
                writeBack(at, d.upperDword());
                causes |= ICR_TXDW;
            }
        }

        @Override public void headMoved(int head) { regs.set(TDH, head); }

        @Override public void caughtUp(int processed) {
            DescriptorRing ring = E1000Transmitter.this.ring();
            int c = causes | (ring.valid() && ring.isEmpty() ? ICR_TXQE : 0);
            causes = 0;
            if (c != 0) interrupts.raise(c);
        }

        @Override public void failed(DmaException e) {
            counted.dmaErrors().increment();
            endPacket();
            causes = 0;
            log.warn("e1000: DMA failed on the transmit ring at TDH {}: {}; transmission stops until TDT is written again", regs.get(TDH), e.getMessage());
        }
    }

    private DescriptorRing ring() {
        return DescriptorRing.of(regs.get(TDBAL), regs.get(TDBAH), regs.get(TDLEN), regs.get(TDH), regs.get(TDT));
    }

    private void writeBack(long descriptor, int upper) throws DmaException {
        int status = (upper & 0xFF | TXD_STAT_DD) & ~(TXD_STAT_EC | TXD_STAT_LC | TXD_STAT_TU);
        int v = upper & ~0xFF | status;
        writeBack[0] = (byte) v;
        writeBack[1] = (byte) (v >>> 8);
        writeBack[2] = (byte) (v >>> 16);
        writeBack[3] = (byte) (v >>> 24);
        dma.write(descriptor + 12, writeBack, 0, 4);
    }

    // ---------------------------------------------------------------- descriptors

    private void process(TxDescriptor d, byte[] buffer) {
        switch (d) {
            case TxDescriptor.Context c -> {
                if (c.tse()) segmentationContext = c;
                else checksumContext = c;
            }
            case TxDescriptor.Data data -> {
                if (!inPacket) {
                    inPacket = true;
                    packetPopts = data.popts();
                    packetTse = data.tse();
                }
                gather(buffer);
                if (data.vlan() && data.eop()) vlan(data.special());
                if (data.eop()) send(offloadFor());
            }
            case TxDescriptor.Legacy(LegacyTxDescriptor l) -> {
                inPacket = true;
                gather(buffer);
                if (l.vlanInsert() && l.eop()) vlan(l.special());
                if (l.eop()) send(l.offload());
            }
            case TxDescriptor.Unknown u -> {
                counted.unknownDescriptors().increment();
                log.warn("e1000: transmit descriptor with unknown DTYP {} skipped", u.dtyp());
            }
        }
    }

    private void vlan(int special) {
        if ((regs.get(CTRL) & CTRL_VME) == 0) return;
        packetVlan = true;
        packetVlanTci = special;
    }

    /** Appends a descriptor's buffer (null or empty: nothing) to the packet. */
    private void gather(byte[] buffer) {
        int length = buffer == null ? 0 : buffer.length;
        if (length == 0 || packetOverflow) return;
        if (packetLength + length > MAX_PACKET) {
            packetOverflow = true;
            return;
        }
        if (packetLength + length > packet.length) packet = Arrays.copyOf(packet, Math.min(MAX_PACKET, Math.max(packet.length * 2, packetLength + length)));
        System.arraycopy(buffer, 0, packet, packetLength, length);
        packetLength += length;
    }

    private TxOffload offloadFor() {
        boolean ixsm = (packetPopts & TXD_POPTS_IXSM) != 0;
        boolean txsm = (packetPopts & TXD_POPTS_TXSM) != 0;
        TxDescriptor.Context c = packetTse ? segmentationContext : checksumContext;
        if (c == null) {
            if (packetTse || ixsm || txsm) counted.offloadErrors().increment();
            return TxOffload.NONE;
        }
        ChecksumField ip = new ChecksumField(c.ipcss(), c.ipcso(), c.ipcse());
        // A context with TUCSO 0 is taken to mean the protocol's usual checksum field (as QEMU does).
        int tucso = c.tucso() != 0 ? c.tucso() : c.tucss() + (c.tcp() ? 16 : 6);
        ChecksumField l4 = new ChecksumField(c.tucss(), tucso, c.tucse());
        Segmentation seg = packetTse ? new Segmentation.Tso(c.headerLength(), c.mss(), c.ipv4(), c.tcp()) : Segmentation.NONE;
        return new TxOffload(ixsm, ip, txsm, l4, seg);
    }

    private void send(TxOffload offload) {
        try {
            if (packetOverflow) {
                counted.oversizePackets().increment();
                log.warn("e1000: transmit packet larger than {} bytes dropped", MAX_PACKET);
                return;
            }
            if (packetLength == 0) return;
            engine.transmit(packet, packetLength, offload, this::emit);
            if (offload.segmentation() instanceof Segmentation.Tso) stats.increment(Statistic.TSCTC);
        } catch (OffloadException e) {
            counted.offloadErrors().increment();
            if (offload.segmentation() instanceof Segmentation.Tso) stats.increment(Statistic.TSCTFC);
            log.warn("e1000: transmit offload refused ({}); the {}-byte packet is dropped", e.getMessage(), packetLength);
        } finally {
            endPacket();
        }
    }

    private void emit(byte[] frame, int length) {
        TransmitFrame.send(frame, length, packetVlan, regs.get(VET) & 0xFFFF, packetVlanTci, counted, stats, out);
    }

    private void endPacket() {
        inPacket = false;
        packetLength = 0;
        packetTse = false;
        packetPopts = 0;
        packetVlan = false;
        packetVlanTci = 0;
        packetOverflow = false;
    }
}
