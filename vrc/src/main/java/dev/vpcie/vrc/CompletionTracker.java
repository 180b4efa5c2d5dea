package dev.vpcie.vrc;

import dev.vpcie.protocol.link.LinkDownException;
import dev.vpcie.protocol.tlp.Bdf;
import dev.vpcie.protocol.tlp.Completion;
import dev.vpcie.protocol.tlp.CplStatus;
import dev.vpcie.protocol.tlp.TagAllocator;
import dev.vpcie.protocol.tlp.Tlp;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Non-posted requests of the root complex on one link, tracked by tag until their completions
 * arrive or the completion timeout passes. Everything here runs on the root complex's loop
 * thread: requests are opened there ({@link EndpointLink#submit}), completions arrive there,
 * and the loop's clock decides timeouts ({@link #expire}). Callers on other threads hold only the
 * request's future, which completes with the {@link Access} or, when the link is (or goes) down,
 * exceptionally with {@link LinkDownException}.
 *
 * <p>Tags are 8-bit (the default without 10-bit tag support) from a {@link TagAllocator}, which
 * hands them out round-robin: a tag freed by a timeout is reused as late as possible, so a
 * straggling completion for it is far more likely to find an empty slot (counted as unexpected)
 * than a new request. When every tag is taken, requests wait for one in arrival order, up to
 * {@link #MAX_WAITING} of them.
 */
final class CompletionTracker {
    static final int TAGS = 256;
    /** Requests beyond the tags that may wait for one; more are refused (completion timeout) rather than queued without bound. */
    static final int MAX_WAITING = 4096;
    private static final Logger log = LoggerFactory.getLogger(CompletionTracker.class);

    private final Request[] slots = new Request[TAGS];
    /** Requests without a tag yet, in arrival order. */
    private final ArrayDeque<Request> waiting = new ArrayDeque<>();
    /** Every open request in arrival order, which is deadline order since all share one timeout. */
    private final ArrayDeque<Request> byDeadline = new ArrayDeque<>();
    private final Counters counters;
    private final long timeoutNanos;
    private final int requesterId;
    private final TagAllocator tags = TagAllocator.eightBit();
    /** Tags in use, readable from any thread (tests, diagnostics). */
    private volatile int outstanding;
    private boolean down;

    CompletionTracker(Counters counters, long timeoutNanos, int requesterId) {
        if (timeoutNanos <= 0) throw new IllegalArgumentException("completion timeout must be positive");
        this.counters = counters;
        this.timeoutNanos = timeoutNanos;
        this.requesterId = requesterId;
    }

    long timeoutNanos() { return timeoutNanos; }

    /**
     * A request not opened yet, made on any thread: {@code request} builds the TLP once a tag is
     * known; {@code byteCount} bytes of data are expected (0 for a write), from {@code completer}
     * (or -1 to accept any completer ID).
     */
    Request newRequest(IntFunction<Tlp> request, int byteCount, int completer, boolean expectsData) {
        return new Request(request, byteCount, completer, expectsData);
    }

    /**
     * Opens {@code r} at {@code nowNs} (loop thread): true when it holds a tag and its TLP should
     * be sent now; false when it waits for a tag (its TLP goes out from {@link #release}'s caller)
     * or has already ended.
     */
    boolean open(Request r, long nowNs) {
        if (down) {
            r.fail(new LinkDownException("link is down"));
            return false;
        }
        r.deadlineNs = nowNs + timeoutNanos;
        if (tags.outstanding() == tags.capacity()) {
            if (waiting.size() >= MAX_WAITING) {
                counters.increment(Counter.COMPLETION_TIMEOUT);
                r.finish(Outcome.TIMEOUT);
                return false;
            }
            waiting.add(r);
            byDeadline.add(r);
            return false;
        }
        take(r);
        byDeadline.add(r);
        return true;
    }

    private void take(Request r) {
        int tag = tags.allocate();
        if (tag == TagAllocator.NONE || slots[tag] != null)
            throw new IllegalStateException("tag accounting broken: " + tags.outstanding() + " in use, allocated " + tag);
        slots[tag] = r;
        r.tag = tag;
        outstanding = tags.outstanding();
    }

    /** Every completion that arrives on this link (loop thread). */
    void onCompletion(Completion c) {
        Request r = c.tag() < TAGS ? slots[c.tag()] : null;
        if (r == null || c.requester() != requesterId) {
            unexpected(c, r == null ? "no request outstanding with this tag" : "requester ID is not the root complex");
            return;
        }
        if (r.completer >= 0 && c.status() == CplStatus.SC && c.completer() != r.completer) {
            unexpected(c, "completer " + Bdf.toString(c.completer()) + " is not the target " + Bdf.toString(r.completer));
            return;
        }
        Outcome finished = r.accept(c);
        if (finished == null) return;
        release(r);
        r.finish(finished);
    }

    private void unexpected(Completion c, String why) {
        counters.increment(Counter.UNEXPECTED_COMPLETION);
        log.warn("unexpected completion dropped ({}): {}", why, c);
    }

    /**
     * Ends requests whose completion timeout passed by {@code nowNs} (loop thread): their tags are
     * freed and they complete with {@link Outcome#TIMEOUT}. Returns how many ended.
     */
    int expire(long nowNs) {
        int n = 0;
        Request r;
        while ((r = byDeadline.peek()) != null) {
            if (r.done) {
                byDeadline.poll();
                continue;
            }
            if (r.deadlineNs - nowNs > 0) break;
            byDeadline.poll();
            if (r.tag >= 0) release(r);
            counters.increment(Counter.COMPLETION_TIMEOUT);
            log.warn("completion timeout: tag {} got no completion within {} µs", r.tag, timeoutNanos / 1000);
            r.finish(Outcome.TIMEOUT);
            n++;
        }
        return n;
    }

    /** When the oldest open request times out; Long.MAX_VALUE with none open. */
    long nextDeadlineNs() {
        Request r;
        while ((r = byDeadline.peek()) != null && r.done) byDeadline.poll();
        return r == null ? Long.MAX_VALUE : r.deadlineNs;
    }

    /** Fails every open request at once, and those opened until {@link #linkUp}: no completion will come. */
    void linkDown(String reason) {
        down = true;
        failAll(new LinkDownException("link went down: " + reason));
    }

    /** Fails every open request with {@code why} (the link went down, the root complex closed). */
    void failAll(RuntimeException why) {
        // The count first: a caller woken by its failed request must not still see it outstanding.
        outstanding = 0;
        for (int tag = 0; tag < TAGS; tag++) {
            Request r = slots[tag];
            if (r != null) {
                slots[tag] = null;
                tags.free(tag);
                r.fail(why);
            }
        }
        for (Request r : waiting) r.fail(why);
        waiting.clear();
        byDeadline.clear();
    }

    void linkUp() { down = false; }

    /** Whether the link is down as far as this tracker knows (requests are refused). */
    boolean isDown() { return down; }

    /** Frees the request's tag (a waiting request may take it: see {@link #nextReady}). */
    private void release(Request r) {
        if (slots[r.tag] == r) {
            slots[r.tag] = null;
            tags.free(r.tag);
            outstanding = tags.outstanding();
        }
    }

    /** A request that waited for a tag and now has one (loop thread), or null; its TLP must be sent. */
    Request nextReady() {
        while (tags.outstanding() < tags.capacity()) {
            Request w = waiting.poll();
            if (w == null) return null;
            if (w.done) continue;
            take(w);
            return w;
        }
        return null;
    }

    /** Frees a request whose TLP could not be sent, and fails it. */
    void abandon(Request r, RuntimeException why) {
        if (r.tag >= 0) release(r);
        r.fail(why);
    }

    /** Tags in use (any thread). */
    int outstanding() { return outstanding; }

    /** One non-posted request. Everything but the future belongs to the loop thread. */
    final class Request {
        private final IntFunction<Tlp> build;
        private final int completer;
        private final boolean expectsData;
        private final byte[] data;
        final CompletableFuture<Access> result = new CompletableFuture<>();
        private int tag = -1;
        private int received;
        private long deadlineNs;
        private boolean done;

        private Request(IntFunction<Tlp> build, int byteCount, int completer, boolean expectsData) {
            this.build = build;
            this.completer = completer;
            this.expectsData = expectsData;
            this.data = new byte[byteCount];
        }

        /** The TLP, once a tag is held. */
        Tlp tlp() { return build.apply(tag); }

        int tag() { return tag; }

        boolean done() { return done; }

        /**
         * Takes one completion. Returns the outcome when this completion ends the request, or null
         * when more split completions are due. Reassembly follows the spec: a completion's payload
         * starts at the DW holding Lower Address, Byte Count is what remains including this one.
         */
        private Outcome accept(Completion c) {
            switch (c.status()) {
                case SC -> { }
                case UR -> { return Outcome.UNSUPPORTED_REQUEST; }
                case CA -> { return Outcome.COMPLETER_ABORT; }
                case CRS -> { return Outcome.CONFIG_RETRY; }
            }
            if (!expectsData) {
                if (c.hasData()) { unexpected(c, "data on a completion for a write"); return null; }
                return Outcome.SUCCESS;
            }
            int remaining = c.byteCount() == 0 ? 4096 : c.byteCount();
            if (!c.hasData() || remaining != data.length - received) {
                unexpected(c, "byte count " + remaining + " does not continue the " + (data.length - received) + " bytes still due");
                return null;
            }
            int skip = c.lowerAddress() & 3;
            int take = Math.min(remaining, c.data().length - skip);
            if (take <= 0) { unexpected(c, "payload ends before Lower Address"); return null; }
            System.arraycopy(c.data(), skip, data, received, take);
            received += take;
            return received == data.length ? Outcome.SUCCESS : null;
        }

        /** Ends the request with {@code o}: the value is the first 8 bytes of data on success, all-ones otherwise. */
        private void finish(Outcome o) {
            done = true;
            result.complete(new Access(o, o.ok() ? DwAccess.value(data, 0, Math.min(8, data.length)) : -1L));
        }

        private void fail(RuntimeException why) {
            done = true;
            result.completeExceptionally(why);
        }
    }
}
