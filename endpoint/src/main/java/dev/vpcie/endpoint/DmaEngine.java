package dev.vpcie.endpoint;

import dev.vpcie.devices.config.ConfigSpace;
import dev.vpcie.devices.config.PciExpressCapability;
import dev.vpcie.devices.spi.Counters;
import dev.vpcie.devices.spi.DmaException;
import dev.vpcie.devices.spi.DmaException.Reason;
import dev.vpcie.devices.spi.DmaPort;
import dev.vpcie.protocol.link.LinkDownException;
import dev.vpcie.protocol.pci.PciConfig.Pcie;
import dev.vpcie.protocol.tlp.Attributes;
import dev.vpcie.protocol.tlp.Bdf;
import dev.vpcie.protocol.tlp.Completion;
import dev.vpcie.protocol.tlp.CompletionAssembler;
import dev.vpcie.protocol.tlp.MemRead;
import dev.vpcie.protocol.tlp.MemWrite;
import dev.vpcie.protocol.tlp.ReadSplitter;
import dev.vpcie.protocol.tlp.TagAllocator;
import dev.vpcie.protocol.tlp.WriteSplitter;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.LongSupplier;

/**
 * One function's bus-master engine: the {@link DmaPort} its model calls. Reads become Memory Read
 * requests split by Max Read Request Size and 4 KiB boundaries, several in flight at once (as many
 * as the tag space and {@link EndpointConfig#maxOutstandingReads} allow: bandwidth over a link with
 * tens of microseconds of round trip needs many outstanding reads); their completions are matched
 * by tag and reassembled. Writes become posted Memory Write requests of at most Max Payload Size.
 * UR, CA, malformed or poisoned completions, completion timeouts, Bus Master Enable clear and link
 * down all surface as {@link DmaException}, never as made-up data.
 *
 * <h2>Tags</h2>
 * As PCIe allows a requester (base spec 2.2.6.2): 10-bit tags when the function reports 10-Bit Tag
 * Requester Supported and software set 10-Bit Tag Requester Enable in Device Control 2; 8-bit tags
 * when Extended Tag Field Enable is set in Device Control; otherwise 5-bit tags, at most 32 reads
 * in flight. The space is chosen again whenever no read is outstanding. A tag whose read timed out
 * or was answered with a malformed completion rests in quarantine for {@value #QUARANTINE_FACTOR}
 * completion timeouts (or until the session ends), so a late completion is counted as unexpected
 * instead of being taken for a newer read's.
 *
 * <h2>Completion timeout</h2>
 * Device Control 2's Completion Timeout Value when software chose one, else
 * {@link EndpointConfig#completionTimeout}; when software disabled the timeout it is stretched
 * {@value EndpointConfig#DISABLED_TIMEOUT_FACTOR}-fold, not removed, so a lost completion cannot
 * hang the device forever.
 *
 * <h2>Threads</h2>
 * {@link #read} and {@link #write} run on the function's thread and may block;
 * {@link #onCompletion} and {@link #linkDown} run on the link thread and never block.
 */
final class DmaEngine implements DmaPort {
    static final int QUARANTINE_FACTOR = 4;
    private static final int TAG_SLOTS = 1024;

    private final ConfigSpace config;
    private final int function;
    private final Upstream upstream;
    private final EndpointConfig settings;
    private final LongSupplier clock;
    private final RouterCounters routerCounters;
    private final Counters.Counter readCalls, readBytes, readRequests, writeCalls, writeBytes, writeRequests;
    private final Counters counters;

    /** Outstanding reads by tag: written by the function's thread when sending, cleared by whoever settles. */
    private final AtomicReferenceArray<PendingRead> byTag = new AtomicReferenceArray<>(TAG_SLOTS);
    /** Reads the link thread settled, for the function's thread to collect. */
    private final ConcurrentLinkedQueue<PendingRead> settled = new ConcurrentLinkedQueue<>();
    /** Reads added to {@link #settled} and not yet taken: the link thread adds, the function thread takes. */
    private final AtomicInteger settledCount = new AtomicInteger();
    /**
     * The function thread waiting in {@link #awaitOne}, and how many settled reads it waits for:
     * the link thread wakes it only when that many are there (or at the deadline it set itself).
     * While no more requests can be sent, that is every read in flight, so a 64 KiB read costs the
     * function thread one wake-up instead of one per 512-byte request.
     */
    private volatile Thread waiter;
    private volatile int wakeAt = 1;

    // function thread only
    private TagAllocator tags;
    private TagSpace space;
    /** Tags held permanently so that a 5-bit space hands out only 0..31 (TagAllocator knows 8- and 10-bit spaces). */
    private int reservedTags;
    private final ArrayDeque<Quarantined> quarantine = new ArrayDeque<>();

    /** Tag values 0..capacity-1 (5- and 8-bit spaces) or 256.. (10-bit), at most {@code capacity} in flight. */
    private record TagSpace(boolean tenBit, boolean fiveBit, int capacity) {}

    private record Quarantined(int tag, long releaseNs, int generation) {}

    DmaEngine(ConfigSpace config, int function, Upstream upstream, EndpointConfig settings, LongSupplier clock, Counters counters,
              RouterCounters routerCounters) {
        this.config = config;
        this.function = function;
        this.upstream = upstream;
        this.settings = settings;
        this.clock = clock;
        this.counters = counters;
        this.routerCounters = routerCounters;
        this.readCalls = counters.counter("dma-read-calls");
        this.readBytes = counters.counter("dma-read-bytes");
        this.readRequests = counters.counter("dma-read-requests");
        this.writeCalls = counters.counter("dma-write-calls");
        this.writeBytes = counters.counter("dma-write-bytes");
        this.writeRequests = counters.counter("dma-write-requests");
    }

    // ------------------------------------------------------------------ function thread

    @Override
    public void read(long address, byte[] dst, int off, int len) throws DmaException {
        Objects.checkFromIndexSize(off, len, dst.length);
        if (len == 0) return;
        int generation = checkAllowed(address, len);
        readCalls.increment();
        List<ReadSplitter.Chunk> chunks = split(address, len, config.maxReadRequestSize());
        refreshTags(generation);
        int requester = requesterId();
        long timeoutNs = completionTimeoutNs();
        ArrayDeque<PendingRead> inFlight = new ArrayDeque<>();
        DmaException failure = null;
        int next = 0;
        try {
            while (true) {
                while (failure == null && next < chunks.size()) {
                    int tag = tags.allocate();
                    if (tag == TagAllocator.NONE) {
                        if (!inFlight.isEmpty()) break;
                        releaseOldestQuarantined(); // every tag rests in quarantine: take the oldest back rather than stall
                        continue;
                    }
                    ReadSplitter.Chunk c = chunks.get(next);
                    MemRead request = c.toRequest(requester, tag, Attributes.DEFAULT);
                    PendingRead p = new PendingRead(request, c.address(), c.byteCount(), off + (int) (c.address() - address),
                            clock.getAsLong() + timeoutNs);
                    byTag.set(tag, p);
                    try {
                        upstream.send(request, generation);
                    } catch (LinkDownException e) {
                        byTag.compareAndSet(tag, p, null);
                        tags.free(tag);
                        failure = failure(Reason.LINK_DOWN, c.address(), c.byteCount(), e.getMessage());
                        break;
                    }
                    readRequests.increment();
                    inFlight.addLast(p);
                    next++;
                }
                if (inFlight.isEmpty()) break;
                PendingRead p = awaitOne(inFlight, failure == null && next < chunks.size());
                PendingRead.Outcome o = p.outcome();
                if (o.ok()) {
                    System.arraycopy(p.assembler.bytes(), 0, dst, p.dstOffset, p.byteCount);
                    tags.free(p.tag());
                    continue;
                }
                if (o.tagFree()) tags.free(p.tag());
                else quarantine(p.tag(), generation, timeoutNs);
                if (failure == null) {
                    String detail = o == PendingRead.Outcome.TIMED_OUT
                            ? "no completion for tag " + p.tag() + " within " + TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms"
                            : o.detail();
                    failure = failure(o.reason(), p.address, p.byteCount, detail);
                }
            }
        } catch (InterruptedException e) {
            abandon(inFlight, generation, timeoutNs);
            Thread.currentThread().interrupt();
            throw failure(Reason.LINK_DOWN, address, len, "the endpoint is shutting down");
        }
        if (failure != null) throw failure;
        readBytes.add(len);
    }

    @Override
    public void write(long address, byte[] src, int off, int len) throws DmaException {
        Objects.checkFromIndexSize(off, len, src.length);
        if (len == 0) return;
        int generation = checkAllowed(address, len);
        writeCalls.increment();
        int mps = Math.min(config.maxPayloadSize(), settings.maxPayloadLimit());
        List<MemWrite> writes;
        try {
            writes = WriteSplitter.split(requesterId(), address, src, off, len, mps, Attributes.DEFAULT);
        } catch (IllegalArgumentException e) {
            throw failure(Reason.UNSUPPORTED_REQUEST, address, len, e.getMessage());
        }
        try {
            for (MemWrite w : writes) {
                upstream.send(w, generation);
                writeRequests.increment();
            }
        } catch (LinkDownException e) {
            throw failure(Reason.LINK_DOWN, address, len, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure(Reason.LINK_DOWN, address, len, "the endpoint is shutting down");
        }
        writeBytes.add(len);
    }

    /** Bus Master Enable and a session; returns the session's generation. */
    private int checkAllowed(long address, int len) throws DmaException {
        if (!config.busMasterEnabled())
            throw failure(Reason.BUS_MASTER_DISABLED, address, len, config.inD0() ? "Bus Master Enable is clear" : "the function is not in D0");
        Upstream.Session s = upstream.session();
        if (s == null) throw failure(Reason.LINK_DOWN, address, len, "no VRC session is up");
        return s.generation();
    }

    private List<ReadSplitter.Chunk> split(long address, int len, int mrrs) throws DmaException {
        try {
            return ReadSplitter.split(address, len, mrrs);
        } catch (IllegalArgumentException e) {
            throw failure(Reason.UNSUPPORTED_REQUEST, address, len, e.getMessage());
        }
    }

    /**
     * Waits until one read in flight is settled (or times out) and returns it, removed from
     * {@code inFlight}. With {@code more} false no request waits for a tag, so it sleeps until every
     * read in flight has settled (or the oldest one's deadline), then hands them out one per call.
     */
    private PendingRead awaitOne(ArrayDeque<PendingRead> inFlight, boolean more) throws InterruptedException {
        while (true) {
            PendingRead p = takeSettled();
            if (p != null) {
                if (inFlight.remove(p)) return p;
                continue; // left over from a call that was abandoned; its tag is already in quarantine
            }
            PendingRead oldest = inFlight.peekFirst(); // sent first, so its deadline is the earliest
            if (clock.getAsLong() - oldest.deadlineNs >= 0) {
                if (oldest.settle(PendingRead.Outcome.TIMED_OUT)) {
                    byTag.compareAndSet(oldest.tag(), oldest, null);
                    inFlight.removeFirst();
                    return oldest;
                }
                continue; // the link thread settled it just now: it is (or is about to be) in the queue
            }
            sleepUntilSettled(more ? 1 : inFlight.size(), oldest.deadlineNs);
        }
    }

    private PendingRead takeSettled() {
        PendingRead p = settled.poll();
        if (p != null) settledCount.decrementAndGet();
        return p;
    }

    /** Parks until {@code count} reads are settled or the clock reaches {@code deadlineNs}. */
    private void sleepUntilSettled(int count, long deadlineNs) throws InterruptedException {
        wakeAt = count;
        waiter = Thread.currentThread();
        try {
            // Re-check after publishing the waiter: a read settled in between would not have woken us.
            while (settledCount.get() < count) {
                long wait = deadlineNs - clock.getAsLong();
                if (wait <= 0) return;
                LockSupport.parkNanos(this, wait);
                if (Thread.interrupted()) throw new InterruptedException();
            }
        } finally {
            waiter = null;
        }
    }

    /** Interrupted mid-read: every read in flight is given up and its tag quarantined. */
    private void abandon(ArrayDeque<PendingRead> inFlight, int generation, long timeoutNs) {
        for (PendingRead p : inFlight) {
            if (p.settle(PendingRead.Outcome.failed(Reason.LINK_DOWN, "abandoned"))) byTag.compareAndSet(p.tag(), p, null);
            quarantine(p.tag(), generation, timeoutNs);
        }
        inFlight.clear();
    }

    private DmaException failure(Reason reason, long address, long length, String detail) {
        counters.counter("dma-error-" + reason.name().toLowerCase().replace('_', '-')).increment();
        return new DmaException(reason, address, length, detail);
    }

    private int requesterId() {
        int id = config.routingId();
        return id == ConfigSpace.NOT_CAPTURED ? Bdf.of(0, 0, function) : id;
    }

    // ------------------------------------------------------------------ tags

    /** Picks the tag space the configuration allows (when nothing is outstanding) and ends expired quarantines. */
    private void refreshTags(int generation) {
        long now = clock.getAsLong();
        while (!quarantine.isEmpty()) {
            Quarantined q = quarantine.peekFirst();
            if (q.generation() == generation && q.releaseNs() - now > 0) break;
            quarantine.removeFirst();
            tags.free(q.tag());
        }
        TagSpace wanted = wantedTagSpace();
        if (tags == null || !wanted.equals(space) && tags.outstanding() == reservedTags) {
            space = wanted;
            if (wanted.fiveBit()) {
                // Take every 8-bit tag, then give back 0..capacity-1: only those are ever handed out.
                tags = TagAllocator.eightBit();
                for (int i = 0; i < tags.capacity(); i++) tags.allocate();
                for (int tag = 0; tag < wanted.capacity(); tag++) tags.free(tag);
                reservedTags = tags.capacity() - wanted.capacity();
            } else {
                tags = TagAllocator.of(wanted.tenBit(), wanted.capacity());
                reservedTags = 0;
            }
        }
    }

    private TagSpace wantedTagSpace() {
        int max = settings.maxOutstandingReads();
        Optional<PciExpressCapability> pcie = config.pciExpress();
        if (pcie.isEmpty()) return new TagSpace(false, true, Math.min(32, max));
        int at = pcie.get().offset();
        boolean tenBitSupported = (config.read(at + Pcie.DEVICE_CAPABILITIES_2, 4) & Pcie.DEVCAP2_10BIT_TAG_REQUESTER) != 0;
        boolean tenBitEnabled = (config.read(at + Pcie.DEVICE_CONTROL_2, 2) & Pcie.DEVCTL2_10BIT_TAG_REQUESTER) != 0;
        if (tenBitSupported && tenBitEnabled) return new TagSpace(true, false, Math.min(768, max));
        if (pcie.get().extendedTagEnabled()) return new TagSpace(false, false, Math.min(256, max));
        return new TagSpace(false, true, Math.min(32, max));
    }

    private void quarantine(int tag, int generation, long timeoutNs) {
        quarantine.addLast(new Quarantined(tag, clock.getAsLong() + QUARANTINE_FACTOR * timeoutNs, generation));
    }

    private void releaseOldestQuarantined() {
        Quarantined q = quarantine.pollFirst();
        if (q == null) throw new IllegalStateException("no tag free, none in flight and none in quarantine: tag accounting is broken");
        tags.free(q.tag());
    }

    /** The completion timeout software selected, see the class comment. */
    long completionTimeoutNs() {
        long base = settings.completionTimeout().toNanos();
        Optional<PciExpressCapability> pcie = config.pciExpress();
        if (pcie.isEmpty()) return base;
        int control2 = config.read(pcie.get().offset() + Pcie.DEVICE_CONTROL_2, 2);
        if ((control2 & Pcie.DEVCTL2_COMPLETION_TIMEOUT_DISABLE) != 0) return base * EndpointConfig.DISABLED_TIMEOUT_FACTOR;
        if ((control2 & Pcie.DEVCTL2_COMPLETION_TIMEOUT_MASK) == 0) return base;
        return pcie.get().completionTimeoutNs().orElse(base);
    }

    // ------------------------------------------------------------------ link thread

    /** A completion for this function (by the function number of its Requester ID). Never blocks. */
    void onCompletion(Completion c) {
        int tag = c.tag();
        PendingRead p = tag < TAG_SLOTS ? byTag.get(tag) : null;
        if (p == null || p.requester() != c.requester() || p.settled()) {
            routerCounters.count(RouterEvent.UNEXPECTED_COMPLETION);
            return;
        }
        if (c.attributes().poisoned()) {
            settle(p, PendingRead.Outcome.broken(Reason.COMPLETER_ABORT, "poisoned completion (EP set): its data must not be used"));
            return;
        }
        switch (c.status()) {
            case SC -> { }
            case UR -> {
                settle(p, PendingRead.Outcome.failed(Reason.UNSUPPORTED_REQUEST, "completer " + Bdf.toString(c.completer()) + " answered UR"));
                return;
            }
            case CA -> {
                settle(p, PendingRead.Outcome.failed(Reason.COMPLETER_ABORT, "completer " + Bdf.toString(c.completer()) + " answered CA"));
                return;
            }
            case CRS -> {
                settle(p, PendingRead.Outcome.failed(Reason.COMPLETER_ABORT, "completer " + Bdf.toString(c.completer())
                        + " answered CRS, which only configuration requests may get"));
                return;
            }
        }
        CompletionAssembler.State state = p.assembler.accept(c);
        switch (state) {
            case PENDING -> { }
            case DONE -> settle(p, PendingRead.Outcome.DONE);
            case FAILED -> settle(p, PendingRead.Outcome.broken(Reason.COMPLETER_ABORT, "malformed completion: " + p.assembler.failure()));
        }
    }

    /** The session ended: every outstanding read fails with LINK_DOWN. Never blocks. */
    void linkDown(String reason) {
        for (int tag = 0; tag < TAG_SLOTS; tag++) {
            PendingRead p = byTag.get(tag);
            if (p != null) settle(p, PendingRead.Outcome.failed(Reason.LINK_DOWN, "link went down: " + reason));
        }
    }

    private void settle(PendingRead p, PendingRead.Outcome o) {
        if (!p.settle(o)) return;
        byTag.compareAndSet(p.tag(), p, null);
        settled.add(p);
        if (settledCount.incrementAndGet() >= wakeAt) {
            Thread w = waiter;
            if (w != null) LockSupport.unpark(w);
        }
    }

    /** Reads outstanding now (for tests and status). */
    int outstandingReads() {
        int n = 0;
        for (int tag = 0; tag < TAG_SLOTS; tag++) if (byTag.get(tag) != null) n++;
        return n;
    }
}
