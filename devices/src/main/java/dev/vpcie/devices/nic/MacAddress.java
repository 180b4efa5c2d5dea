package dev.vpcie.devices.nic;

import java.util.HexFormat;

/**
 * A 48-bit IEEE 802 MAC address, held as the value whose most significant byte is the first byte on
 * the wire ({@code 52:54:00:12:34:56} is {@code 0x525400123456L}).
 *
 * @param value the address in the low 48 bits
 */
public record MacAddress(long value) {
    /** ff:ff:ff:ff:ff:ff. */
    public static final MacAddress BROADCAST = new MacAddress(0xFFFF_FFFF_FFFFL);

    public MacAddress {
        if ((value & ~0xFFFF_FFFF_FFFFL) != 0) throw new IllegalArgumentException("MAC address 0x" + Long.toHexString(value) + " exceeds 48 bits");
    }

    /** Parses {@code aa:bb:cc:dd:ee:ff} (or with dashes). */
    public static MacAddress parse(String text) {
        String[] parts = text.trim().split("[:-]");
        if (parts.length != 6) throw new IllegalArgumentException("MAC address '" + text + "' is not six bytes");
        long v = 0;
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 2) throw new IllegalArgumentException("MAC address '" + text + "' has a bad byte '" + p + "'");
            v = v << 8 | HexFormat.fromHexDigits(p);
        }
        return new MacAddress(v);
    }

    /** The address in {@code bytes[off..off+6)}, wire order. */
    public static MacAddress of(byte[] bytes, int off) {
        long v = 0;
        for (int i = 0; i < 6; i++) v = v << 8 | (bytes[off + i] & 0xFF);
        return new MacAddress(v);
    }

    /**
     * A locally administered unicast address ({@code 02:xx:xx:xx:xx:xx}) made from {@code id}'s low
     * 40 bits, so distinct ids give distinct addresses that never collide with a vendor's.
     */
    public static MacAddress locallyAdministered(long id) {
        return new MacAddress(0x02_0000_0000_00L | (id & 0xFF_FFFF_FFFFL));
    }

    /**
     * The address of NIC instance {@code index} (0..255) hosted by this process: locally
     * administered, made of the process ID and the index, so two NICs of one endpoint (which
     * numbers its devices uniquely, whatever their model), or of two endpoints on one host, never
     * collide.
     */
    public static MacAddress forProcessInstance(int index) {
        if (index < 0 || index > 0xFF) throw new IllegalArgumentException("NIC instance " + index + " outside 0..255");
        return locallyAdministered((ProcessHandle.current().pid() & 0xFF_FFFF_FFL) << 8 | index);
    }

    /** Byte {@code i} (0..5) in wire order. */
    public int octet(int i) {
        if (i < 0 || i > 5) throw new IndexOutOfBoundsException("MAC octet " + i);
        return (int) (value >>> (8 * (5 - i))) & 0xFF;
    }

    /** The six bytes in wire order. */
    public byte[] bytes() {
        byte[] b = new byte[6];
        write(b, 0);
        return b;
    }

    /** Writes the six bytes in wire order at {@code dst[off]}. */
    public void write(byte[] dst, int off) {
        for (int i = 0; i < 6; i++) dst[off + i] = (byte) octet(i);
    }

    /** The group bit (I/G): multicast and broadcast addresses. */
    public boolean isMulticast() { return (octet(0) & 1) != 0; }

    public boolean isBroadcast() { return value == BROADCAST.value; }

    /** A station may use it: not group, not all-zero. Drivers refuse anything else. */
    public boolean isValidUnicast() { return !isMulticast() && value != 0; }

    /**
     * Receive Address Low as Intel NICs hold it: bytes 0..3, byte 0 in bits 7:0.
     */
    public int ral() { return octet(0) | octet(1) << 8 | octet(2) << 16 | octet(3) << 24; }

    /** Receive Address High bits 15:0: bytes 4 and 5 (byte 4 in bits 7:0); no AV bit. */
    public int rahAddressBits() { return octet(4) | octet(5) << 8; }

    /** The address in RAL and the low 16 bits of RAH. */
    public static MacAddress fromReceiveAddress(int ral, int rah) {
        long v = 0;
        for (int i = 0; i < 4; i++) v = v << 8 | (ral >>> (8 * i) & 0xFF);
        for (int i = 0; i < 2; i++) v = v << 8 | (rah >>> (8 * i) & 0xFF);
        return new MacAddress(v);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(17);
        for (int i = 0; i < 6; i++) {
            if (i > 0) sb.append(':');
            sb.append(HexFormat.of().toHexDigits((byte) octet(i)));
        }
        return sb.toString();
    }
}
