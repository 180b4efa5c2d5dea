package dev.vpcie.protocol.tlp;

/**
 * Reassembles the completions of one memory read into the bytes it asked for. Completions for
 * a single read arrive in increasing address order (PCIe base spec 2.3.1.1), each saying how
 * many bytes are still owed (Byte Count) and where its data starts (Lower Address); the
 * assembler checks both against what it has received so far.
 *
 * <p>Matching a completion to its read (Requester ID and Tag) is the caller's job. One
 * assembler per outstanding read; not thread-safe (the thread that receives completions owns it).
 */
public final class CompletionAssembler {
    public enum State { PENDING, DONE, FAILED }

    private final long start;
    private final byte[] bytes;
    private int received;
    private State state = State.PENDING;
    private CplStatus status = CplStatus.SC;
    private String failure;

    /** Expects {@code byteCount} (1..4096) bytes starting at the byte address {@code address}. */
    public CompletionAssembler(long address, int byteCount) {
        if (byteCount < 1 || byteCount > 4096) throw new IllegalArgumentException("byte count must be 1..4096: " + byteCount);
        this.start = address;
        this.bytes = new byte[byteCount];
    }

    /**
     * For {@code request}: the bytes from its first to its last enabled byte (including disabled
     * bytes between, for non-contiguous enables; one byte for a zero-length read).
     */
    public static CompletionAssembler forRequest(MemRead request) {
        return new CompletionAssembler(request.address() + ByteEnables.firstByteOffset(request.firstBe()),
                ByteEnables.byteCount(request.length(), request.firstBe(), request.lastBe()));
    }

    /** Takes the next completion of this read and returns the new state. */
    public State accept(Completion c) {
        if (state != State.PENDING) throw new IllegalStateException("read already " + state + ", got " + c);
        if (c.status() != CplStatus.SC) {
            status = c.status();
            return fail("completed with status " + c.status());
        }
        if (!c.hasData()) return fail("successful completion without data");
        long next = start + received;
        int remaining = bytes.length - received;
        if (c.bcm() ? c.byteCount() > remaining : c.byteCount() != remaining)
            return fail("Byte Count " + c.byteCount() + " but " + remaining + " bytes are still owed");
        if (c.lowerAddress() != (next & 0x7F))
            return fail("Lower Address 0x" + Integer.toHexString(c.lowerAddress()) + " but the next byte is at 0x"
                    + Long.toHexString(next));
        int skip = (int) (next & 3);
        if (c.data().length > (skip + remaining + 3 & ~3))
            return fail(c.data().length + " data bytes but only " + remaining + " bytes from offset " + skip + " are owed");
        int take = Math.min(c.data().length - skip, remaining);
        System.arraycopy(c.data(), skip, bytes, received, take);
        received += take;
        if (received == bytes.length) state = State.DONE;
        return state;
    }

    private State fail(String why) {
        failure = why;
        return state = State.FAILED;
    }

    public State state() { return state; }

    /** Bytes received so far. */
    public int received() { return received; }

    /** The status of the completion that failed the read (SC if it failed for another reason or has not failed). */
    public CplStatus status() { return status; }

    /** Why the read failed, or null. */
    public String failure() { return failure; }

    /** The requested bytes, once {@link State#DONE}. */
    public byte[] bytes() {
        if (state != State.DONE) throw new IllegalStateException("read is " + state + (failure != null ? ": " + failure : ""));
        return bytes;
    }
}
