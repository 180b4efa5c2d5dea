package dev.vpcie.protocol.transport;

/** A 48-bit IEEE MAC address held in the low bits of a long. */
public record MacAddress(long bits) {
    public static final MacAddress BROADCAST = new MacAddress(0xFFFF_FFFF_FFFFL);

    public MacAddress {
        if ((bits & ~0xFFFF_FFFF_FFFFL) != 0) throw new IllegalArgumentException("MAC address is 48 bits");
    }

    public static MacAddress of(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 6; i++) v = v << 8 | (b[off + i] & 0xFF);
        return new MacAddress(v);
    }

    public static MacAddress parse(String text) {
        String[] parts = text.trim().split("[:-]");
        if (parts.length != 6) throw new IllegalArgumentException("not a MAC address: '" + text + "'");
        long v = 0;
        try {
            for (String p : parts) {
                if (p.isEmpty() || p.length() > 2) throw new NumberFormatException();
                v = v << 8 | Integer.parseInt(p, 16);
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a MAC address: '" + text + "'");
        }
        return new MacAddress(v);
    }

    public void write(byte[] b, int off) {
        for (int i = 0; i < 6; i++) b[off + i] = (byte) (bits >>> (40 - 8 * i));
    }

    public byte[] toBytes() {
        byte[] b = new byte[6];
        write(b, 0);
        return b;
    }

    public boolean isMulticast() { return (bits >>> 40 & 1) != 0; }

    @Override public String toString() {
        StringBuilder sb = new StringBuilder(17);
        for (int i = 0; i < 6; i++) {
            if (i > 0) sb.append(':');
            sb.append(String.format("%02x", bits >>> (40 - 8 * i) & 0xFF));
        }
        return sb.toString();
    }
}
