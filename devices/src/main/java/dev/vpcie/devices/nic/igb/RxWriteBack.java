package dev.vpcie.devices.nic.igb;

/**
 * Receive descriptor write-back formats of the 82576 and their bits. SRRCTL.DESCTYPE picks the
 * format per queue.
 *
 * <pre>
 * Legacy (DESCTYPE 000), bytes 8-15 written back:
 *  63            48 47     40 39     32 31             16 15              0
 * +----------------+---------+---------+-----------------+-----------------+
 * |  VLAN tag      | errors  | status  | packet checksum |     length      |
 * +----------------+---------+---------+-----------------+-----------------+
 *
 * Advanced (DESCTYPE 001 one buffer, 010 / 101 header split), all 16 bytes written back:
 *  dword 0: pkt_info 15:0 (RSS type 3:0, packet type 12:4) | hdr_info 31:16 (HDR_LEN 30:21, SPH 31)
 *  dword 1: RSS hash (RXCSUM.PCSD = 1), or IP identification 15:0 | packet checksum 31:16
 *  dword 2: extended status 19:0 | extended errors 31:20
 *  dword 3: length 15:0 | VLAN tag 31:16
 * </pre>
 * Only the last descriptor of a frame (EOP) carries the packet's metadata; the others get DD and
 * their length.
 */
final class RxWriteBack {
    private RxWriteBack() {}

    static final int DESCTYPE_LEGACY = 0;
    static final int DESCTYPE_ONE_BUFFER = 1;
    static final int DESCTYPE_HEADER_SPLIT = 2;
    static final int DESCTYPE_HEADER_SPLIT_ALWAYS = 5;

    // status (legacy byte 12; advanced dword 2 bits 7:0 and up)
    static final int STAT_DD = 0x01;
    static final int STAT_EOP = 0x02;
    /** Ignore checksum indication (legacy format, when RXCSUM checks nothing). */
    static final int STAT_IXSM = 0x04;
    static final int STAT_VP = 0x08;
    static final int STAT_UDPCS = 0x10;
    static final int STAT_TCPCS = 0x20;
    static final int STAT_IPCS = 0x40;
    /** Advanced: the IP identification in dword 1 is valid (IPv4, RXCSUM.PCSD clear). */
    static final int STAT_IPIDV = 0x200;
    // errors (legacy byte 13; advanced dword 2 bits 31:24)
    static final int ERR_TCPE = 0x20;
    static final int ERR_IPE = 0x40;
    /** Advanced dword 2: the header did not fit the header buffer. */
    static final int STATERR_HBO = 0x0080_0000;

    // pkt_info: packet type
    static final int PKT_IPV4 = 0x10;
    static final int PKT_IPV4_EX = 0x20;
    static final int PKT_IPV6 = 0x40;
    static final int PKT_IPV6_EX = 0x80;
    static final int PKT_TCP = 0x100;
    static final int PKT_UDP = 0x200;
    static final int PKT_SCTP = 0x400;

    // hdr_info
    static final int HDR_LEN_SHIFT = 5;
    static final int HDR_LEN_MASK = 0x3FF;
    static final int HDR_SPH = 0x8000;

    static void putLe16(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >>> 8);
    }

    static void putLe32(byte[] b, int at, int v) {
        putLe16(b, at, v);
        putLe16(b, at + 2, v >>> 16);
    }
}
