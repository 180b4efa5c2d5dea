package dev.vpcie.endpoint;

import dev.vpcie.devices.spi.DmaException;
import dev.vpcie.protocol.tlp.CompletionAssembler;
import dev.vpcie.protocol.tlp.MemRead;

/**
 * One DMA read request in flight: the MRd sent, the assembler its completions go into, the read
 * call it is part of, where its bytes belong in the caller's buffer, and its deadline. Touched only
 * by the function's thread.
 */
final class PendingRead {
    /**
     * How a request ended. {@code reason} is null for success. {@code tagFree}: no further completion
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
    final DmaEngine.ReadCall call;
    /** Byte address of the first byte this request reads. */
    final long address;
    /** Bytes this request reads. */
    final int byteCount;
    /** Where its first byte goes in the caller's array. */
    final int dstOffset;
    final long deadlineNs;
    final int generation;
    boolean settled;

    PendingRead(MemRead request, DmaEngine.ReadCall call, long address, int byteCount, int dstOffset, long deadlineNs, int generation) {
        this.request = request;
        this.assembler = CompletionAssembler.forRequest(request);
        this.call = call;
        this.address = address;
        this.byteCount = byteCount;
        this.dstOffset = dstOffset;
        this.deadlineNs = deadlineNs;
        this.generation = generation;
    }

    int tag() { return request.tag(); }

    int requester() { return request.requester(); }
}
