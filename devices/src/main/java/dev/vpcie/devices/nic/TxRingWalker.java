package dev.vpcie.devices.nic;

import dev.vpcie.devices.trace.Hop;
import dev.vpcie.devices.trace.HopEvent;
import dev.vpcie.devices.spi.DmaException;
import dev.vpcie.devices.spi.DmaPort;
import java.util.ArrayDeque;

/**
 * The transmit descriptor walk of one ring, as a state machine on asynchronous DMA — the part the
 * 82540EM and the 82576 share. A tail write ({@link #kick}) fetches the descriptors software
 * posted in batches of {@link Queue#batch} (one read per batch, up to {@link #WINDOW} fetched and
 * not yet processed); when a batch lands, the buffers of all its data descriptors are read with
 * the reads in flight together, and the next batch is fetched behind them. Because a function's
 * read handlers run in issue order, descriptors are processed in ring order as their bytes come in:
 * the model gathers, sends each frame at its EOP, writes back status, and TDH moves past each one.
 * When everything fetched is processed, {@link Queue#caughtUp} lets the model flush batched
 * write-backs and raise its interrupt behind them.
 *
 * <p>A failed read stops the walk (the reads after it fail too and are ignored); the next tail
 * write starts again from TDH. {@link #reset} forgets the walk; reads still in flight are ignored
 * when they land. Single-threaded (the function's thread).
 *
 * @param <D> the chip's decoded descriptor
 */
public final class TxRingWalker<D extends TxBufferDescriptor> {
    /** Descriptors fetched (or being fetched) and not yet processed, at most. */
    public static final int WINDOW = 64;
    private static final int DESC = DescriptorRing.DESCRIPTOR_SIZE;

    /** What the walk needs from the model of one queue. */
    public interface Queue<D extends TxBufferDescriptor> {
        /** The ring as its registers are now. */
        DescriptorRing ring();

        /** Whether the queue may fetch (transmit enabled, the queue enabled, bus mastering on). */
        boolean enabled();

        /** Descriptors per fetch. */
        int batch();

        /**
         * The host threshold (the 82576's TXDCTL.HTHRESH): while fetched descriptors wait to be
         * processed, the next fetch waits until at least this many are posted in host memory; an
         * empty descriptor buffer fetches whatever is posted. 0 or 1: no minimum.
         */
        default int hostThreshold() { return 0; }

        D decode(byte[] raw, int off);

        /** Processes the descriptor at host address {@code at}, its buffer's bytes in {@code buffer} (null if none). */
        void process(D d, long at, byte[] buffer) throws DmaException;

        /** TDH moves to {@code head}, past a processed descriptor. */
        void headMoved(int head);

        /** Everything fetched is processed ({@code processed} descriptors since the last call). */
        void caughtUp(int processed);

        /** A DMA failed; the walk stops until the next kick. */
        void failed(DmaException e);
    }

    private static final class Slot<D> {
        final D descriptor;
        final long at;
        final int index;
        byte[] buffer;
        boolean ready;

        Slot(D descriptor, long at, int index) {
            this.descriptor = descriptor;
            this.at = at;
            this.index = index;
        }
    }

    private final DmaPort dma;
    /** The DMA stream of this ring's reads (see {@link DmaPort}): its failures stay in this ring. */
    private final int stream;
    private final Queue<D> queue;
    private final ArrayDeque<Slot<D>> slots = new ArrayDeque<>();
    private boolean active;
    /** The next descriptor to fetch. */
    private int fetchIndex;
    /** Descriptors fetched or being fetched, not yet processed. */
    private int window;
    private int processed;
    /** Changes on reset and failure, so handlers of reads issued before are ignored. */
    private int epoch;

    /** @param stream the DMA stream this ring reads on, distinct from the function's other rings' */
    public TxRingWalker(DmaPort dma, int stream, Queue<D> queue) {
        this.dma = dma;
        this.stream = stream;
        this.queue = queue;
    }

    /** TDT (or an enable) written: fetch what software posted. */
    public void kick() {
        HopEvent.mark(Hop.TX_TAIL);
        if (!queue.enabled()) return;
        DescriptorRing ring = queue.ring();
        if (!ring.valid()) return;
        if (!active) {
            active = true;
            fetchIndex = ring.head();
            window = 0;
        }
        fetchMore(ring);
    }

    /** Forgets the walk: reads in flight are ignored when they land. */
    public void reset() {
        epoch++;
        active = false;
        window = 0;
        processed = 0;
        slots.clear();
    }

    private void fetchMore(DescriptorRing ring) {
        int posted = Math.floorMod(ring.tail() - fetchIndex, ring.count());
        // HTHRESH: a prefetch behind descriptors still on chip waits for enough of them to be
        // worth fetching; drain() asks again when the buffer has emptied, so nothing stalls.
        if (window > 0 && posted < queue.hostThreshold()) return;
        while (posted > 0 && window < WINDOW) {
            int n = Math.min(Math.min(posted, Math.max(1, queue.batch())), Math.min(ring.count() - fetchIndex, WINDOW - window));
            byte[] raw = new byte[n * DESC];
            int first = fetchIndex;
            int e = epoch;
            long base = ring.base();
            int count = ring.count();
            fetchIndex = ring.advance(fetchIndex, n);
            window += n;
            posted -= n;
            dma.read(stream, ring.address(first), raw, 0, raw.length, failure -> fetched(e, raw, first, n, base, count, failure));
        }
    }

    private void fetched(int e, byte[] raw, int first, int n, long base, int count, DmaException failure) {
        if (e != epoch) return;
        if (failure != null) {
            fail(failure);
            return;
        }
        HopEvent.mark(Hop.TX_DESCRIPTORS);
        for (int i = 0; i < n; i++) {
            int index = (first + i) % count;
            D d = queue.decode(raw, i * DESC);
            Slot<D> slot = new Slot<>(d, base + (long) index * DESC, index);
            slots.addLast(slot);
            int length = d.bufferLength();
            if (length <= 0) {
                slot.ready = true;
                continue;
            }
            byte[] buffer = new byte[length];
            slot.buffer = buffer;
            dma.read(stream, d.bufferAddress(), buffer, 0, length, f -> bufferIn(e, slot, f));
        }
        drain(); // fetches more behind this batch's buffer reads
    }

    private void bufferIn(int e, Slot<D> slot, DmaException failure) {
        if (e != epoch) return;
        if (failure != null) {
            fail(failure);
            return;
        }
        slot.ready = true;
        drain();
    }

    /** Processes descriptors from the front while their bytes are in. */
    private void drain() {
        int e = epoch;
        while (!slots.isEmpty() && slots.peekFirst().ready) {
            Slot<D> slot = slots.pollFirst();
            window--;
            if (slot.buffer != null) HopEvent.mark(Hop.TX_BUFFER);
            try {
                queue.process(slot.descriptor, slot.at, slot.buffer);
            } catch (DmaException x) {
                fail(x);
                return;
            }
            if (e != epoch) return; // the model reset the walk while processing
            queue.headMoved((slot.index + 1) % (int) Math.max(1, queue.ring().count()));
            processed++;
        }
        if (active && queue.enabled()) { // the window has room again, or software posted more meanwhile
            DescriptorRing ring = queue.ring();
            if (ring.valid()) fetchMore(ring);
        }
        if (slots.isEmpty() && processed > 0 && e == epoch) {
            int n = processed;
            processed = 0;
            if (window == 0) active = false; // nothing fetched and unprocessed: the next kick starts from TDH
            queue.caughtUp(n);
        }
    }

    private void fail(DmaException e) {
        reset();
        queue.failed(e);
    }
}
