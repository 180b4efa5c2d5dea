package dev.vpcie.vrc.nic;

import dev.vpcie.protocol.transport.MacAddress;

/** NVM/EEPROM facts both chips share: the 0xBABA checksum over words 0..0x3F and the MAC in words 0..2. */
public final class Nvm {
    private Nvm() {}

    public static final int CHECKSUM_WORDS = 0x40, CHECKSUM_SUM = 0xBABA;

    /** The 16-bit sum of words 0..0x3F; valid when it equals {@link #CHECKSUM_SUM}. */
    public static int checksum(int[] words) {
        if (words.length < CHECKSUM_WORDS) throw new IllegalArgumentException("need " + CHECKSUM_WORDS + " words, have " + words.length);
        int sum = 0;
        for (int i = 0; i < CHECKSUM_WORDS; i++) sum += words[i];
        return sum & 0xFFFF;
    }

    /** The MAC address in three little-endian words (word 0 holds bytes 1:0). */
    public static MacAddress macFromWords(int w0, int w1, int w2) {
        byte[] b = {(byte) w0, (byte) (w0 >>> 8), (byte) w1, (byte) (w1 >>> 8), (byte) w2, (byte) (w2 >>> 8)};
        return MacAddress.of(b, 0);
    }

    /** The MAC address in RAL/RAH form: RAL holds bytes 0..3 low byte first, RAH bytes 4..5 in bits 15:0. */
    public static MacAddress macFromRar(int ral, int rah) {
        return macFromWords(ral & 0xFFFF, ral >>> 16, rah & 0xFFFF);
    }

    /** RAL for an address. */
    public static int ral(MacAddress mac) {
        byte[] b = mac.toBytes();
        return b[0] & 0xFF | (b[1] & 0xFF) << 8 | (b[2] & 0xFF) << 16 | (b[3] & 0xFF) << 24;
    }

    /** RAH bits 15:0 for an address (the caller adds AV and pool bits). */
    public static int rahLow(MacAddress mac) {
        byte[] b = mac.toBytes();
        return b[4] & 0xFF | (b[5] & 0xFF) << 8;
    }

    /** A unicast, non-zero address: what the Linux drivers accept ({@code is_valid_ether_addr}). */
    public static boolean validUnicast(MacAddress mac) {
        return mac.bits() != 0 && !mac.isMulticast();
    }
}
