package dev.vpcie.protocol.tlp;

/**
 * First/Last DW Byte Enables (PCIe base spec 2.2.5): bit i enables byte i of a DW, byte 0 being
 * the lowest address. Converts between a byte range (address, byte count) and the DW-aligned
 * request that covers it, and back (the Byte Count and Lower Address rules of 2.3.1.1).
 */
public final class ByteEnables {
    private ByteEnables() {}

    /**
     * The DW-aligned request that covers {@code byteCount} bytes from {@code address}. A byte
     * count of 0 gives the zero-length read/write form: 1 DW with both byte enables 0000b.
     */
    public record Span(long dwAddress, int length, int firstBe, int lastBe) {}

    /** The span of 0..4096 bytes at any byte address (whether it crosses 4 KiB is the caller's business: see {@link ReadSplitter}). */
    public static Span of(long address, int byteCount) {
        if (byteCount < 0 || byteCount > 4096) throw new IllegalArgumentException("byte count must be 0..4096: " + byteCount);
        long dwAddress = address & ~3L;
        if (byteCount == 0) return new Span(dwAddress, 1, 0, 0);
        int offset = (int) (address & 3);
        int length = dwLength(address, byteCount);
        if (length == 1) return new Span(dwAddress, 1, ((1 << byteCount) - 1) << offset & 0xF, 0);
        int end = (int) (address + byteCount & 3);
        return new Span(dwAddress, length, 0xF << offset & 0xF, end == 0 ? 0xF : (1 << end) - 1);
    }

    /** DWs covering {@code byteCount} (at least 1) bytes from {@code address}. */
    public static int dwLength(long address, int byteCount) {
        return (int) (((address & 3) + Math.max(byteCount, 1) + 3) >>> 2);
    }

    /**
     * Byte Count of a read request's (first) completion, from the request's Length and BEs:
     * the span from the first to the last enabled byte, 1 for a zero-length read (PCIe base spec
     * 2.3.1.1, the byte count table for non-contiguous enables included).
     */
    public static int byteCount(int length, int firstBe, int lastBe) {
        if (length == 1) {
            if (firstBe == 0) return 1;
            return 32 - Integer.numberOfLeadingZeros(firstBe) - Integer.numberOfTrailingZeros(firstBe);
        }
        if (firstBe == 0 || lastBe == 0) throw new IllegalArgumentException("multi-DW request with a zero byte enable");
        return length * 4 - Integer.numberOfTrailingZeros(firstBe | 0x10) - (Integer.numberOfLeadingZeros(lastBe) - 28);
    }

    /** Offset of the first enabled byte in the first DW: the low two bits of Lower Address (0 for 0000b). */
    public static int firstByteOffset(int firstBe) {
        return firstBe == 0 ? 0 : Integer.numberOfTrailingZeros(firstBe);
    }

    /** Enables that run from some byte up to byte 3 (1111b, 1110b, 1100b, 1000b): a contiguous First DW BE. */
    public static boolean contiguousToTop(int be) {
        return be != 0 && ((be | be - 1) & 0xF) == 0xF;
    }

    /** Enables that run from byte 0 up to some byte (0001b, 0011b, 0111b, 1111b): a contiguous Last DW BE. */
    public static boolean contiguousFromBottom(int be) {
        return be != 0 && (be & be + 1) == 0;
    }
}
