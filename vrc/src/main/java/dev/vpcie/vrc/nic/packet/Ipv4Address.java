package dev.vpcie.vrc.nic.packet;

/** An IPv4 address held in an int, most significant byte first as on the wire. */
public record Ipv4Address(int bits) {

    public static Ipv4Address parse(String text) {
        String[] parts = text.trim().split("\\.", -1);
        if (parts.length != 4) throw new IllegalArgumentException("not an IPv4 address: '" + text + "'");
        int v = 0;
        for (String p : parts) {
            int octet;
            try {
                if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) throw new NumberFormatException();
                octet = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not an IPv4 address: '" + text + "'");
            }
            if (octet > 255) throw new IllegalArgumentException("not an IPv4 address: '" + text + "' (octet " + octet + " > 255)");
            v = v << 8 | octet;
        }
        return new Ipv4Address(v);
    }

    public static Ipv4Address read(byte[] b, int off) {
        return new Ipv4Address((b[off] & 0xFF) << 24 | (b[off + 1] & 0xFF) << 16 | (b[off + 2] & 0xFF) << 8 | b[off + 3] & 0xFF);
    }

    public void write(byte[] b, int off) {
        b[off] = (byte) (bits >>> 24);
        b[off + 1] = (byte) (bits >>> 16);
        b[off + 2] = (byte) (bits >>> 8);
        b[off + 3] = (byte) bits;
    }

    /** The address with its last octet replaced. */
    public Ipv4Address withLastOctet(int octet) {
        return new Ipv4Address(bits & 0xFFFF_FF00 | octet & 0xFF);
    }

    public int lastOctet() { return bits & 0xFF; }

    public boolean isMulticastOrBroadcast() { return (bits >>> 28) == 0xE || bits == -1; }

    @Override public String toString() {
        return (bits >>> 24) + "." + (bits >>> 16 & 0xFF) + "." + (bits >>> 8 & 0xFF) + "." + (bits & 0xFF);
    }
}
