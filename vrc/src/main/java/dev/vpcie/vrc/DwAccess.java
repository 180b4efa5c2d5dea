package dev.vpcie.vrc;

/**
 * A byte access of 1, 2, 4 or 8 bytes at any address, expressed as a PCIe request sees it:
 * the DW-aligned start, a length in DW and the first/last DW byte enables (last is 0 for a
 * 1-DW request, as the spec requires). Values are little-endian, as PCI is.
 */
record DwAccess(long dwAddress, int dwCount, int firstBe, int lastBe, int skip, int width) {

    static DwAccess of(long address, int width) {
        checkWidth(width);
        int skip = (int) (address & 3);
        int dwCount = (skip + width + 3) >>> 2;
        long mask = ((1L << width) - 1) << skip;
        int first = (int) (mask & 0xF);
        int last = dwCount > 1 ? (int) (mask >>> ((dwCount - 1) * 4) & 0xF) : 0;
        return new DwAccess(address & ~3L, dwCount, first, last, skip, width);
    }

    static void checkWidth(int width) {
        if (width != 1 && width != 2 && width != 4 && width != 8)
            throw new IllegalArgumentException("access width must be 1, 2, 4 or 8 bytes: " + width);
    }

    /** The request payload: {@code value}'s low {@code width} bytes placed at {@code skip}, rest zero. */
    byte[] payload(long value) {
        byte[] data = new byte[dwCount * 4];
        for (int i = 0; i < width; i++) data[skip + i] = (byte) (value >>> (8 * i));
        return data;
    }

    /** Little-endian value of {@code width} bytes of {@code data} from {@code offset}. */
    static long value(byte[] data, int offset, int width) {
        long v = 0;
        for (int i = width - 1; i >= 0; i--) v = v << 8 | (data[offset + i] & 0xFF);
        return v;
    }

    /** All ones in {@code width} bytes: what a failed read returns. */
    static long allOnes(int width) { return width == 8 ? -1L : (1L << (8 * width)) - 1; }
}
