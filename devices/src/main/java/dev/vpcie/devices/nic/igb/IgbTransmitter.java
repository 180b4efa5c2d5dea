package dev.vpcie.devices.nic.igb;

import static dev.vpcie.devices.nic.igb.IgbRegisters.*;

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
import dev.vpcie.devices.spi.Counters;
import dev.vpcie.devices.spi.DeviceContext;
import dev.vpcie.devices.spi.DmaException;
import dev.vpcie.devices.spi.DmaPort;
import java.util.Arrays;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;

/**
 * The 82576 transmit path: 16 descriptor rings, each walked when its TDT is written.
 *
 * <h2>Walking a ring</h2>
 * Needs TCTL.EN, the queue's TXDCTL.ENABLE and bus mastering. Descriptors from TDH to TDT are
 * fetched in batches ({@link TxRingWalker}: TXDCTL.PTHRESH descriptors per fetch when set, else
 * {@link #BATCH}; while fetched descriptors wait, the next fetch waits for TXDCTL.HTHRESH posted
 * ones) and the buffers of a batch are read with the reads in flight together; each
 * descriptor is processed when its bytes are in and TDH advances past it. {@link TxDescriptor.Context} descriptors fill one of the
 * queue's two context slots; data descriptors gather the packet until EOP, the first one's command
 * and olinfo deciding the offloads; legacy descriptors (8254x format) work as on the 8254x. A
 * descriptor with RS gets DD ORed into its dword 3 — or, with TDWBAL bit 0 set, TDH is written to
 * TDWBAH:TDWBAL when the walk has caught up instead (head write-back). Descriptor write-backs are
 * held until TXDCTL.WTHRESH of them are due (or the walk caught up). When anything was written
 * back, EICR gains the queue's IVAR bit and ICR gains TXDW, behind the write-backs.
 *
 * <h2>Offloads (from the context the data descriptor's IDX names)</h2>
 * <ul>
 *   <li>IXSM: the IPv4 header checksum at MACLEN, IPLEN bytes long.</li>
 *   <li>TXSM: the TCP (L4T 01, field at +16) or UDP (00, +6) checksum from MACLEN + IPLEN to the
 *       end of the packet, over the pseudo-header seed software left in the field; SCTP (10):
 *       CRC-32C at +8.</li>
 *   <li>TSE: segmentation by MSS with MACLEN + IPLEN + L4LEN bytes of headers copied into every
 *       frame (TCP, or UDP for UDP segmentation), over IPv4 (IPV4 set: total length, ID and header
 *       checksum per frame) or IPv6 (payload length); the L4 checksum is always inserted.</li>
 *   <li>VLE: the context's VLAN tag is inserted with VET's TPID.</li>
 * </ul>
 * A packet asking for offloads with no context loaded goes out unchanged (counted); an offload
 * that does not fit the packet drops it (counted, TSCTFC for segmentation).
 *
 * <p>Frames go to the wire while the link is up (otherwise they are dropped and counted, as a MAC
 * without link does), or back to the receiver with MAC or PHY loopback.
 */
final class IgbTransmitter implements NicCore.Transmitter {
    static final int BATCH = 32;
    /** Largest packet gathered for segmentation (Linux sends up to 64 KiB). */
    static final int MAX_PACKET = 256 * 1024;
    /** Status write-backs held at most (WTHRESH is 6 bits). */
    private static final int WTHRESH_MAX = 64;

    /** Where frames go: the wire, or the receiver in loopback. */

    /** One queue's state between descriptors: its context slots and the packet being gathered. */
    private static final class TxQueue {
        final int index;
        final TxDescriptor.Context[] contexts = new TxDescriptor.Context[2];
        byte[] packet = new byte[16 * 1024];
        int length;
        boolean inPacket;
        boolean legacy;
        int firstCommand;
        int firstOlinfo;
        boolean overflow;
        boolean legacyVlan;
        int legacyVlanTag;
        TxRingWalker<TxDescriptor> walker;
        /** Whether a descriptor with RS was processed since the walk last caught up. */
        boolean reported;
        /** Status write-backs held for WTHRESH: descriptor addresses and their dword 3. */
        final long[] heldAt = new long[WTHRESH_MAX];
        final int[] heldStatus = new int[WTHRESH_MAX];
        int held;

        TxQueue(int index) { this.index = index; }

        void endPacket() {
            length = 0;
            inPacket = false;
            legacy = false;
            firstCommand = 0;
            firstOlinfo = 0;
            overflow = false;
            legacyVlan = false;
            legacyVlanTag = 0;
        }

        void reset() {
            Arrays.fill(contexts, null);
            endPacket();
            reported = false;
            held = 0;
            if (walker != null) walker.reset();
        }
    }

    private final RegisterTable regs;
    private final NicStatistics stats;
    private final IgbInterrupts interrupts;
    private final TxOffloadEngine engine = new TxOffloadEngine();
    private final TxQueue[] queues = new TxQueue[QUEUES];

    private DmaPort dma;
    private Logger log;
    private String name = "igb";
    private BooleanSupplier busMaster;
    private TransmitFrame.Out out;
    private TxCounters counted;
    private Counters.Counter offloadWithoutContext;

    IgbTransmitter(RegisterTable regs, NicStatistics stats, IgbInterrupts interrupts) {
        this.regs = regs;
        this.stats = stats;
        this.interrupts = interrupts;
        for (int q = 0; q < QUEUES; q++) queues[q] = new TxQueue(q);
    }

    @Override
    public void attach(DeviceContext ctx, BooleanSupplier busMaster, TransmitFrame.Out out) {
        this.dma = ctx.dma();
        for (TxQueue q : queues) q.walker = new TxRingWalker<>(dma, q.index, new Ring(q)); // DMA stream = queue number
        this.log = ctx.log();
        this.name = ctx.name();
        this.busMaster = busMaster;
        this.out = out;
        Counters c = ctx.counters();
        counted = TxCounters.in(c);
        offloadWithoutContext = c.counter("tx-offload-without-context");
    }

    /** Device reset: contexts, half-gathered packets and pending walks are forgotten. */
    void reset() {
        for (TxQueue q : queues) q.reset();
    }

    /** TDT or TXDCTL of queue {@code q} written: walk its ring. */
    void kick(int q) {
        TxQueue queue = queues[q];
        if (!enabled(q)) return;
        DescriptorRing ring = ring(q);
        if (!ring.valid()) {
            if (!ring.isEmpty()) counted.badRing().increment();
            return;
        }
        queue.walker.kick();
    }

    /**
     * Queue {@code q}'s ring registers were rewritten or the queue disabled: the walk in progress
     * (and any half-gathered packet) is forgotten; reads in flight are ignored when they land.
     */
    void ringChanged(int q) {
        TxQueue queue = queues[q];
        queue.endPacket();
        queue.held = 0;
        queue.reported = false;
        if (queue.walker != null) queue.walker.reset();
    }

    /** TCTL written with EN: every queue may have work. */
    void kickAll() {
        for (int q = 0; q < QUEUES; q++) kick(q);
    }

    DescriptorRing ring(int q) {
        return DescriptorRing.of(regs.get(tx(q, TDBAL)), regs.get(tx(q, TDBAH)), regs.get(tx(q, TDLEN)), regs.get(tx(q, TDH)), regs.get(tx(q, TDT)));
    }

    private boolean enabled(int q) {
        return (regs.get(TCTL) & TCTL_EN) != 0 && (regs.get(tx(q, TXDCTL)) & TXDCTL_ENABLE) != 0 && busMaster.getAsBoolean();
    }

    /** One queue's registers and descriptors as its walk sees them. */
    private final class Ring implements TxRingWalker.Queue<TxDescriptor> {
        private final TxQueue queue;
        private final int q;

        Ring(TxQueue queue) {
            this.queue = queue;
            this.q = queue.index;
        }

        @Override public DescriptorRing ring() { return IgbTransmitter.this.ring(q); }

        @Override public boolean enabled() { return IgbTransmitter.this.enabled(q); }

        /** PTHRESH (TXDCTL bits 5:0) descriptors per fetch when software set it, else {@link #BATCH}. */
        @Override public int batch() {
            int pthresh = regs.get(tx(q, TXDCTL)) & 0x3F;
            return pthresh != 0 ? pthresh : BATCH;
        }

        /** HTHRESH, TXDCTL bits 12:8 (Linux writes 1). */
        @Override public int hostThreshold() { return regs.get(tx(q, TXDCTL)) >>> 8 & 0x1F; }

        @Override public TxDescriptor decode(byte[] raw, int off) { return TxDescriptor.decode(raw, off); }

        @Override public void process(TxDescriptor d, long at, byte[] buffer) throws DmaException {
            IgbTransmitter.this.process(queue, d, buffer);
            if (!d.reportStatus()) return;
            queue.reported = true;
            if (headWriteBack(q)) return;
            queue.heldAt[queue.held] = at + 12;
            queue.heldStatus[queue.held] = d.upperDword() | TxDescriptor.STAT_DD;
            queue.held++;
            int wthresh = regs.get(tx(q, TXDCTL)) >>> 16 & 0x3F;
            if (queue.held >= Math.min(WTHRESH_MAX, Math.max(1, wthresh))) flushWriteBacks(queue);
        }

        @Override public void headMoved(int head) { regs.set(tx(q, TDH), head); }

        @Override public void caughtUp(int processed) {
            try {
                flushWriteBacks(queue);
                if (queue.reported && headWriteBack(q)) {
                    long address = (regs.get(tx(q, TDWBAH)) & 0xFFFF_FFFFL) << 32 | (regs.get(tx(q, TDWBAL)) & 0xFFFF_FFFCL);
                    dma.writeInt(address, regs.get(tx(q, TDH)));
                }
            } catch (DmaException e) {
                failed(e);
                return;
            }
            if (!queue.reported) return;
            queue.reported = false;
            interrupts.raiseExtended(interrupts.txQueueBit(q));
            interrupts.raise(ICR_TXDW);
        }

        @Override public void failed(DmaException e) {
            counted.dmaErrors().increment();
            queue.endPacket();
            queue.held = 0;
            queue.reported = false;
            log.warn("{}: DMA failed on transmit queue {} at TDH {}: {}; the queue stops until TDT is written again", name, q, regs.get(tx(q, TDH)),
                    e.getMessage());
        }
    }

    private boolean headWriteBack(int q) { return (regs.get(tx(q, TDWBAL)) & TDWBAL_ENABLE) != 0; }

    /** Writes the held descriptor status write-backs, oldest first. */
    private void flushWriteBacks(TxQueue queue) throws DmaException {
        for (int i = 0; i < queue.held; i++) dma.writeInt(queue.heldAt[i], queue.heldStatus[i]);
        queue.held = 0;
    }

    // ---------------------------------------------------------------- descriptors

    private void process(TxQueue queue, TxDescriptor d, byte[] buffer) {
        switch (d) {
            case TxDescriptor.Context c -> queue.contexts[c.slot()] = c;
            case TxDescriptor.Data data -> {
                if (!queue.inPacket) {
                    queue.inPacket = true;
                    queue.firstCommand = data.cmdTypeLen();
                    queue.firstOlinfo = data.olinfoStatus();
                }
                gather(queue, buffer);
                if (data.eop()) sendAdvanced(queue);
            }
            case TxDescriptor.Legacy(LegacyTxDescriptor l) -> {
                queue.inPacket = true;
                queue.legacy = true;
                gather(queue, buffer);
                if (l.eop()) {
                    queue.legacyVlan = l.vlanInsert() && (regs.get(CTRL) & CTRL_VME) != 0;
                    queue.legacyVlanTag = l.special();
                    send(queue, l.offload(), -1, queue.legacyVlan, queue.legacyVlanTag);
                }
            }
            case TxDescriptor.Unknown u -> {
                counted.unknownDescriptors().increment();
                log.warn("{}: transmit descriptor with unknown DTYP {} on queue {} skipped", name, u.dtyp(), queue.index);
            }
        }
    }

    /** Appends a descriptor's buffer (null or empty: nothing) to the queue's packet. */
    private void gather(TxQueue queue, byte[] buffer) {
        int length = buffer == null ? 0 : buffer.length;
        if (length == 0 || queue.overflow) return;
        if (queue.length + length > MAX_PACKET) {
            queue.overflow = true;
            return;
        }
        if (queue.length + length > queue.packet.length)
            queue.packet = Arrays.copyOf(queue.packet, Math.min(MAX_PACKET, Math.max(queue.packet.length * 2, queue.length + length)));
        System.arraycopy(buffer, 0, queue.packet, queue.length, length);
        queue.length += length;
    }

    /** The packet is complete: work out its offloads from the first descriptor and its context. */
    private void sendAdvanced(TxQueue queue) {
        int command = queue.firstCommand;
        int olinfo = queue.firstOlinfo;
        boolean tse = (command & TxDescriptor.DCMD_TSE) != 0;
        boolean ixsm = (olinfo & TxDescriptor.POPTS_IXSM) != 0;
        boolean txsm = (olinfo & TxDescriptor.POPTS_TXSM) != 0;
        boolean vle = (command & TxDescriptor.DCMD_VLE) != 0;
        TxDescriptor.Context c = queue.contexts[olinfo >>> 4 & 1];
        if (c == null) {
            if (tse || ixsm || txsm || vle) offloadWithoutContext.increment();
            send(queue, TxOffload.NONE, -1, false, 0);
            return;
        }
        int mac = c.macLength();
        int l4Start = mac + c.ipLength();
        boolean tcp = c.l4Type() == TxDescriptor.Context.L4T_TCP;
        boolean sctp = c.l4Type() == TxDescriptor.Context.L4T_SCTP;
        ChecksumField ip = new ChecksumField(mac, mac + 10, l4Start - 1);
        ChecksumField l4 = new ChecksumField(l4Start, l4Start + (tcp ? 16 : 6), 0);
        TxOffload offload;
        int sctpStart = -1;
        if (tse) {
            if (sctp) {
                counted.offloadErrors().increment();
                stats.increment(Statistic.TSCTFC);
                log.warn("{}: segmentation of SCTP requested on queue {}; the {}-byte packet is dropped", name, queue.index, queue.length);
                queue.endPacket();
                return;
            }
            // The chip rewrites every frame's headers, so both checksums are always inserted.
            Segmentation seg = new Segmentation.Tso(l4Start + c.l4Length(), c.mss(), c.ipv4(), tcp);
            offload = new TxOffload(c.ipv4(), ip, true, l4, seg);
        } else {
            if (txsm && sctp) sctpStart = l4Start;
            offload = new TxOffload(ixsm, ip, txsm && !sctp, l4, Segmentation.NONE);
        }
        send(queue, offload, sctpStart, vle, c.vlan());
    }

    private void send(TxQueue queue, TxOffload offload, int sctpStart, boolean vlan, int vlanTag) {
        boolean segmented = offload.segmentation() instanceof Segmentation.Tso;
        try {
            if (queue.overflow) {
                counted.oversizePackets().increment();
                log.warn("{}: transmit packet larger than {} bytes on queue {} dropped", name, MAX_PACKET, queue.index);
                return;
            }
            if (queue.length == 0) return;
            if (sctpStart >= 0) {
                if (sctpStart + SctpChecksum.HEADER > queue.length)
                    throw new OffloadException(OffloadException.Reason.CHECKSUM_OUT_OF_RANGE, "SCTP header at " + sctpStart + " beyond a " + queue.length + "-byte packet");
                SctpChecksum.insert(queue.packet, sctpStart, queue.length);
            }
            engine.transmit(queue.packet, queue.length, offload, (frame, length) -> emit(frame, length, vlan, vlanTag));
            if (segmented) stats.increment(Statistic.TSCTC);
        } catch (OffloadException e) {
            counted.offloadErrors().increment();
            if (segmented) stats.increment(Statistic.TSCTFC);
            log.warn("{}: transmit offload refused on queue {} ({}); the {}-byte packet is dropped", name, queue.index, e.getMessage(), queue.length);
        } finally {
            queue.endPacket();
        }
    }

    private void emit(byte[] frame, int length, boolean vlan, int vlanTag) {
        TransmitFrame.send(frame, length, vlan, regs.get(VET) & 0xFFFF, vlanTag, counted, stats, out);
    }
}
