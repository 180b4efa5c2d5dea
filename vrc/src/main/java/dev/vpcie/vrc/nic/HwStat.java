package dev.vpcie.vrc.nic;

/**
 * The statistics registers both chips have at the same offsets (82540EM datasheet 13.7, 82576
 * datasheet 8.19), read every watchdog period as the Linux drivers do. They clear on read, so
 * the driver accumulates them. For 64-bit counters the low half is read first; reading the high
 * half clears both.
 */
public enum HwStat {
    CRCERRS(0x4000, "CRC errors"),
    RXERRC(0x400C, "RX errors"),
    MPC(0x4010, "missed packets (no RX buffer, FIFO full)"),
    COLC(0x4028, "collisions"),
    RLEC(0x4040, "RX length errors"),
    XONRXC(0x4048, "XON received"),
    XONTXC(0x404C, "XON transmitted"),
    XOFFRXC(0x4050, "XOFF received"),
    XOFFTXC(0x4054, "XOFF transmitted (the NIC's packet buffer filled: the link partner was held)"),
    GPRC(0x4074, "good packets received"),
    BPRC(0x4078, "broadcast packets received"),
    MPRC(0x407C, "multicast packets received"),
    GPTC(0x4080, "good packets transmitted"),
    GORC(0x4088, true, "good octets received"),
    GOTC(0x4090, true, "good octets transmitted"),
    RNBC(0x40A0, "receive no buffers"),
    RUC(0x40A4, "receive undersize"),
    ROC(0x40AC, "receive oversize"),
    TOR(0x40C0, true, "total octets received"),
    TOT(0x40C8, true, "total octets transmitted"),
    TPR(0x40D0, "total packets received"),
    TPT(0x40D4, "total packets transmitted"),
    MPTC(0x40F0, "multicast packets transmitted"),
    BPTC(0x40F4, "broadcast packets transmitted"),
    TSCTC(0x40F8, "TCP segmentation contexts transmitted");

    public final int offset;
    public final boolean wide;
    public final String description;

    HwStat(int offset, String description) { this(offset, false, description); }

    HwStat(int offset, boolean wide, String description) {
        this.offset = offset;
        this.wide = wide;
        this.description = description;
    }

    /** Reads the register (both halves of a 64-bit one). */
    public long read(Mmio mmio) {
        long low = mmio.readStatistic(offset) & 0xFFFF_FFFFL;
        return wide ? low | (mmio.readStatistic(offset + 4) & 0xFFFF_FFFFL) << 32 : low;
    }
}
