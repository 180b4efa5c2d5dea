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
import dev.vpcie.protocol.tlp.Tlp;
import dev.vpcie.protocol.tlp.WriteSplitter;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * One function's bus-master engine: the asynchronous {@link DmaPort} its model calls. A read
 * becomes Memory Read requests split by Max Read Request Size and 4 KiB boundaries; as many go out
 * as the tag space and {@link EndpointConfig#maxOutstandingReads} allow (bandwidth over a link with
 * tens of microseconds of round trip needs many outstanding reads), the rest wait in the engine's
 * outbox in issue order. Completions are matched by tag and reassembled straight into the caller's
 * buffer; a read's handler runs when all its requests are in, and the handlers of one stream run in
 * issue order (a read whose completions came early waits for the reads issued before it on its
 * stream, never for another stream's). Writes become posted
 * Memory Write requests of at most Max Payload Size. UR, CA, malformed or poisoned completions,
 * completion timeouts, Bus Master Enable clear and link down all reach the handler as a
 * {@link DmaException}, never as made-up data; the reads issued after a failed one on its stream
 * fail with it, other streams' reads go on.
 *
 * <h2>Order</h2>
 * Everything the function sends — read requests, writes, and its interrupt messages
 * ({@link #post}) — leaves in call order: while read requests wait for a tag, later writes and
 * messages wait behind them, so a read never passes an earlier write and an interrupt never
 * passes the data written before it.
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
 * hang the device forever. Timeouts are checked by {@link #doWork} against the host's clock; the
 * host wakes for {@link #nextDeadlineNs}.
 *
 * <h2>Resets</h2>
 * {@link #drop} (a hot reset, a Function Level Reset, the session's end) forgets every read in
 * flight without calling its handler.
 *
 * <h2>Threads</h2>
 * Single-threaded: every method runs on the endpoint's agent thread, which is the function's.
 */
final class DmaEngine implements DmaPort {
    static final int QUARANTINE_FACTOR = 4;
    private static final int TAG_SLOTS = 1024;

    /** One {@link #read} call: where its bytes go, how many of its requests are still out, and how it ended. */
    static final class ReadCall {
        final int stream;
        final long address;
        final byte[] dst;
        final int off;
        final int len;
        final ReadHandler handler;
        int requestsLeft;
        DmaException failure;

        ReadCall(int stream, long address, byte[] dst, int off, int len, ReadHandler handler) {
            this.stream = stream;
            this.address = address;
            this.dst = dst;
            this.off = off;
            this.len = len;
            this.handler = handler;
        }

        boolean over() { return failure != null || requestsLeft == 0; }
    }

    /** What waits in the outbox: a read request waiting for a tag, or a posted TLP behind one. */
    private sealed interface Queued permits ReadRequest, Posted {}

    private record ReadRequest(ReadCall call, ReadSplitter.Chunk chunk, int generation) implements Queued {}

    private record Posted(Tlp tlp, int generation) implements Queued {}

    private final ConfigSpace config;
    private final int function;
    private final Upstream upstream;
    private final EndpointConfig settings;
    private final LongSupplier clock;
    private final RouterCounters routerCounters;
    private final Counters.Counter readCalls, readBytes, readRequests, writeCalls, writeBytes, writeRequests;
    private final Counters counters;

    private final PendingRead[] byTag = new PendingRead[TAG_SLOTS];
    /** Requests sent, oldest first (so the head has the earliest deadline); settled ones are skipped. */
    private final ArrayDeque<PendingRead> sent = new ArrayDeque<>();
    /** Read calls not yet handed back, per stream in issue order. */
    private final ArrayDeque<ReadCall>[] streams = newStreams();
    /** Calls in all {@link #streams}, so an idle engine does not walk them. */
    private int callsWaiting;
    /** Requests not yet sent, in call order. */
    private final ArrayDeque<Queued> outbox = new ArrayDeque<>();
    private int outstanding;
    private TagAllocator tags;
    private TagSpace space;
    private final ArrayDeque<Quarantined> quarantine = new ArrayDeque<>();

    /** The tags software allows, at most {@code capacity} of them in flight. */
    private record TagSpace(TagAllocator.Space tags, int capacity) {}

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

    // ------------------------------------------------------------------ the model's calls

    @Override
    public void read(int stream, long address, byte[] dst, int off, int len, ReadHandler handler) {
        Objects.checkIndex(stream, STREAMS);
        Objects.checkFromIndexSize(off, len, dst.length);
        Objects.requireNonNull(handler, "handler");
        ReadCall call = new ReadCall(stream, address, dst, off, len, handler);
        streams[stream].addLast(call);
        callsWaiting++;
        readCalls.increment();
        if (len == 0) return;
        try {
            int generation = checkAllowed(address, len);
            List<ReadSplitter.Chunk> chunks = split(address, len, config.maxReadRequestSize());
            call.requestsLeft = chunks.size();
            for (ReadSplitter.Chunk c : chunks) outbox.addLast(new ReadRequest(call, c, generation));
            refreshTags(generation);
            pump();
        } catch (DmaException e) {
            call.failure = e; // handed back by the next doWork, never from inside read()
        }
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
        for (MemWrite w : writes) {
            if (!post(w, generation)) throw failure(Reason.LINK_DOWN, address, len, "the session ended");
            writeRequests.increment();
        }
        writeBytes.add(len);
    }

    /**
     * Sends a posted TLP of this function (a DMA write, an interrupt message) in call order behind
     * the read requests waiting for tags; false when no session is up (or it is not {@code generation}).
     */
    boolean post(Tlp tlp, int generation) {
        if (outbox.isEmpty()) return send(tlp, generation);
        Upstream.Session s = upstream.session();
        if (s == null || s.generation() != generation) return false;
        outbox.addLast(new Posted(tlp, generation));
        return true;
    }

    /** {@link #post} in the session up now; false when none is. */
    boolean post(Tlp tlp) {
        Upstream.Session s = upstream.session();
        return s != null && post(tlp, s.generation());
    }

    private boolean send(Tlp tlp, int generation) {
        try {
            upstream.send(tlp, generation);
            return true;
        } catch (LinkDownException e) {
            return false;
        }
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

    // ------------------------------------------------------------------ sending

    /** Sends from the outbox while tags last. */
    private void pump() {
        while (!outbox.isEmpty()) {
            Queued q = outbox.peekFirst();
            switch (q) {
                case Posted p -> {
                    outbox.pollFirst();
                    send(p.tlp(), p.generation());
                }
                case ReadRequest r -> {
                    if (r.call().failure != null) { // the call failed already: the rest of it is not asked for
                        outbox.pollFirst();
                        continue;
                    }
                    int tag = tags.allocate();
                    if (tag == TagAllocator.NONE) {
                        if (outstanding > 0) return; // a completion frees one
                        releaseOldestQuarantined(); // every tag rests in quarantine: take the oldest back rather than stall
                        continue;
                    }
                    outbox.pollFirst();
                    sendRead(r, tag);
                }
            }
        }
    }

    private void sendRead(ReadRequest r, int tag) {
        ReadCall call = r.call();
        ReadSplitter.Chunk c = r.chunk();
        MemRead request = c.toRequest(requesterId(), tag, Attributes.DEFAULT);
        PendingRead p = new PendingRead(request, call, c.address(), c.byteCount(), call.off + (int) (c.address() - call.address),
                clock.getAsLong() + completionTimeoutNs(), r.generation());
        try {
            upstream.send(request, r.generation());
        } catch (LinkDownException e) {
            tags.free(tag);
            fail(call, failure(Reason.LINK_DOWN, c.address(), c.byteCount(), e.getMessage()));
            return;
        }
        byTag[tag] = p;
        sent.addLast(p);
        outstanding++;
        readRequests.increment();
    }

    // ------------------------------------------------------------------ completions and time

    /** A completion for this function (by the function number of its Requester ID). */
    void onCompletion(Completion c) {
        int tag = c.tag();
        PendingRead p = tag < TAG_SLOTS ? byTag[tag] : null;
        if (p == null || p.requester() != c.requester() || p.settled) {
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

    /** Times out overdue requests, sends what tags allow and hands back finished reads in issue order; returns the work done. */
    int doWork(long nowNs) {
        int work = 0;
        while (!sent.isEmpty()) {
            PendingRead p = sent.peekFirst();
            if (p.settled) {
                sent.pollFirst();
                continue;
            }
            if (nowNs - p.deadlineNs < 0) break;
            settle(p, PendingRead.Outcome.TIMED_OUT);
            work++;
        }
        if (!outbox.isEmpty() && tags != null) pump();
        return work + deliver();
    }

    /** Whether {@link #doWork} has something to do now (a read to hand back). */
    boolean hasWork() {
        if (callsWaiting == 0) return false;
        for (ArrayDeque<ReadCall> calls : streams) if (!calls.isEmpty() && calls.peekFirst().over()) return true;
        return false;
    }

    /** When {@link #doWork} must run next without an event: the oldest request's deadline. */
    long nextDeadlineNs() {
        for (PendingRead p : sent) if (!p.settled) return p.deadlineNs;
        return Long.MAX_VALUE;
    }

    private void settle(PendingRead p, PendingRead.Outcome o) {
        p.settled = true;
        byTag[p.tag()] = null;
        outstanding--;
        if (o.tagFree()) tags.free(p.tag());
        else quarantine(p.tag(), p.generation, completionTimeoutNs());
        ReadCall call = p.call;
        if (o.ok()) {
            if (call.failure == null) {
                System.arraycopy(p.assembler.bytes(), 0, call.dst, p.dstOffset, p.byteCount);
                call.requestsLeft--;
            }
        } else if (call.failure == null) {
            String detail = o == PendingRead.Outcome.TIMED_OUT
                    ? "no completion for tag " + p.tag() + " within " + TimeUnit.NANOSECONDS.toMillis(completionTimeoutNs()) + " ms"
                    : o.detail();
            fail(call, failure(o.reason(), p.address, p.byteCount, detail));
        }
        if (!outbox.isEmpty()) pump();
    }

    /** {@code call} failed: so does every call issued after it on its stream (nothing after a failure is data there). */
    private void fail(ReadCall call, DmaException e) {
        call.failure = e;
        boolean after = false;
        for (ReadCall c : streams[call.stream]) {
            if (c == call) after = true;
            else if (after && c.failure == null)
                c.failure = new DmaException(e.reason(), c.address, c.len, "a read issued before it failed: " + e.getMessage());
        }
    }

    /** Hands back every finished read from the front of each stream, in issue order; returns how many. */
    private int deliver() {
        int n = 0;
        if (callsWaiting == 0) return 0;
        for (ArrayDeque<ReadCall> calls : streams) {
            while (!calls.isEmpty() && calls.peekFirst().over()) {
                ReadCall c = calls.pollFirst();
                callsWaiting--;
                if (c.failure == null) readBytes.add(c.len);
                n++;
                c.handler.readDone(c.failure);
            }
        }
        return n;
    }

    @SuppressWarnings("unchecked")
    private static ArrayDeque<ReadCall>[] newStreams() {
        ArrayDeque<ReadCall>[] s = new ArrayDeque[STREAMS];
        for (int i = 0; i < STREAMS; i++) s[i] = new ArrayDeque<>();
        return s;
    }

    /**
     * A reset or the session's end: every read in flight or waiting is forgotten without its handler,
     * and waiting writes are dropped. With {@code sessionEnded} no completion can come for the
     * requests in flight, so their tags are free; otherwise they rest in quarantine.
     */
    void drop(boolean sessionEnded) {
        long timeoutNs = completionTimeoutNs();
        for (PendingRead p : sent) {
            if (p.settled) continue;
            p.settled = true;
            byTag[p.tag()] = null;
            outstanding--;
            if (sessionEnded) tags.free(p.tag());
            else quarantine(p.tag(), p.generation, timeoutNs);
        }
        sent.clear();
        for (ArrayDeque<ReadCall> calls : streams) calls.clear();
        callsWaiting = 0;
        outbox.clear();
    }

    /** The session ended: see {@link #drop}. */
    void linkDown(String reason) { drop(true); }

    private DmaException failure(Reason reason, long address, long length, String detail) {
        counters.counter("dma-error-" + reason.name().toLowerCase().replace('_', '-')).increment();
        return new DmaException(reason, address, length, detail);
    }

    private int requesterId() {
        int id = config.routingId();
        return id == ConfigSpace.NOT_CAPTURED ? Bdf.of(0, 0, function) : id;
    }

    /** Reads outstanding now (for tests and status). */
    int outstandingReads() { return outstanding; }

    /** Read calls not yet handed back (for tests and status). */
    int pendingCalls() { return callsWaiting; }

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
        if (tags == null || !wanted.equals(space) && tags.outstanding() == 0) {
            space = wanted;
            tags = TagAllocator.of(wanted.tags(), wanted.capacity());
        }
    }

    private TagSpace wantedTagSpace() {
        TagAllocator.Space tags = TagAllocator.Space.FIVE_BIT;
        Optional<PciExpressCapability> pcie = config.pciExpress();
        if (pcie.isPresent()) {
            int at = pcie.get().offset();
            boolean tenBitSupported = (config.read(at + Pcie.DEVICE_CAPABILITIES_2, 4) & Pcie.DEVCAP2_10BIT_TAG_REQUESTER) != 0;
            boolean tenBitEnabled = (config.read(at + Pcie.DEVICE_CONTROL_2, 2) & Pcie.DEVCTL2_10BIT_TAG_REQUESTER) != 0;
            if (tenBitSupported && tenBitEnabled) tags = TagAllocator.Space.TEN_BIT;
            else if (pcie.get().extendedTagEnabled()) tags = TagAllocator.Space.EIGHT_BIT;
        }
        return new TagSpace(tags, Math.min(tags.size(), settings.maxOutstandingReads()));
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
}
