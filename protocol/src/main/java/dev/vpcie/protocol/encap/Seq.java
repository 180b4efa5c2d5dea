package dev.vpcie.protocol.encap;

/**
 * Arithmetic on the link's 32-bit sequence numbers, which wrap (serial number arithmetic, as
 * RFC 1982 defines it). Every comparison of sequence numbers in vpcie goes through this class, so
 * wrap-around is handled in exactly one place: two numbers compare by their signed 32-bit
 * difference, which is right as long as they are less than 2^31 apart (the window is at most
 * 2^15).
 */
public final class Seq {
    private Seq() {}

    /** {@code s + n}, wrapping. */
    public static int add(int s, int n) { return s + n; }

    /** The number after {@code s}, wrapping. */
    public static int next(int s) { return s + 1; }

    /** How far {@code a} is ahead of {@code b}; negative when it is behind. */
    public static int diff(int a, int b) { return a - b; }

    public static boolean lessThan(int a, int b) { return a - b < 0; }

    public static boolean lessOrEqual(int a, int b) { return a - b <= 0; }

    public static boolean greaterThan(int a, int b) { return a - b > 0; }

    public static boolean greaterOrEqual(int a, int b) { return a - b >= 0; }

    /** {@code lo <= s < hi} on the circle. */
    public static boolean inRange(int s, int lo, int hi) { return s - lo >= 0 && s - hi < 0; }

    /** The later of two sequence numbers. */
    public static int max(int a, int b) { return a - b >= 0 ? a : b; }

    /** Unsigned text, as on the wire. */
    public static String toString(int s) { return Integer.toUnsignedString(s); }
}
