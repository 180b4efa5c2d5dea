package dev.vpcie.devices.nic;

import java.util.Arrays;

/**
 * The contents of an Intel NIC's non-volatile memory (the 8254x's serial EEPROM, the 82576's NVM):
 * 16-bit words with the layout the drivers read. Immutable; built with {@link #builder}, which fixes
 * up the checksum word so that words 0x00..0x3F sum to 0xBABA, as every Intel driver checks.
 *
 * <table>
 *   <caption>Words the e1000 and igb drivers read</caption>
 *   <tr><th>Word</th><th>Meaning</th></tr>
 *   <tr><td>0x00-0x02</td><td>Ethernet address, little-endian per word (word 0 = byte1 &lt;&lt; 8 | byte0)</td></tr>
 *   <tr><td>0x04</td><td>ID-LED settings; 0xFFFF = defaults</td></tr>
 *   <tr><td>0x05</td><td>image version (igb's firmware version string)</td></tr>
 *   <tr><td>0x08-0x09</td><td>PBA number (igb's "PBA No:")</td></tr>
 *   <tr><td>0x0B / 0x0C</td><td>subsystem ID / subsystem vendor ID</td></tr>
 *   <tr><td>0x0D / 0x0E</td><td>device ID / vendor ID</td></tr>
 *   <tr><td>0x0F</td><td>Initialization Control 2: bits 13:12 default flow control (0x3000 = full)</td></tr>
 *   <tr><td>0x24</td><td>Initialization Control 3, port A (APM / wake-on-LAN)</td></tr>
 *   <tr><td>0x37</td><td>alternate MAC address pointer (igb); 0xFFFF = none</td></tr>
 *   <tr><td>0x3F</td><td>checksum: 0xBABA minus the sum of words 0x00..0x3E</td></tr>
 * </table>
 */
public final class NvmImage {
    public static final int WORD_ETHERNET_ADDRESS = 0x00;
    public static final int WORD_ID_LED = 0x04;
    public static final int WORD_IMAGE_VERSION = 0x05;
    public static final int WORD_PBA_NUMBER = 0x08;
    public static final int WORD_SUBSYSTEM_ID = 0x0B;
    public static final int WORD_SUBSYSTEM_VENDOR_ID = 0x0C;
    public static final int WORD_DEVICE_ID = 0x0D;
    public static final int WORD_VENDOR_ID = 0x0E;
    public static final int WORD_INIT_CONTROL_2 = 0x0F;
    public static final int WORD_INIT_CONTROL_3_PORT_A = 0x24;
    public static final int WORD_ALTERNATE_MAC_POINTER = 0x37;
    /** The word that makes the checksum come out. */
    public static final int WORD_CHECKSUM = 0x3F;
    /** What words 0x00..0x3F must sum to (mod 2^16). */
    public static final int CHECKSUM_TARGET = 0xBABA;

    private final int[] words;

    private NvmImage(int[] words) { this.words = words; }

    /** A builder for an image of {@code size} words (at least 64), all 0xFFFF as on an erased part. */
    public static Builder builder(int size) { return new Builder(size); }

    /** An image of exactly these words, checksum or not (to model a corrupt part). */
    public static NvmImage ofWords(int[] words) {
        int[] w = words.clone();
        for (int i = 0; i < w.length; i++)
            if ((w[i] & ~0xFFFF) != 0) throw new IllegalArgumentException("NVM word " + i + " = 0x" + Integer.toHexString(w[i]) + " exceeds 16 bits");
        return new NvmImage(w);
    }

    /** Word {@code index}. */
    public int word(int index) { return words[index]; }

    /** Number of words. */
    public int size() { return words.length; }

    /** A copy of the words. */
    public int[] words() { return words.clone(); }

    /** The 16-bit sum of words 0x00..0x3F. */
    public int checksumSum() { return sum(words); }

    /** Whether words 0x00..0x3F sum to 0xBABA. */
    public boolean checksumValid() { return checksumSum() == CHECKSUM_TARGET; }

    /** The Ethernet address in words 0..2. */
    public MacAddress ethernetAddress() {
        byte[] b = new byte[6];
        for (int i = 0; i < 3; i++) {
            b[2 * i] = (byte) words[i];
            b[2 * i + 1] = (byte) (words[i] >>> 8);
        }
        return MacAddress.of(b, 0);
    }

    /** The 16-bit sum of {@code words[0x00..0x3F]}. */
    public static int sum(int[] words) {
        int s = 0;
        for (int i = 0; i <= WORD_CHECKSUM; i++) s += words[i];
        return s & 0xFFFF;
    }

    @Override
    public boolean equals(Object o) { return o instanceof NvmImage n && Arrays.equals(words, n.words); }

    @Override
    public int hashCode() { return Arrays.hashCode(words); }

    @Override
    public String toString() { return "NvmImage[" + words.length + " words, MAC " + ethernetAddress() + ", checksum " + (checksumValid() ? "ok" : "bad") + "]"; }

    /** Collects words; {@link #build} computes the checksum word. */
    public static final class Builder {
        private final int[] words;

        private Builder(int size) {
            if (size <= WORD_CHECKSUM) throw new IllegalArgumentException("an NVM of " + size + " words has no checksum word 0x3F");
            words = new int[size];
            Arrays.fill(words, 0xFFFF);
        }

        /** Sets word {@code index} (not the checksum word, which {@link #build} computes). */
        public Builder word(int index, int value) {
            if (index == WORD_CHECKSUM) throw new IllegalArgumentException("word 0x3F is the checksum; build() computes it");
            if ((value & ~0xFFFF) != 0) throw new IllegalArgumentException("NVM word 0x" + Integer.toHexString(index) + " value 0x" + Integer.toHexString(value) + " exceeds 16 bits");
            words[index] = value;
            return this;
        }

        /** Words 0..2: the Ethernet address, byte 0 in the low byte of word 0. */
        public Builder ethernetAddress(MacAddress mac) {
            for (int i = 0; i < 3; i++) word(WORD_ETHERNET_ADDRESS + i, mac.octet(2 * i) | mac.octet(2 * i + 1) << 8);
            return this;
        }

        /** Words 0x0B..0x0E: subsystem ID, subsystem vendor ID, device ID, vendor ID. */
        public Builder identity(int vendorId, int deviceId, int subsystemVendorId, int subsystemId) {
            return word(WORD_SUBSYSTEM_ID, subsystemId).word(WORD_SUBSYSTEM_VENDOR_ID, subsystemVendorId)
                    .word(WORD_DEVICE_ID, deviceId).word(WORD_VENDOR_ID, vendorId);
        }

        /** Sets the checksum word and returns the image. */
        public NvmImage build() {
            int[] w = words.clone();
            w[WORD_CHECKSUM] = 0;
            w[WORD_CHECKSUM] = (CHECKSUM_TARGET - sum(w)) & 0xFFFF;
            return new NvmImage(w);
        }
    }
}
