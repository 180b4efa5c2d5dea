package dev.vpcie.endpoint;

import dev.vpcie.devices.spi.DmaException;
import dev.vpcie.protocol.tlp.CompletionAssembler;
import dev.vpcie.protocol.tlp.MemRead;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One DMA read request in flight: the MRd sent, the assembler its completions go into (touched
 * only by the link thread), where its bytes belong in the caller's buffer, and its outcome.
 * The outcome is settled exactly once, by whoever gets there first: the link thread (all bytes
 * arrived, a UR/CA/malformed completion, the link went down) or the function's thread (the
 * completion timeout passed).
 */
final class PendingRead {
    /**
     * How a read ended. {@code reason} is null for success. {@code tagFree}: no further completion
     * can arrive for the tag (the request completed, was refused, or its session ended), so it may
     * be reused at once; otherwise a late or leftover completion might still come, and the tag rests
     * in quarantine first, so that completion cannot be taken for a newer request's.
     */
    record Outcome(boolean ok, DmaException.Reason reason, String detail, boolean tagFree) {
        static final Outcome DONE = new Outcome(true, null, null, true);
        static final Outcome TIMED_OUT = new Outcome(false, DmaException.Reason.COMPLETION_TIMEOUT, null, false);

        /** The request ended for good (UR, CA, link down): the tag is free. */
        static Outcome failed(DmaException.Reason reason, String detail) { return new Outcome(false, reason, detail, true); }

        /** The request failed but completions may still be on their way (malformed, poisoned). */
        static Outcome broken(DmaException.Reason reason, String detail) { return new Outcome(false, reason, detail, false); }
    }

    final MemRead request;
    final CompletionAssembler assembler;
    /** Byte address of the first byte this request reads. */
    final long address;
    /** Bytes this request reads. */
    final int byteCount;
    /** Where its first byte goes in the caller's array. */
    final int dstOffset;
    final long deadlineNs;
    private final AtomicReference<Outcome> outcome = new AtomicReference<>();

    PendingRead(MemRead request, long address, int byteCount, int dstOffset, long deadlineNs) {
        this.request = request;
        this.assembler = CompletionAssembler.forRequest(request);
        this.address = address;
        this.byteCount = byteCount;
        this.dstOffset = dstOffset;
        this.deadlineNs = deadlineNs;
    }

    int tag() { return request.tag(); }

    int requester() { return request.requester(); }

    /** Settles the outcome if nobody has; returns whether this call did. */
    boolean settle(Outcome o) { return outcome.compareAndSet(null, o); }

    boolean settled() { return outcome.get() != null; }

    Outcome outcome() { return outcome.get(); }
}
