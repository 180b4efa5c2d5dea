package dev.vpcie.devices.nic.igb;

import static dev.vpcie.devices.nic.igb.IgbRegisters.*;
import static dev.vpcie.devices.nic.igb.RxWriteBack.*;

import dev.vpcie.devices.trace.Hop;
import dev.vpcie.devices.trace.HopEvent;
import dev.vpcie.devices.nic.NicCore;
import dev.vpcie.devices.nic.DescriptorRing;
import dev.vpcie.devices.nic.DestinationKind;
import dev.vpcie.devices.nic.EthernetFrames;
import dev.vpcie.devices.nic.FilterVerdict;
import dev.vpcie.devices.nic.FlowControl;
import dev.vpcie.devices.nic.NicStatistics;
import dev.vpcie.devices.nic.PacketBuffer;
import dev.vpcie.devices.nic.ReceiveControl;
import dev.vpcie.devices.nic.ReceiveFilter;
import dev.vpcie.devices.nic.RxCounters;
import dev.vpcie.devices.nic.RxDescriptorCache;
import dev.vpcie.devices.nic.Statistic;
import dev.vpcie.devices.nic.offload.ChecksumCheck;
import dev.vpcie.devices.nic.offload.InternetChecksum;
import dev.vpcie.devices.nic.offload.L3Protocol;
import dev.vpcie.devices.nic.offload.PacketLayout;
import dev.vpcie.devices.nic.offload.RxChecksums;
import dev.vpcie.devices.regs.RegisterTable;
import dev.vpcie.devices.spi.Counters;
import dev.vpcie.devices.spi.DeviceContext;
import dev.vpcie.devices.spi.DmaException;
import dev.vpcie.devices.spi.DmaPort;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;

/**
 * The 82576 receive path: MAC checks and filters, queue selection (RSS), the receive packet
 * buffer, and the 16 descriptor rings.
 *
 * <h2>A frame's way</h2>
 * <ol>
 *   <li>Dropped unless the link is up and RCTL.EN is set; frames under 60 bytes are padded. TPR and
 *       TOR count it.</li>
 *   <li>Oversize (ROC, dropped unless RCTL.SBP): with RCTL.LPE when length + FCS exceeds RLPML,
 *       without it when longer than 1514 bytes plus 4 per VLAN tag.</li>
 *   <li>The {@link ReceiveFilter} (24 exact addresses, MTA, VFTA, promiscuous modes) decides.</li>
 *   <li>Queue: with MRQC = RSS (010b), {@link Rss} over RSSRK and RETA; with MRQC = 0, queue 0.
 *       VMDq modes are not modelled (counted; queue 0). A queue whose RXDCTL.ENABLE is clear drops
 *       the frame.</li>
 *   <li>No free descriptor on that queue counts RNBC; with SRRCTL.DROP_EN the frame is then
 *       dropped and counted in the queue's RQDPC. Otherwise it waits in the packet buffer (RXPBS
 *       KiB, 64 by default), in arrival order for all queues, as on the chip; no room there drops
 *       it, counts MPC and raises ICR.RXO.</li>
 *   <li>Written as soon as its queue has descriptors: with CTRL.VME a tag with TPID VET is stripped
 *       (VP, tag in the descriptor); without RCTL.SECRC the FCS follows the data; the data is split
 *       over buffers of SRRCTL.BSIZEPKT KiB (RCTL's size when 0). Descriptors with buffer address 0
 *       are passed over (DD, length 0).</li>
 *   <li>After a batch: EICR gains the bit of each written queue's IVAR entry, ICR gains RXDW, and
 *       RXDMT0 when a queue's free descriptors fell to SRRCTL.RDMTS × 16.</li>
 * </ol>
 *
 * <h2>Descriptor formats (SRRCTL.DESCTYPE)</h2>
 * 000 legacy, 001 advanced one buffer (what Linux uses), 010 advanced header split: the headers
 * (through TCP/UDP, else through IP) go to the header buffer when they fit SRRCTL.BSIZEHDR × 64
 * bytes (SPH and HDR_LEN in hdr_info), the rest to packet buffers; a header that does not fit
 * sets HBO and the frame is not split. 101 (header split, always use the header buffer) also puts
 * the first BSIZEHDR × 64 bytes of a frame that is not split in the header buffer (without SPH).
 * Other types are reserved: frames for such a queue are dropped and counted.
 *
 * <h2>Descriptor write-back</h2>
 * Each descriptor is written in two steps, all of it with DD clear and then its status with DD,
 * so a driver that polls the length (Linux 6.1) and one that polls DD both find the rest in
 * place. The EOP descriptor carries the metadata: checksum status (RXCSUM.IPOFLD: IPCS/IPE for
 * IPv4 headers; TUOFLD: TCPCS, +UDPCS for UDP, TCPE, over IPv4 and IPv6; CRCOFL: SCTP's CRC-32C
 * as TCPCS/TCPE), packet type and RSS type, and either the RSS hash (RXCSUM.PCSD) or the IPv4
 * identification (IPIDV) and the packet checksum from RXCSUM.PCSS.
 *
 * <h2>Descriptor prefetch</h2>
 * Each queue fetches descriptors ahead ({@link RxDescriptorCache}, batches of {@link #PREFETCH}):
 * a tail write fetches, and the cache is refilled whenever it falls below {@link #REFILL}, so a
 * frame is normally written with posted writes only. A frame that finds too few fetched waits in
 * the packet buffer until the fetch lands. Writing the queue's RDBAL, RDBAH, RDLEN or RDH, or
 * disabling it, drops what it holds.
 */
final class IgbReceiver implements NicCore.Receiver {
    static final int PREFETCH = 32;
    /** Below this many descriptors held (or on their way) a queue's cache is refilled. */
    static final int REFILL = PREFETCH / 2;
    /** Descriptors a queue holds: a 16 KiB frame in 256-byte buffers. */
    static final int CACHE = 64;
    /** Largest frame the MAC takes in at all (16 KiB with FCS). */
    static final int MAX_FRAME = 16384 - EthernetFrames.FCS_LENGTH;

    private enum Outcome { WRITTEN, WAIT, FETCHING, DROPPED }

    /** A frame's queue and RSS result, decided when it arrived. */
    /** A buffered frame's queue and hash, and whether its checksums were computed on the way here. */
    private record Classified(int queue, Rss.Result rss, boolean computed) {}

    private final RegisterTable regs;
    private final ReceiveFilter filter;
    private final NicStatistics stats;
    private final IgbInterrupts interrupts;
    private final PacketBuffer buffer = new PacketBuffer(0x40 * 1024);
    private final FlowControl flow;
    private final ArrayDeque<Classified> classified = new ArrayDeque<>();
    private final RxDescriptorCache[] caches = new RxDescriptorCache[QUEUES];
    private final byte[] key = new byte[Rss.KEY_BYTES];
    private final byte[] reta = new byte[Rss.RETA_ENTRIES];
    private final byte[] descriptor = new byte[16];
    private final byte[] statusByte = new byte[1];

    private DmaPort dma;
    private Logger log;
    private String name = "igb";
    private BooleanSupplier busMaster;
    private BooleanSupplier linkUp;
    private RxCounters counted;
    private Counters.Counter droppedQueueDisabled;
    private Counters.Counter droppedNoDescriptors;
    private Counters.Counter droppedTooManyDescriptors;
    private Counters.Counter droppedBadDescriptorType;
    private Counters.Counter vmdqUnsupported;
    private Counters.Counter framesDelivered;

    IgbReceiver(RegisterTable regs, ReceiveFilter filter, NicStatistics stats, IgbInterrupts interrupts) {
        this.regs = regs;
        this.filter = filter;
        this.stats = stats;
        this.interrupts = interrupts;
        this.flow = new FlowControl(stats);
        for (int q = 0; q < QUEUES; q++) caches[q] = new RxDescriptorCache(CACHE, QUEUES + q); // DMA streams after the transmit queues'
    }

    @Override
    public void attach(DeviceContext ctx, BooleanSupplier busMaster, BooleanSupplier linkUp) {
        this.dma = ctx.dma();
        this.log = ctx.log();
        this.name = ctx.name();
        this.busMaster = busMaster;
        this.linkUp = linkUp;
        Counters c = ctx.counters();
        counted = RxCounters.in(c);
        droppedQueueDisabled = c.counter("rx-dropped-queue-disabled");
        droppedNoDescriptors = c.counter("rx-dropped-no-descriptors");
        droppedTooManyDescriptors = c.counter("rx-dropped-too-many-descriptors");
        droppedBadDescriptorType = c.counter("rx-dropped-reserved-descriptor-type");
        vmdqUnsupported = c.counter("rx-vmdq-mode-unsupported");
        framesDelivered = c.counter("rx-frames");
    }

    /** Frames waiting in the packet buffer. */
    @Override
    public int buffered() { return buffer.size(); }

    /** Device reset: the packet buffer empties, prefetched descriptors are forgotten. */
    void reset() {
        buffer.clear();
        classified.clear();
        flow.reset();
        packetBufferChanged();
        for (int q = 0; q < QUEUES; q++) ringChanged(q);
    }

    /** RXPBS written: its bits 6:0 are the receive packet buffer in KiB. */
    void packetBufferChanged() { buffer.setCapacity((regs.get(RXPBS) & 0x7F) * 1024); }

    /** RDBAL/RDBAH/RDLEN/RDH of queue {@code q} written: what was prefetched may not be the ring any more. */
    void ringChanged(int q) {
        caches[q].invalidate();
    }

    /** RDT of queue {@code q} written: waiting frames go out; the queue's cache fetches ahead. */
    void tailWritten(int q) {
        if (!buffer.isEmpty()) deliver();
        prefetch(q, PREFETCH);
    }

    /** RXDCTL of queue {@code q} written: disabling forgets prefetched descriptors; enabling delivers. */
    void queueControlChanged(int q) {
        if (!queueEnabled(q)) ringChanged(q);
        else if (!buffer.isEmpty()) deliver();
    }

    /** RCTL written: enabling the receiver delivers what waits. */
    void controlChanged() {
        if ((regs.get(RCTL) & ReceiveControl.EN) != 0 && !buffer.isEmpty()) deliver();
    }

    /** Fetches until {@code want} descriptors of queue {@code q} are held or on their way. */
    private void prefetch(int q, int want) {
        DescriptorRing ring = ring(q);
        if (!ready() || !queueEnabled(q) || !ring.valid()) return;
        caches[q].fetch(dma, ring, want, failure -> fetched(q, failure));
    }

    /** A descriptor fetch of queue {@code q} landed: frames waiting for descriptors may go now. */
    private void fetched(int q, DmaException failure) {
        if (failure != null) {
            dmaFailed(q, "fetching receive descriptors", failure);
            if (!classified.isEmpty() && classified.peekFirst().queue() == q) { // the frame that waited for them is lost
                buffer.poll();
                classified.pollFirst();
            }
        }
        if (!buffer.isEmpty()) deliver();
    }

    private boolean ready() { return (regs.get(RCTL) & ReceiveControl.EN) != 0 && busMaster.getAsBoolean(); }

    private boolean queueEnabled(int q) { return (regs.get(rx(q, RXDCTL)) & RXDCTL_ENABLE) != 0; }

    DescriptorRing ring(int q) {
        return DescriptorRing.of(regs.get(rx(q, RDBAL)), regs.get(rx(q, RDBAH)), regs.get(rx(q, RDLEN)), regs.get(rx(q, RDH)), regs.get(rx(q, RDT)));
    }

    // ---------------------------------------------------------------- flow control

    /**
     * Whether a burst of {@code frames} frames, {@code bytes} in all, from the wire is taken now ({@link FlowControl}). Only with
     * CTRL.TFCE, and only while the frames could ever be written — receiver and bus mastering on,
     * link up, the queues they go to enabled with valid rings — else the wire must keep draining
     * and the frames are dropped as without flow control. The descriptors counted are those of
     * the queue with fewest fetched (with RSS a burst of one flow goes to one queue, any of them).
     */
    @Override
    public boolean accepts(int frames, int bytes) {
        if ((regs.get(CTRL) & CTRL_TFCE) == 0 || !ready() || !linkUp.getAsBoolean()) return flow.off();
        boolean rss = (regs.get(MRQC) & MRQC_ENABLE_MASK) == MRQC_ENABLE_RSS;
        int fetched = Integer.MAX_VALUE;
        int bufferBytes = Integer.MAX_VALUE;
        for (int q = 0; q < (rss ? QUEUES : 1); q++) {
            if (!queueEnabled(q)) continue; // its frames are dropped, never buffered
            if (!ring(q).valid()) return flow.off();
            fetched = Math.min(fetched, caches[q].count());
            bufferBytes = Math.min(bufferBytes, bufferSize(q, regs.get(RCTL)));
        }
        if (fetched == Integer.MAX_VALUE) return flow.off(); // no queue takes frames
        return flow.accepts(frames, bytes, buffer, fetched, bufferBytes, PREFETCH);
    }

    /** Bytes in one receive buffer of queue {@code q}: SRRCTL.BSIZEPKT KiB, RCTL's size when 0. */
    private int bufferSize(int q, int rctl) {
        int packetKiB = regs.get(rx(q, SRRCTL)) & SRRCTL_BSIZEPKT_MASK;
        return packetKiB != 0 ? packetKiB * 1024 : ReceiveControl.bufferSize(rctl);
    }

    // ---------------------------------------------------------------- arrival

    /** A frame from the wire (the EthernetPort's receiver, on the function's thread). */
    @Override
    public void frameArrived(ByteBuffer frame) { frameArrived(frame, false); }

    /** A frame whose checksums the wire computed: reported good without summing it again. */
    @Override
    public void frameArrivedComputed(ByteBuffer frame) { frameArrived(frame, true); }

    private void frameArrived(ByteBuffer frame, boolean computed) {
        HopEvent.mark(Hop.RX_WIRE);
        if (!linkUp.getAsBoolean()) {
            counted.droppedNoLink().increment();
            return;
        }
        int length = frame.remaining();
        byte[] f = new byte[Math.max(length, EthernetFrames.MIN_FRAME)];
        frame.get(f, 0, length);
        arrived(f, computed);
    }

    /** A frame the transmitter loops back (RCTL.LBM or PHY loopback): received like any other. */
    @Override
    public void loopedBack(byte[] frame, int length) {
        byte[] f = new byte[Math.max(length, EthernetFrames.MIN_FRAME)];
        System.arraycopy(frame, 0, f, 0, length);
        arrived(f, false);
    }

    private void arrived(byte[] f, boolean computed) {
        int rctl = regs.get(RCTL);
        if ((rctl & ReceiveControl.EN) == 0) {
            counted.droppedDisabled().increment();
            return;
        }
        stats.arrived(f.length + EthernetFrames.FCS_LENGTH);
        if (oversize(f, rctl) && (rctl & ReceiveControl.SBP) == 0) {
            stats.increment(Statistic.ROC);
            counted.droppedOversize().increment();
            return;
        }
        FilterVerdict verdict = filter.filter(f, f.length, rctl, vet());
        if (!verdict.accepted()) {
            counted.droppedFiltered().increment();
            return;
        }
        Classified c = classify(f, computed);
        int q = c.queue();
        if (!queueEnabled(q)) {
            droppedQueueDisabled.increment();
            return;
        }
        if (ring(q).isEmpty()) {
            stats.increment(Statistic.RNBC);
            if ((regs.get(rx(q, SRRCTL)) & SRRCTL_DROP_EN) != 0) {
                dropForNoDescriptors(q);
                return;
            }
        }
        if (!buffer.offer(f)) {
            stats.increment(Statistic.MPC);
            counted.droppedOverrun().increment();
            interrupts.raise(ICR_RXO);
            return;
        }
        classified.addLast(c);
        deliver();
    }

    private int vet() { return regs.get(VET) & 0xFFFF; }

    private boolean oversize(byte[] f, int rctl) {
        if (f.length > MAX_FRAME) return true;
        if ((rctl & ReceiveControl.LPE) != 0) return f.length + EthernetFrames.FCS_LENGTH > (regs.get(RLPML) & 0x3FFF);
        int tags = EthernetFrames.isVlanTagged(f, f.length, vet()) ? 1 : 0;
        return f.length > EthernetFrames.MAX_FRAME + EthernetFrames.VLAN_TAG_LENGTH * tags;
    }

    private Classified classify(byte[] f, boolean computed) {
        int mrqc = regs.get(MRQC);
        switch (mrqc & MRQC_ENABLE_MASK) {
            case MRQC_ENABLE_NONE -> { return new Classified(0, Rss.Result.NONE, computed); }
            case MRQC_ENABLE_RSS -> { }
            default -> {
                if (vmdqUnsupported.get() == 0)
                    log.warn("{}: MRQC 0x{} selects a VMDq mode, which is not modelled; frames go to queue 0", name, Integer.toHexString(mrqc));
                vmdqUnsupported.increment();
                return new Classified(0, Rss.Result.NONE, computed);
            }
        }
        for (int i = 0; i < 10; i++) RxWriteBack.putLe32(key, 4 * i, regs.get(RSSRK + 4 * i));
        for (int i = 0; i < 32; i++) RxWriteBack.putLe32(reta, 4 * i, regs.get(RETA + 4 * i));
        Rss.Result r = Rss.classify(f, PacketLayout.parse(f, f.length), mrqc, key, reta);
        return new Classified(r.queue(), r, computed);
    }

    private void dropForNoDescriptors(int q) {
        int at = rx(q, RQDPC);
        int v = regs.get(at);
        if (v != -1) regs.set(at, v + 1);
        droppedNoDescriptors.increment();
    }

    // ---------------------------------------------------------------- delivery

    /** Writes waiting frames, in arrival order, while their queues have descriptors. */
    private void deliver() {
        if (!ready()) return;
        int written = 0;
        int causes = 0;
        while (!buffer.isEmpty()) {
            Classified c = classified.peekFirst();
            int q = c.queue();
            Outcome outcome;
            if (!queueEnabled(q)) {
                droppedQueueDisabled.increment();
                outcome = Outcome.DROPPED;
            } else {
                int ownedBefore = ring(q).owned();
                try {
                    outcome = write(buffer.peek(), q, c.rss(), c.computed());
                } catch (DmaException e) {
                    dmaFailed(q, "writing a received frame", e);
                    outcome = Outcome.DROPPED;
                }
                if (outcome == Outcome.WAIT && (regs.get(rx(q, SRRCTL)) & SRRCTL_DROP_EN) != 0) {
                    dropForNoDescriptors(q);
                    outcome = Outcome.DROPPED;
                }
                if (outcome == Outcome.WRITTEN) {
                    HopEvent.mark(Hop.RX_WRITTEN);
                    written |= 1 << q;
                    int threshold = (regs.get(rx(q, SRRCTL)) & SRRCTL_RDMTS_MASK) >>> SRRCTL_RDMTS_SHIFT << 4;
                    int ownedAfter = ring(q).owned();
                    if (ownedBefore > threshold && ownedAfter <= threshold) causes |= ICR_RXDMT0;
                }
            }
            if (outcome == Outcome.WAIT || outcome == Outcome.FETCHING) break;
            buffer.poll();
            classified.pollFirst();
        }
        for (int q = 0; q < QUEUES; q++) {
            RxDescriptorCache cache = caches[q];
            if ((written >>> q & 1) != 0 && cache.count() + cache.fetching() < REFILL) prefetch(q, PREFETCH);
        }
        if (written == 0 && causes == 0) return;
        int extended = 0;
        for (int q = 0; q < QUEUES; q++) if ((written >>> q & 1) != 0) extended |= interrupts.rxQueueBit(q);
        interrupts.raiseExtended(extended);
        interrupts.raise(ICR_RXDW | causes);
    }

    /**
     * Writes one frame into queue {@code q}'s ring, or tells the caller to wait for descriptors or
     * drop it: the descriptor type from SRRCTL, VLAN stripping, the CRC, the header split, enough
     * descriptors in the cache, then the bytes and the write-backs.
     */
    private Outcome write(byte[] frame, int q, Rss.Result rss, boolean computed) throws DmaException {
        DescriptorRing ring = ring(q);
        if (!ring.valid()) {
            counted.badRing().increment();
            return Outcome.WAIT;
        }
        int rctl = regs.get(RCTL);
        int srrctl = regs.get(rx(q, SRRCTL));
        int descType = descriptorType(q, srrctl);
        if (descType < 0) return Outcome.DROPPED;
        boolean legacy = descType == DESCTYPE_LEGACY;

        Stripped s = stripVlan(frame);
        int frameLength = s.data().length;
        byte[] bytes = withCrc(s.data(), rctl);
        int total = bytes.length;
        PacketLayout layout = PacketLayout.parse(s.data(), frameLength);

        int bufferSize = bufferSize(q, rctl);
        HeaderSplit split = headerSplit(descType, srrctl, s.data(), layout, total);
        int buffers = Math.max(1, (total - split.length() + bufferSize - 1) / bufferSize);
        RxDescriptorCache cache = caches[q];
        int descriptors = cache.descriptorsFor(ring, buffers);
        if (descriptors == RxDescriptorCache.TOO_MANY) {
            droppedTooManyDescriptors.increment();
            log.warn("{}: a {}-byte frame needs more than {} receive descriptors on queue {} (buffers too small); dropped", name, total, CACHE, q);
            return Outcome.DROPPED;
        }
        if (descriptors == RxDescriptorCache.NOT_ENOUGH) return Outcome.WAIT;
        if (descriptors == RxDescriptorCache.NOT_FETCHED) {
            cache.fetch(dma, ring, Math.max(PREFETCH, cache.count() + buffers), failure -> fetched(q, failure));
            return Outcome.FETCHING; // written when the fetch lands
        }

        Metadata meta = metadata(s.data(), frameLength, layout, rss, s.status(), legacy, computed);
        int head = scatter(ring, cache, descriptors, legacy, bytes, bufferSize, split, meta, s.vlanTag());
        cache.consume(descriptors);
        regs.set(rx(q, RDH), head);
        stats.received(frame.length + EthernetFrames.FCS_LENGTH, DestinationKind.of(frame, EthernetFrames.DESTINATION));
        framesDelivered.increment();
        return Outcome.WRITTEN;
    }

    /** SRRCTL.DESCTYPE of queue {@code q}, or -1 (logged once, counted) for a reserved type whose frames are dropped. */
    private int descriptorType(int q, int srrctl) {
        int descType = (srrctl & SRRCTL_DESCTYPE_MASK) >>> SRRCTL_DESCTYPE_SHIFT;
        if (descType == DESCTYPE_LEGACY || descType == DESCTYPE_ONE_BUFFER || descType == DESCTYPE_HEADER_SPLIT
                || descType == DESCTYPE_HEADER_SPLIT_ALWAYS) return descType;
        if (droppedBadDescriptorType.get() == 0)
            log.warn("{}: receive queue {} has reserved descriptor type {} in SRRCTL; its frames are dropped", name, q, descType);
        droppedBadDescriptorType.increment();
        return -1;
    }

    /** A frame after VLAN stripping: its bytes, the tag taken out (0 if none) and the status bit saying so. */
    private record Stripped(byte[] data, int vlanTag, int status) {}

    /** CTRL.VME: an 802.1Q tag is taken out of the frame and reported in the descriptor. */
    private Stripped stripVlan(byte[] frame) {
        if ((regs.get(CTRL) & CTRL_VME) == 0 || !EthernetFrames.isVlanTagged(frame, frame.length, vet())) return new Stripped(frame, 0, 0);
        return new Stripped(EthernetFrames.removeVlanTag(frame, frame.length), EthernetFrames.vlanTci(frame), STAT_VP);
    }

    /** The bytes stored in host memory: the frame, plus its CRC unless RCTL.SECRC strips it. */
    private static byte[] withCrc(byte[] data, int rctl) {
        if ((rctl & ReceiveControl.SECRC) != 0) return data;
        byte[] bytes = new byte[data.length + EthernetFrames.FCS_LENGTH];
        System.arraycopy(data, 0, bytes, 0, data.length);
        EthernetFrames.appendFcs(bytes, data.length);
        return bytes;
    }

    /** Where the header buffer ends: its length (0 for none), HDR_INFO of the first descriptor, extra error bits (HBO). */
    private record HeaderSplit(int length, int hdrInfo, int extraErrors) {}

    private HeaderSplit headerSplit(int descType, int srrctl, byte[] data, PacketLayout layout, int total) {
        if (descType != DESCTYPE_HEADER_SPLIT && descType != DESCTYPE_HEADER_SPLIT_ALWAYS) return new HeaderSplit(0, 0, 0);
        int headerBuffer = ((srrctl & SRRCTL_BSIZEHDR_MASK) >>> SRRCTL_BSIZEHDR_SHIFT) * 64;
        int headerLength = 0;
        int hdrInfo = 0;
        int extraErrors = 0;
        int split = splitPoint(data, layout);
        if (split > 0 && split <= headerBuffer && split <= data.length) {
            headerLength = split;
            hdrInfo = HDR_SPH;
        } else {
            if (split > headerBuffer) extraErrors |= STATERR_HBO;
            if (descType == DESCTYPE_HEADER_SPLIT_ALWAYS) headerLength = Math.min(headerBuffer, total);
        }
        return new HeaderSplit(headerLength, hdrInfo | (headerLength & HDR_LEN_MASK) << HDR_LEN_SHIFT, extraErrors);
    }

    /**
     * Writes the frame's bytes into the buffers of the first {@code descriptors} cached descriptors
     * (the header part into the first one's header buffer) and writes each descriptor back, the
     * last with EOP and the frame's metadata; a descriptor with a null buffer is written back empty
     * and skipped. Returns the new head.
     */
    private int scatter(DescriptorRing ring, RxDescriptorCache cache, int descriptors, boolean legacy, byte[] bytes, int bufferSize,
                        HeaderSplit split, Metadata meta, int vlanTag) throws DmaException {
        int total = bytes.length;
        int head = ring.head();
        int offset = split.length();
        boolean first = true;
        for (int d = 0; d < descriptors; d++) {
            long at = ring.address(head);
            long packetAddress = cache.packetAddress(d);
            if (packetAddress == 0) {
                counted.nullDescriptors().increment();
                writeDescriptor(at, legacy, 0, 0, 0, 0, 0, 0);
            } else {
                if (first && split.length() > 0) dma.write(cache.headerAddress(d), bytes, 0, split.length());
                int n = Math.min(bufferSize, total - offset);
                if (n > 0) dma.write(packetAddress, bytes, offset, n);
                offset += n;
                int info = first ? split.hdrInfo() : 0;
                if (offset == total) {
                    writeDescriptor(at, legacy, n, meta.pktInfo | info << 16, meta.lowerDword1, meta.status | STAT_EOP,
                            meta.errors | split.extraErrors(), vlanTag);
                } else {
                    writeDescriptor(at, legacy, n, info << 16, 0, 0, 0, 0);
                }
                first = false;
            }
            head = ring.next(head);
        }
        return head;
    }

    /** Where header split cuts a frame: after TCP/UDP, else after the IP headers; 0 if not IP. */
    private static int splitPoint(byte[] data, PacketLayout p) {
        if (p.l3() == L3Protocol.OTHER) return 0;
        if (p.l4Offset() >= 0) {
            if (p.isTcp() && p.l4Length() >= 20) return p.l4Offset() + Math.max(20, ((data[p.l4Offset() + 12] & 0xF0) >>> 4) * 4);
            if (p.isUdp() && p.l4Length() >= 8) return p.l4Offset() + 8;
            return p.l4Offset();
        }
        return p.l3() == L3Protocol.IPV4 ? p.l3Offset() + (data[p.l3Offset()] & 0x0F) * 4 : p.l3Offset() + 40;
    }

    /** What the EOP descriptor reports about a frame. */
    private record Metadata(int pktInfo, int lowerDword1, int status, int errors) {}

    private Metadata metadata(byte[] data, int length, PacketLayout p, Rss.Result rss, int status, boolean legacy, boolean computed) {
        int rxcsum = regs.get(RXCSUM);
        int errors = 0;
        boolean ipOffload = (rxcsum & RXCSUM_IPOFLD) != 0;
        boolean l4Offload = (rxcsum & RXCSUM_TUOFLD) != 0;
        boolean sctpOffload = (rxcsum & RXCSUM_CRCOFL) != 0;
        boolean sctp = p.l4Offset() >= 0 && !p.fragment() && p.l4Protocol() == SctpChecksum.PROTO_SCTP;
        // Checksums the wire computed are right by construction: summing every byte a second time
        // was ~15 % of the endpoint's Java time on a TCP stream from the wire (docs/performance.md).
        RxChecksums c = computed ? RxChecksums.computed(data, p, true) : RxChecksums.check(data, p, true);
        if (ipOffload && c.ipv4Header() != ChecksumCheck.NOT_CHECKED) {
            status |= STAT_IPCS;
            if (c.ipv4Header() == ChecksumCheck.BAD) errors |= ERR_IPE;
        }
        if (l4Offload && c.l4() != ChecksumCheck.NOT_CHECKED) {
            status |= STAT_TCPCS | (c.udp() ? STAT_UDPCS : 0);
            if (c.l4() == ChecksumCheck.BAD) errors |= ERR_TCPE;
        } else if (sctpOffload && sctp && p.l4Length() >= SctpChecksum.HEADER) {
            status |= STAT_TCPCS;
            if (!SctpChecksum.verifies(data, p.l4Offset(), p.l4Offset() + p.l4Length())) errors |= ERR_TCPE;
        }
        if (legacy && !ipOffload && !l4Offload) status |= STAT_IXSM;

        if (legacy) return new Metadata(0, packetChecksum(data, length, rxcsum), status, errors);

        int pktInfo = rss.type();
        switch (p.l3()) {
            case IPV4 -> pktInfo |= (data[p.l3Offset()] & 0x0F) > 5 ? PKT_IPV4_EX : PKT_IPV4;
            case IPV6 -> pktInfo |= p.l4Offset() >= 0 && p.l4Offset() != p.l3Offset() + 40 ? PKT_IPV6_EX : PKT_IPV6;
            case OTHER -> { }
        }
        if (p.l4Offset() >= 0) {
            if (p.isTcp()) pktInfo |= PKT_TCP;
            else if (p.isUdp()) pktInfo |= PKT_UDP;
            else if (sctp) pktInfo |= PKT_SCTP;
        }
        int dword1;
        if ((rxcsum & RXCSUM_PCSD) != 0) {
            dword1 = rss.hash();
        } else {
            int ipId = p.l3() == L3Protocol.IPV4 ? EthernetFrames.u16(data, p.l3Offset() + 4) : 0;
            if (p.l3() == L3Protocol.IPV4) status |= STAT_IPIDV;
            dword1 = ipId | packetChecksum(data, length, rxcsum) << 16;
        }
        return new Metadata(pktInfo, dword1, status, errors);
    }

    /**
     * The raw packet checksum from RXCSUM.PCSS to the end. Computed only where a descriptor
     * reports it: with RXCSUM.PCSD (Linux sets it for RSS) the advanced format carries the RSS
     * hash instead, and a pass over every frame would be wasted.
     */
    private static int packetChecksum(byte[] data, int length, int rxcsum) {
        int pcss = rxcsum & RXCSUM_PCSS_MASK;
        return pcss < length ? InternetChecksum.fold(InternetChecksum.add(0, data, pcss, length - pcss)) : 0;
    }

    /**
     * Writes a descriptor back: all of it with DD clear, then the status with DD. {@code errors}
     * are the error bits as in the legacy errors byte (bits 7:0) plus, for the advanced format,
     * any dword-2 bits above.
     */
    private void writeDescriptor(long at, boolean legacy, int length, int dword0, int dword1, int status, int errors, int vlan)
            throws DmaException {
        byte[] w = descriptor;
        if (legacy) {
            RxWriteBack.putLe16(w, 0, length);
            RxWriteBack.putLe16(w, 2, dword1);
            w[4] = (byte) status;
            w[5] = (byte) errors;
            RxWriteBack.putLe16(w, 6, vlan);
            dma.write(at + 8, w, 0, 8);
            statusByte[0] = (byte) (status | STAT_DD);
            dma.write(at + 12, statusByte, 0, 1);
            return;
        }
        int staterr = status | (errors & 0xFF) << 24 | (errors & ~0xFF);
        RxWriteBack.putLe32(w, 0, dword0);
        RxWriteBack.putLe32(w, 4, dword1);
        RxWriteBack.putLe32(w, 8, staterr);
        RxWriteBack.putLe16(w, 12, length);
        RxWriteBack.putLe16(w, 14, vlan);
        dma.write(at, w, 0, 16);
        dma.writeInt(at + 8, staterr | STAT_DD);
    }

    private void dmaFailed(int q, String what, DmaException e) {
        counted.dmaErrors().increment();
        caches[q].invalidate();
        log.warn("{}: DMA failed {} on receive queue {}: {}", name, what, q, e.getMessage());
    }
}
