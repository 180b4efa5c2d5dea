package dev.vpcie.devices.nic.e1000;

import static dev.vpcie.devices.nic.e1000.E1000Registers.*;

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
 * The 82540EM receive path: MAC checks and filters, the receive packet buffer, and the legacy
 * descriptor ring.
 *
 * <h2>A frame's way</h2>
 * <ol>
 *   <li>Dropped unless the link is up and RCTL.EN is set. Frames shorter than 60 bytes are
 *       padded to 60 (the minimum a MAC receives). TPR/TOR count it.</li>
 *   <li>Oversize: longer than 1518 bytes without RCTL.LPE, or 16380 with it (16 KiB with FCS),
 *       is dropped and counted in ROC, unless RCTL.SBP.</li>
 *   <li>The {@link ReceiveFilter} decides; rejected frames vanish.</li>
 *   <li>The frame waits in the packet buffer (PBA's receive share, 48 KiB by default). No free
 *       descriptor at arrival counts RNBC; no room in the buffer drops it, counts MPC and raises
 *       ICR.RXO.</li>
 *   <li>As soon as the ring has enough descriptors (RDH..RDT-1) and bus mastering is on, it is
 *       written: with CTRL.VME a tag whose TPID is VET is removed and its TCI goes to
 *       {@code special} with status VP; unless RCTL.SECRC, the 4 FCS bytes follow the data and are
 *       counted in the length; the frame is split over buffers of the RCTL.BSIZE/BSEX size. Each
 *       descriptor gets its data, then its bytes 8..15 in one write (length, packet checksum,
 *       status, errors, special): DD on all, EOP on the last, which also carries the checksum
 *       status. A descriptor with buffer address 0 is skipped: it gets DD and length 0.</li>
 *   <li>After a batch ICR.RXT0 is raised, and RXDMT0 if the free descriptors fell to the RDMTS
 *       threshold.</li>
 * </ol>
 *
 * <h2>Checksums (RXCSUM)</h2>
 * With IPOFL the IPv4 header checksum is checked (status IPCS, error IPE if bad); with TUOFL the
 * TCP/UDP checksum over IPv4 (TCPCS, error TCPE). Otherwise IXSM is set (checksum status not
 * reported). The 16-bit packet checksum field is always the ones'-complement sum of the frame
 * from RXCSUM.PCSS on.
 *
 * <h2>Descriptor prefetch</h2>
 * Like the chip, the model fetches descriptors ahead of need in batches (up to {@link #PREFETCH}
 * in one DMA read, {@link RxDescriptorCache}) and keeps the buffer addresses of those it owns: a
 * tail write fetches, and the cache is refilled whenever it falls below {@link #REFILL}, so a
 * frame from the wire is normally written with posted writes only. A frame that finds too few
 * descriptors fetched waits in the packet buffer for the fetch to land. Writing RDBAL, RDBAH,
 * RDLEN or RDH drops the prefetched ones.
 */
final class E1000Receiver implements NicCore.Receiver {
    /** Descriptors one background prefetch reads. */
    static final int PREFETCH = 32;
    /** Below this many descriptors held (or on their way) the cache is refilled. */
    static final int REFILL = PREFETCH / 2;
    /** The receive cache's DMA stream, apart from the transmit ring's. */
    static final int RX_STREAM = 1;
    /** Descriptors the model can hold: enough for a 16 KiB frame in 256-byte buffers. */
    private static final int CACHE = 128;
    private static final int MAX_SHORT_FRAME = 1518;
    private static final int MAX_LONG_FRAME = 16384 - EthernetFrames.FCS_LENGTH;

    private final RegisterTable regs;
    private final ReceiveFilter filter;
    private final NicStatistics stats;
    private final E1000Interrupts interrupts;
    private final PacketBuffer buffer = new PacketBuffer(48 * 1024);
    /**
     * For each frame in {@link #buffer}, in the same order: whether the wire computed its checksums
     * ({@link #frameArrivedComputed}), so RXCSUM's checks report them good without summing again.
     */
    private final ArrayDeque<Boolean> computedSums = new ArrayDeque<>();
    private final RxDescriptorCache cache = new RxDescriptorCache(CACHE, RX_STREAM);
    private final FlowControl flow;
    private final byte[] writeBack = new byte[8];

    private DmaPort dma;
    private Logger log;
    private BooleanSupplier busMaster;
    private BooleanSupplier linkUp;
    private RxCounters counted;
    private Counters.Counter droppedNoDescriptors;

    E1000Receiver(RegisterTable regs, ReceiveFilter filter, NicStatistics stats, E1000Interrupts interrupts) {
        this.regs = regs;
        this.filter = filter;
        this.stats = stats;
        this.interrupts = interrupts;
        this.flow = new FlowControl(stats);
    }

    @Override
    public void attach(DeviceContext ctx, BooleanSupplier busMaster, BooleanSupplier linkUp) {
        this.dma = ctx.dma();
        this.log = ctx.log();
        this.busMaster = busMaster;
        this.linkUp = linkUp;
        Counters c = ctx.counters();
        counted = RxCounters.in(c);
        droppedNoDescriptors = c.counter("rx-dropped-too-many-descriptors");
    }

    /** Frames waiting in the packet buffer (for tests and status). */
    @Override
    public int buffered() { return buffer.size(); }

    /** Device reset: the packet buffer empties and prefetched descriptors are forgotten. */
    void reset() {
        buffer.clear();
        computedSums.clear();
        flow.reset();
        buffer.setCapacity(rxAllocationBytes(regs.get(PBA)));
        invalidate();
    }

    /** Takes the oldest frame out of the packet buffer, with its flag. */
    private void poll() {
        buffer.poll();
        computedSums.pollFirst();
    }

    /** RDBAL/RDBAH/RDLEN/RDH written: what was prefetched may no longer be the ring. */
    void invalidate() {
        cache.invalidate();
    }

    /** PBA written: its low 16 bits are the receive share in KiB. */
    void packetBufferAllocationChanged(int pba) { buffer.setCapacity(rxAllocationBytes(pba)); }

    private static int rxAllocationBytes(int pba) { return (pba & 0xFFFF) * 1024; }

    /** RDT written: software gave buffers. Pending frames go out; the cache fetches ahead. */
    void tailWritten() {
        if (!buffer.isEmpty()) deliver();
        else prefetch(PREFETCH);
    }

    /** RCTL written: enabling the receiver delivers what waits. */
    void controlChanged() {
        if ((regs.get(RCTL) & ReceiveControl.EN) != 0 && !buffer.isEmpty()) deliver();
    }

    /** Fetches until {@code want} descriptors are held or on their way. */
    private void prefetch(int want) {
        DescriptorRing ring = ring();
        if (!ready() || !ring.valid()) return;
        cache.fetch(dma, ring, want, this::fetched);
    }

    /** A descriptor fetch landed: frames waiting for descriptors may go now. */
    private void fetched(DmaException failure) {
        if (failure != null) {
            dmaFailed("fetching receive descriptors", failure);
            if (!buffer.isEmpty()) poll(); // the frame that waited for them is lost, as on a failed write
            return;
        }
        if (!buffer.isEmpty()) deliver();
    }

    private boolean ready() {
        return (regs.get(RCTL) & ReceiveControl.EN) != 0 && busMaster.getAsBoolean();
    }

    private DescriptorRing ring() {
        return DescriptorRing.of(regs.get(RDBAL), regs.get(RDBAH), regs.get(RDLEN), regs.get(RDH), regs.get(RDT));
    }

    // ---------------------------------------------------------------- flow control

    /**
     * Whether a burst of {@code frames} frames, {@code bytes} in all, from the wire is taken now ({@link FlowControl}). Only with
     * CTRL.TFCE, and only while the frames could ever be written (receiver and bus mastering on,
     * link up, a valid ring), else the wire must keep draining and the frames are dropped as
     * without flow control.
     */
    @Override
    public boolean accepts(int frames, int bytes) {
        if ((regs.get(CTRL) & CTRL_TFCE) == 0 || !ready() || !linkUp.getAsBoolean() || !ring().valid()) return flow.off();
        return flow.accepts(frames, bytes, buffer, cache.count(), ReceiveControl.bufferSize(regs.get(RCTL)), PREFETCH);
    }

    // ---------------------------------------------------------------- arrival

    /** A frame from the wire (the EthernetPort's receiver, on the function's thread). */
    @Override
    public void frameArrived(ByteBuffer frame) { frameArrived(frame, false); }

    /** A frame whose checksums the wire computed: reported good without summing it for RXCSUM's checks again. */
    @Override
    public void frameArrivedComputed(ByteBuffer frame) { frameArrived(frame, true); }

    private void frameArrived(ByteBuffer frame, boolean computed) {
        HopEvent.mark(Hop.RX_WIRE);
        int rctl = regs.get(RCTL);
        if (!linkUp.getAsBoolean()) {
            counted.droppedNoLink().increment();
            return;
        }
        if ((rctl & ReceiveControl.EN) == 0) {
            counted.droppedDisabled().increment();
            return;
        }
        int length = frame.remaining();
        byte[] f = new byte[Math.max(length, EthernetFrames.MIN_FRAME)];
        frame.get(f, 0, length);
        arrived(f, rctl, computed);
    }

    /** A frame the transmitter loops back (RCTL.LBM or PHY loopback): received like any other. */
    @Override
    public void loopedBack(byte[] frame, int length) {
        int rctl = regs.get(RCTL);
        if ((rctl & ReceiveControl.EN) == 0) {
            counted.droppedDisabled().increment();
            return;
        }
        byte[] f = new byte[Math.max(length, EthernetFrames.MIN_FRAME)];
        System.arraycopy(frame, 0, f, 0, length);
        arrived(f, rctl, false);
    }

    private void arrived(byte[] f, int rctl, boolean computed) {
        stats.arrived(f.length + EthernetFrames.FCS_LENGTH);
        int max = (rctl & ReceiveControl.LPE) != 0 ? MAX_LONG_FRAME : MAX_SHORT_FRAME;
        if (f.length > max && (rctl & ReceiveControl.SBP) == 0) {
            stats.increment(Statistic.ROC);
            counted.droppedOversize().increment();
            return;
        }
        FilterVerdict verdict = filter.filter(f, f.length, rctl, regs.get(VET) & 0xFFFF);
        if (!verdict.accepted()) {
            counted.droppedFiltered().increment();
            return;
        }
        DescriptorRing ring = ring();
        if (ring.isEmpty()) stats.increment(Statistic.RNBC);
        if (!buffer.offer(f)) {
            stats.increment(Statistic.MPC);
            counted.droppedOverrun().increment();
            interrupts.raise(ICR_RXO);
            return;
        }
        computedSums.addLast(computed);
        deliver();
    }

    // ---------------------------------------------------------------- delivery

    /** Writes waiting frames while fetched descriptors last; then refills the cache. */
    private void deliver() {
        if (!ready()) return;
        int delivered = 0;
        while (!buffer.isEmpty()) {
            try {
                if (!write(buffer.peek(), computedSums.peekFirst())) break;
                HopEvent.mark(Hop.RX_WRITTEN);
                delivered++;
            } catch (DmaException e) {
                dmaFailed("writing a received frame", e);
            } catch (TooManyDescriptors e) {
                droppedNoDescriptors.increment();
                log.warn("e1000: a {}-byte frame needs more than {} receive descriptors (RCTL.BSIZE too small); dropped", buffer.peek().length, CACHE);
            }
            poll();
        }
        if (cache.count() + cache.fetching() < REFILL) prefetch(PREFETCH);
        if (delivered == 0) return;
        int causes = ICR_RXT0;
        DescriptorRing ring = ring();
        if (ring.valid() && ring.owned() <= ring.count() >> ReceiveControl.minThresholdShift(regs.get(RCTL))) causes |= ICR_RXDMT0;
        interrupts.raise(causes);
    }

    /**
     * Writes one frame into the ring, or returns false (leaving everything as it was) when the ring
     * has too few descriptors for it. A DMA failure drops the frame.
     */
    private boolean write(byte[] frame, boolean computed) throws DmaException {
        DescriptorRing ring = ring();
        if (!ring.valid()) {
            counted.badRing().increment();
            return false;
        }
        int rctl = regs.get(RCTL);
        Stripped s = stripVlan(frame);
        int frameLength = s.data().length;
        int total = frameLength + ((rctl & ReceiveControl.SECRC) == 0 ? EthernetFrames.FCS_LENGTH : 0);
        int bufferSize = ReceiveControl.bufferSize(rctl);
        int chunks = (total + bufferSize - 1) / bufferSize;
        int descriptors = cache.descriptorsFor(ring, chunks);
        if (descriptors == RxDescriptorCache.TOO_MANY) throw new TooManyDescriptors();
        if (descriptors == RxDescriptorCache.NOT_ENOUGH) return false;
        if (descriptors == RxDescriptorCache.NOT_FETCHED) {
            cache.fetch(dma, ring, Math.max(PREFETCH, cache.count() + chunks), this::fetched);
            return false; // written when the fetch lands
        }
        byte[] data = withFcs(s.data(), total);
        int head = scatter(ring, descriptors, data, bufferSize, s, checksums(data, frameLength, computed));
        cache.consume(descriptors);
        regs.set(RDH, head);
        stats.received(frame.length + EthernetFrames.FCS_LENGTH, DestinationKind.of(frame, EthernetFrames.DESTINATION));
        return true;
    }

    /** A frame after VLAN stripping: its bytes, the tag taken out (0 if none), and the status of every descriptor (DD, VP). */
    private record Stripped(byte[] data, int special, int status) {}

    /** CTRL.VME: an 802.1Q tag is taken out of the frame and reported in the descriptors' special field. */
    private Stripped stripVlan(byte[] frame) {
        if ((regs.get(CTRL) & CTRL_VME) == 0 || !EthernetFrames.isVlanTagged(frame, frame.length, regs.get(VET) & 0xFFFF))
            return new Stripped(frame, 0, RXD_STAT_DD);
        return new Stripped(EthernetFrames.removeVlanTag(frame, frame.length), EthernetFrames.vlanTci(frame), RXD_STAT_DD | RXD_STAT_VP);
    }

    /** The bytes stored in host memory: the frame, plus its CRC when {@code total} has room for it (RCTL.SECRC clear). */
    private static byte[] withFcs(byte[] data, int total) {
        if (total == data.length) return data;
        byte[] withFcs = new byte[total];
        System.arraycopy(data, 0, withFcs, 0, data.length);
        EthernetFrames.appendFcs(withFcs, data.length);
        return withFcs;
    }

    /** What the last descriptor reports about the checksums: the packet checksum, status bits besides DD, errors. */
    private record Checksums(int packetChecksum, int status, int errors) {}

    /** RXCSUM: the packet checksum from PCSS, and the IP and TCP/UDP checksums verified when offloaded (IXSM when neither is). */
    private Checksums checksums(byte[] data, int frameLength, boolean computed) {
        int rxcsum = regs.get(RXCSUM);
        int pcss = rxcsum & RXCSUM_PCSS_MASK;
        int packetChecksum = pcss < frameLength ? InternetChecksum.fold(InternetChecksum.add(0, data, pcss, frameLength - pcss)) : 0;
        if ((rxcsum & (RXCSUM_IPOFL | RXCSUM_TUOFL)) == 0) return new Checksums(packetChecksum, RXD_STAT_EOP | RXD_STAT_IXSM, 0);
        int status = RXD_STAT_EOP;
        int errors = 0;
        PacketLayout layout = PacketLayout.parse(data, frameLength);
        RxChecksums c = computed ? RxChecksums.computed(data, layout, false) : RxChecksums.check(data, layout, false);
        if ((rxcsum & RXCSUM_IPOFL) != 0 && c.ipv4Header() != ChecksumCheck.NOT_CHECKED) {
            status |= RXD_STAT_IPCS;
            if (c.ipv4Header() == ChecksumCheck.BAD) errors |= RXD_ERR_IPE;
        }
        if ((rxcsum & RXCSUM_TUOFL) != 0 && c.l4() != ChecksumCheck.NOT_CHECKED) {
            status |= RXD_STAT_TCPCS;
            if (c.l4() == ChecksumCheck.BAD) errors |= RXD_ERR_TCPE;
        }
        return new Checksums(packetChecksum, status, errors);
    }

    /**
     * Writes {@code data} into the buffers of the first {@code descriptors} cached descriptors and
     * writes each back, the last with EOP and the checksums; a descriptor with a null buffer is
     * written back empty and skipped. Returns the new head.
     */
    private int scatter(DescriptorRing ring, int descriptors, byte[] data, int bufferSize, Stripped s, Checksums c) throws DmaException {
        int total = data.length;
        int head = ring.head();
        int offset = 0;
        for (int d = 0; d < descriptors; d++) {
            long address = cache.packetAddress(d);
            long at = ring.address(head);
            if (address == 0) {
                counted.nullDescriptors().increment();
                writeBack(at, 0, 0, RXD_STAT_DD, 0, 0);
            } else {
                int n = Math.min(bufferSize, total - offset);
                dma.write(address, data, offset, n);
                offset += n;
                boolean last = offset == total;
                writeBack(at, n, last ? c.packetChecksum() : 0, last ? s.status() | c.status() : s.status(), last ? c.errors() : 0, s.special());
            }
            head = ring.next(head);
        }
        return head;
    }

    private void writeBack(long descriptor, int length, int checksum, int status, int errors, int special) throws DmaException {
        byte[] w = writeBack;
        w[0] = (byte) length;
        w[1] = (byte) (length >>> 8);
        w[2] = (byte) checksum;
        w[3] = (byte) (checksum >>> 8);
        w[4] = (byte) status;
        w[5] = (byte) errors;
        w[6] = (byte) special;
        w[7] = (byte) (special >>> 8);
        dma.write(descriptor + 8, w, 0, 8);
    }

    private void dmaFailed(String what, DmaException e) {
        counted.dmaErrors().increment();
        invalidate();
        log.warn("e1000: DMA failed {}: {}", what, e.getMessage());
    }

    /** A frame would need more descriptors than the model holds at once. */
    private static final class TooManyDescriptors extends RuntimeException {
        TooManyDescriptors() { super(null, null, false, false); }
    }
}
