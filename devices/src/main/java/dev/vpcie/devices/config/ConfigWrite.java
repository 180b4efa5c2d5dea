package dev.vpcie.devices.config;

/**
 * One configuration write as applied to one dword, for listeners and capability hooks.
 *
 * @param offset       dword-aligned offset in configuration space
 * @param byteEnables  which bytes of the dword were written (bit i = byte offset + i)
 * @param written      the value the requester sent (bytes not enabled are meaningless)
 * @param before       the dword before the write
 * @param after        the dword after the write-mask and W1C rules were applied
 */
public record ConfigWrite(int offset, int byteEnables, int written, int before, int after) {

    /** Whether the write enabled any byte of {@code [at, at + size)} (absolute offsets). */
    public boolean touches(int at, int size) {
        for (int i = 0; i < 4; i++) {
            int a = offset + i;
            if ((byteEnables >>> i & 1) != 0 && a >= at && a < at + size) return true;
        }
        return false;
    }

    /** Bits that went from 0 to 1. */
    public int set() { return ~before & after; }

    /** Bits that went from 1 to 0. */
    public int cleared() { return before & ~after; }

    /** The written value restricted to the enabled bytes (others zero). */
    public int enabledWritten() {
        int m = 0;
        for (int i = 0; i < 4; i++) if ((byteEnables >>> i & 1) != 0) m |= 0xFF << (8 * i);
        return written & m;
    }
}
