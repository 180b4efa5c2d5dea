package dev.vpcie.devices.nic.igb;

import dev.vpcie.devices.nic.offload.L3Protocol;
import dev.vpcie.devices.nic.offload.PacketLayout;

/**
 * Receive-side scaling as the 82576 does it: MRQC selects which header fields are hashed, the
 * Toeplitz hash with the 40-byte key in RSSRK gives a 32-bit value, and its low 7 bits index the
 * 128-entry redirection table (RETA, one byte per entry, the queue in bits 3:0).
 *
 * <h2>Hash types (MRQC field bits, and the type reported in the descriptor)</h2>
 * <table>
 *   <caption>What is hashed</caption>
 *   <tr><th>MRQC bit</th><th>Packets</th><th>Input</th><th>Type</th></tr>
 *   <tr><td>16 TcpIPv4</td><td>IPv4 TCP, not a fragment</td><td>src, dst address; src, dst port</td><td>1</td></tr>
 *   <tr><td>22 UdpIPv4</td><td>IPv4 UDP, not a fragment</td><td>src, dst address; src, dst port</td><td>7</td></tr>
 *   <tr><td>17 IPv4</td><td>other IPv4</td><td>src, dst address</td><td>2</td></tr>
 *   <tr><td>21 TcpIPv6 / 18 TcpIPv6Ex</td><td>IPv6 TCP</td><td>src, dst address; src, dst port</td><td>3 / 6</td></tr>
 *   <tr><td>23 UdpIPv6 / 24 UdpIPv6Ex</td><td>IPv6 UDP</td><td>src, dst address; src, dst port</td><td>8 / 9</td></tr>
 *   <tr><td>20 IPv6 / 19 IPv6Ex</td><td>other IPv6</td><td>src, dst address</td><td>5 / 4</td></tr>
 * </table>
 * For IPv6 the plain type applies to packets without extension headers and the "Ex" type to any
 * packet when the plain one is not enabled or extension headers are present; the Ex types hash the
 * addresses of the fixed header (the home-address option and routing header substitutions of the
 * datasheet are not modelled). Anything else gets type 0, hash 0, queue 0.
 */
final class Rss {
    private Rss() {}

    public static final int FIELD_IPV4_TCP = 1 << 16;
    public static final int FIELD_IPV4 = 1 << 17;
    public static final int FIELD_IPV6_TCP_EX = 1 << 18;
    public static final int FIELD_IPV6_EX = 1 << 19;
    public static final int FIELD_IPV6 = 1 << 20;
    public static final int FIELD_IPV6_TCP = 1 << 21;
    public static final int FIELD_IPV4_UDP = 1 << 22;
    public static final int FIELD_IPV6_UDP = 1 << 23;
    public static final int FIELD_IPV6_UDP_EX = 1 << 24;

    public static final int TYPE_NONE = 0;
    public static final int TYPE_TCP_IPV4 = 1;
    public static final int TYPE_IPV4 = 2;
    public static final int TYPE_TCP_IPV6 = 3;
    public static final int TYPE_IPV6_EX = 4;
    public static final int TYPE_IPV6 = 5;
    public static final int TYPE_TCP_IPV6_EX = 6;
    public static final int TYPE_UDP_IPV4 = 7;
    public static final int TYPE_UDP_IPV6 = 8;
    public static final int TYPE_UDP_IPV6_EX = 9;

    public static final int KEY_BYTES = 40;
    public static final int RETA_ENTRIES = 128;

    /**
     * The outcome for one packet.
     *
     * @param type   hash type (0: not hashed)
     * @param hash   the Toeplitz hash (0 when not hashed)
     * @param queue  the receive queue RETA names (0 when not hashed)
     */
    record Result(int type, int hash, int queue) {
        static final Result NONE = new Result(TYPE_NONE, 0, 0);
    }

    /**
     * Classifies {@code frame[0..length)} whose layout is {@code p}.
     *
     * @param mrqc  the MRQC register (field enables in bits 24:16)
     * @param key   the 40 key bytes, RSSRK0 bits 7:0 first
     * @param reta  the 128 RETA bytes, entry 0 first
     */
    static Result classify(byte[] frame, PacketLayout p, int mrqc, byte[] key, byte[] reta) {
        int type = type(p, mrqc);
        if (type == TYPE_NONE) return Result.NONE;
        boolean ports = switch (type) {
            case TYPE_IPV4, TYPE_IPV6, TYPE_IPV6_EX -> false;
            default -> true;
        };
        int addressBytes = p.l3() == L3Protocol.IPV4 ? 4 : 16;
        int addressOffset = p.l3Offset() + (p.l3() == L3Protocol.IPV4 ? 12 : 8);
        byte[] input = new byte[2 * addressBytes + (ports ? 4 : 0)];
        System.arraycopy(frame, addressOffset, input, 0, 2 * addressBytes);
        if (ports) System.arraycopy(frame, p.l4Offset(), input, 2 * addressBytes, 4);
        int hash = toeplitz(key, input);
        return new Result(type, hash, reta[hash & (RETA_ENTRIES - 1)] & 0x0F);
    }

    static int type(PacketLayout p, int mrqc) {
        boolean hasPorts = p.l4Offset() >= 0 && !p.fragment() && p.l4Length() >= 4;
        boolean tcp = hasPorts && p.isTcp();
        boolean udp = hasPorts && p.isUdp();
        return switch (p.l3()) {
            case IPV4 -> {
                if (tcp && (mrqc & FIELD_IPV4_TCP) != 0) yield TYPE_TCP_IPV4;
                if (udp && (mrqc & FIELD_IPV4_UDP) != 0) yield TYPE_UDP_IPV4;
                yield (mrqc & FIELD_IPV4) != 0 ? TYPE_IPV4 : TYPE_NONE;
            }
            case IPV6 -> {
                boolean extensions = p.l4Offset() >= 0 ? p.l4Offset() != p.l3Offset() + 40 : p.fragment();
                if (tcp && !extensions && (mrqc & FIELD_IPV6_TCP) != 0) yield TYPE_TCP_IPV6;
                if (tcp && (mrqc & FIELD_IPV6_TCP_EX) != 0) yield TYPE_TCP_IPV6_EX;
                if (udp && !extensions && (mrqc & FIELD_IPV6_UDP) != 0) yield TYPE_UDP_IPV6;
                if (udp && (mrqc & FIELD_IPV6_UDP_EX) != 0) yield TYPE_UDP_IPV6_EX;
                if (!extensions && (mrqc & FIELD_IPV6) != 0) yield TYPE_IPV6;
                yield (mrqc & FIELD_IPV6_EX) != 0 ? TYPE_IPV6_EX : TYPE_NONE;
            }
            case OTHER -> TYPE_NONE;
        };
    }

    /**
     * The Toeplitz hash of {@code input} under {@code key} (at least {@code input.length + 4}
     * bytes): for every input bit that is set, from the most significant bit of byte 0 on, XOR in
     * the 32 key bits that start at that bit's position.
     */
    static int toeplitz(byte[] key, byte[] input) {
        if (key.length < input.length + 4) throw new IllegalArgumentException("Toeplitz key of " + key.length + " bytes for " + input.length + " input bytes");
        int result = 0;
        int window = (key[0] & 0xFF) << 24 | (key[1] & 0xFF) << 16 | (key[2] & 0xFF) << 8 | (key[3] & 0xFF);
        for (int i = 0; i < input.length; i++) {
            int next = key[i + 4] & 0xFF;
            for (int bit = 7; bit >= 0; bit--) {
                if ((input[i] >>> bit & 1) != 0) result ^= window;
                window = window << 1 | (next >>> bit & 1);
            }
        }
        return result;
    }
}
