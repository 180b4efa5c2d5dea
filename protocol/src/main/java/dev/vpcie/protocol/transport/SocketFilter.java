package dev.vpcie.protocol.transport;

/**
 * The classic BPF program attached to the AF_PACKET socket ({@code SO_ATTACH_FILTER}) so the
 * kernel wakes us only for frames we want: addressed to us (not {@code PACKET_OTHERHOST}), not
 * our own ({@code PACKET_OUTGOING}), and carrying the configured EtherType either directly or
 * behind one 802.1Q / 802.1ad tag. With VLAN offload the kernel has already moved the tag out of
 * the frame when the filter runs, so offset 12 holds the inner EtherType; the tagged branch
 * covers paths where the tag stays in line.
 *
 * <p>Each instruction is a {@code struct sock_filter} {code u16, jt u8, jf u8, k u32} packed into a
 * long in little-endian byte order, which is how it lies in memory.
 */
final class SocketFilter {
    private SocketFilter() {}

    static final int ETHERTYPE_8021Q = 0x8100, ETHERTYPE_8021AD = 0x88A8;
    /** How many bytes an accepted frame keeps: more than any frame, so all of it. */
    static final int ACCEPT_BYTES = 0x40000;

    private static final int LD_W_ABS = 0x20, LD_H_ABS = 0x28, JEQ_K = 0x15, RET_K = 0x06;
    /** SKF_AD_OFF + SKF_AD_PKTTYPE: the ancillary load of skb->pkt_type. */
    private static final int AD_PKTTYPE = -0x1000 + 4;

    static long[] forEtherType(int etherType) {
        if (etherType < 0x600 || etherType > 0xFFFF)
            throw new IllegalArgumentException("EtherType must be 0x0600..0xFFFF (an Ethernet II type): 0x" + Integer.toHexString(etherType));
        // Jump offsets count instructions after the next one: target = pc + 1 + offset.
        return new long[] {
            /* 0 */ insn(LD_W_ABS, 0, 0, AD_PKTTYPE),
            /* 1 */ insn(JEQ_K, 7, 0, PacketSocket.PACKET_OTHERHOST),   // -> 9 drop
            /* 2 */ insn(JEQ_K, 6, 0, PacketSocket.PACKET_OUTGOING),    // -> 9 drop
            /* 3 */ insn(LD_H_ABS, 0, 0, 12),
            /* 4 */ insn(JEQ_K, 5, 0, etherType),                        // -> 10 accept
            /* 5 */ insn(JEQ_K, 1, 0, ETHERTYPE_8021Q),                  // -> 7 inner type
            /* 6 */ insn(JEQ_K, 0, 2, ETHERTYPE_8021AD),                 // -> 7, else 9 drop
            /* 7 */ insn(LD_H_ABS, 0, 0, 16),
            /* 8 */ insn(JEQ_K, 1, 0, etherType),                        // -> 10 accept, else 9
            /* 9 */ insn(RET_K, 0, 0, 0),
            /* 10 */ insn(RET_K, 0, 0, ACCEPT_BYTES),
        };
    }

    static long insn(int code, int jt, int jf, int k) {
        return (code & 0xFFFFL) | (jt & 0xFFL) << 16 | (jf & 0xFFL) << 24 | (k & 0xFFFF_FFFFL) << 32;
    }

    static int code(long insn) { return (int) (insn & 0xFFFF); }
    static int jt(long insn) { return (int) (insn >>> 16 & 0xFF); }
    static int jf(long insn) { return (int) (insn >>> 24 & 0xFF); }
    static int k(long insn) { return (int) (insn >>> 32); }
}
