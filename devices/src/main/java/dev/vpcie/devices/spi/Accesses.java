package dev.vpcie.devices.spi;

/** Splitting of arbitrary byte runs into the naturally aligned accesses the SPI carries. */
public final class Accesses {
    private Accesses() {}

    /** Receives one naturally aligned access: {@code size} is 1, 2, 4 or 8 and {@code offset % size == 0}. */
    @FunctionalInterface
    public interface AlignedAccess {
        void access(long offset, int size);
    }

    /**
     * Calls {@code each} for the largest naturally aligned pieces (at most 8 bytes) covering
     * {@code [offset, offset + length)}, in ascending address order.
     */
    public static void forEachAligned(long offset, long length, AlignedAccess each) {
        if (length < 0) throw new IllegalArgumentException("negative length " + length);
        long at = offset;
        long end = offset + length;
        while (at < end) {
            int size = 8;
            while (size > 1 && ((at & (size - 1)) != 0 || at + size > end)) size >>= 1;
            each.access(at, size);
            at += size;
        }
    }

    /**
     * Calls {@code each} for the naturally aligned pieces of the enabled bytes of a write:
     * bit {@code i} of {@code byteEnables} enables byte {@code offset + i} ({@code i < 64}). Runs of
     * enabled bytes are split as by {@link #forEachAligned}; disabled bytes are not touched.
     */
    public static void forEachEnabled(long offset, long byteEnables, AlignedAccess each) {
        long mask = byteEnables;
        while (mask != 0) {
            int first = Long.numberOfTrailingZeros(mask);
            int run = Long.numberOfTrailingZeros(~(mask >>> first));
            forEachAligned(offset + first, run, each);
            mask = run + first >= 64 ? 0 : mask & (-1L << (first + run));
        }
    }
}
