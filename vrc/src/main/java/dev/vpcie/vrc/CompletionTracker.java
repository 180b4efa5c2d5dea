package dev.vpcie.vrc;

import dev.vpcie.protocol.tlp.Bdf;
import dev.vpcie.protocol.tlp.Completion;
import dev.vpcie.protocol.tlp.CplStatus;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Non-posted requests of the root complex on one link, tracked by tag until their completions
 * arrive or the completion timeout passes. Callers block in {@link Request#await}; completions
 * arrive on the link thread through {@link #onCompletion}, which never blocks.
 *
 * <p>Tags are 8-bit (the default without 10-bit tag support) and handed out round-robin, so a
 * tag freed by a timeout is reused as late as possible and a straggling completion for it is
 * far more likely to find an empty slot (counted as unexpected) than a new request.
 */
final class CompletionTracker {
    static final int TAGS = 256;
    private static final Logger log = LoggerFactory.getLogger(CompletionTracker.class);

    private final AtomicReferenceArray<Request> slots = new AtomicReferenceArray<>(TAGS);
    private final Counters counters;
    private final long timeoutNanos;
    private final int requesterId;
    private final Object allocationLock = new Object();
    private int cursor;
    private int inUse;
    private volatile boolean down;

    CompletionTracker(Counters counters, long timeoutNanos, int requesterId) {
        if (timeoutNanos <= 0) throw new IllegalArgumentException("completion timeout must be positive");
        this.counters = counters;
        this.timeoutNanos = timeoutNanos;
        this.requesterId = requesterId;
    }

    long timeoutNanos() { return timeoutNanos; }

    /**
     * Reserves a tag for a request that expects {@code byteCount} bytes of data starting at
     * byte {@code firstByte} of the first DW (0 bytes for a write or config write), from
     * {@code completer} (or -1 to accept any completer ID). Waits for a free tag up to the
     * completion timeout; returns null when none became free.
     */
    Request open(int byteCount, int completer, boolean expectsData) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        synchronized (allocationLock) {
            while (inUse == TAGS) {
                long left = deadline - System.nanoTime();
                if (left <= 0) return null;
                allocationLock.wait(left / 1_000_000, (int) (left % 1_000_000));
            }
            for (int i = 0; i < TAGS; i++) {
                int tag = (cursor + i) & (TAGS - 1);
                if (slots.get(tag) == null) {
                    Request r = new Request(tag, byteCount, completer, expectsData);
                    slots.set(tag, r);
                    cursor = tag + 1;
                    inUse++;
                    return r;
                }
            }
            throw new IllegalStateException("tag accounting broken: " + inUse + " in use but no free slot");
        }
    }

    /** Called on the link thread for every completion that arrives on this link. */
    void onCompletion(Completion c) {
        Request r = c.tag() < TAGS ? slots.get(c.tag()) : null;
        if (r == null || c.requester() != requesterId) {
            unexpected(c, r == null ? "no request outstanding with this tag" : "requester ID is not the root complex");
            return;
        }
        if (r.completer >= 0 && c.status() == CplStatus.SC && c.completer() != r.completer) {
            unexpected(c, "completer " + Bdf.toString(c.completer()) + " is not the target " + Bdf.toString(r.completer));
            return;
        }
        Outcome finished = r.accept(c);
        if (finished != null && release(r)) r.finish(finished);
    }

    private void unexpected(Completion c, String why) {
        counters.increment(Counter.UNEXPECTED_COMPLETION);
        log.warn("unexpected completion dropped ({}): {}", why, c);
    }

    /** Fails every outstanding request at once: the link went down, so no completion will come. */
    void linkDown() {
        down = true;
        for (int tag = 0; tag < TAGS; tag++) {
            Request r = slots.get(tag);
            if (r != null && release(r)) r.finish(Outcome.LINK_DOWN);
        }
    }

    void linkUp() { down = false; }

    boolean isDown() { return down; }

    /** Frees the request's tag if it still holds it; false when someone else already did. */
    private boolean release(Request r) {
        if (!slots.compareAndSet(r.tag, r, null)) return false;
        synchronized (allocationLock) {
            inUse--;
            allocationLock.notify();
        }
        return true;
    }

    /** Frees a request that could not be sent at all. */
    void abandon(Request r) { release(r); }

    int outstanding() {
        synchronized (allocationLock) { return inUse; }
    }

    /** One outstanding non-posted request. Fields other than the result belong to the link thread. */
    final class Request {
        final int tag;
        private final int completer;
        private final boolean expectsData;
        private final byte[] data;
        private int received;
        private volatile Outcome outcome;
        private volatile Thread waiter;

        private Request(int tag, int byteCount, int completer, boolean expectsData) {
            this.tag = tag;
            this.completer = completer;
            this.expectsData = expectsData;
            this.data = new byte[byteCount];
        }

        /**
         * Takes one completion (link thread). Returns the outcome when this completion ends the
         * request, or null when more split completions are due. Reassembly follows the spec:
         * a completion's payload starts at the DW holding Lower Address, Byte Count is what
         * remains including this completion.
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
                unexpected(c, "byte count " + remaining + " does not continue the " + (data.length - received)
                        + " bytes still due");
                return null;
            }
            int skip = c.lowerAddress() & 3;
            int take = Math.min(remaining, c.data().length - skip);
            if (take <= 0) { unexpected(c, "payload ends before Lower Address"); return null; }
            System.arraycopy(c.data(), skip, data, received, take);
            received += take;
            return received == data.length ? Outcome.SUCCESS : null;
        }

        private void finish(Outcome o) {
            outcome = o;
            Thread w = waiter;
            if (w != null) LockSupport.unpark(w);
        }

        /**
         * Waits for the outcome until the completion timeout; a timeout frees the tag, counts
         * and returns {@link Outcome#TIMEOUT}.
         */
        Outcome await() throws InterruptedException {
            waiter = Thread.currentThread();
            long deadline = System.nanoTime() + timeoutNanos;
            while (outcome == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    if (release(this)) {
                        counters.increment(Counter.COMPLETION_TIMEOUT);
                        log.warn("completion timeout: tag {} got no completion within {} µs", tag, timeoutNanos / 1000);
                        return Outcome.TIMEOUT;
                    }
                    // The link thread claimed the slot a moment ago; the outcome is on its way.
                    while (outcome == null) Thread.onSpinWait();
                    break;
                }
                LockSupport.parkNanos(this, left);
                if (Thread.interrupted()) {
                    release(this);
                    throw new InterruptedException();
                }
            }
            return outcome;
        }

        /** The data received (length as requested); meaningful after {@link Outcome#SUCCESS}. */
        byte[] data() { return data; }
    }
}
