package dev.vpcie.vrc.lspci;

/** Read-only little-endian view of a configuration space snapshot; bytes past its end read as 0. */
record ConfigBytes(byte[] bytes) {
    int u8(int off) { return off >= 0 && off < bytes.length ? bytes[off] & 0xFF : 0; }
    int u16(int off) { return u8(off) | u8(off + 1) << 8; }
    int u32(int off) { return u16(off) | u16(off + 2) << 16; }
    long u32l(int off) { return u32(off) & 0xFFFF_FFFFL; }
    int length() { return bytes.length; }

    /** lspci's flag notation: {@code +} when the bit is set, {@code -} when clear. */
    static char flag(long value, long bit) { return (value & bit) != 0 ? '+' : '-'; }
}
