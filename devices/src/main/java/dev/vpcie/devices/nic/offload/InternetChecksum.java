package dev.vpcie.devices.nic.offload;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The Internet checksum (RFC 1071): the 16-bit ones'-complement of the ones'-complement sum of
 * big-endian 16-bit words, an odd last byte padded with zero. Sums are kept unfolded in a
 * {@code long} so that runs can be added before one final fold.
 */
public final class InternetChecksum {
    private InternetChecksum() {}

    private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    /**
     * Adds the words of {@code b[off..off+len)} to {@code sum} (unfolded). Eight bytes at a time:
     * a big-endian 32-bit half {@code h * 2^16 + l} is congruent to {@code h + l} modulo 0xFFFF,
     * which is all the fold keeps, so adding the halves adds the four 16-bit words. Every frame
     * is checksummed up to three times on its way through a NIC model; this loop is most of the
     * model's CPU per byte.
     */
    public static long add(long sum, byte[] b, int off, int len) {
        int i = off;
        int end = off + len;
        while (i + 8 <= end) {
            long v = (long) LONG_BE.get(b, i);
            sum += (v >>> 32) + (v & 0xFFFF_FFFFL);
            i += 8;
        }
        while (i + 1 < end) {
            sum += (b[i] & 0xFF) << 8 | (b[i + 1] & 0xFF);
            i += 2;
        }
        if (i < end) sum += (b[i] & 0xFF) << 8;
        return sum;
    }

    /** Folds an unfolded sum to 16 bits, end-around carry included. */
    public static int fold(long sum) {
        while ((sum >>> 16) != 0) sum = (sum & 0xFFFF) + (sum >>> 16);
        return (int) sum;
    }

    /** The checksum to store: the complement of the folded sum of {@code b[off..off+len)}. */
    public static int checksum(byte[] b, int off, int len) {
        return ~fold(add(0, b, off, len)) & 0xFFFF;
    }

    /**
     * Whether a region whose checksum field is included verifies: its ones'-complement sum is
     * all ones (negative zero) — also when the stored checksum is 0xFFFF in place of 0.
     */
    public static boolean verifies(long sum) {
        return fold(sum) == 0xFFFF;
    }
}
