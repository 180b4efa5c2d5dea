package dev.vpcie.devices.nic;

/**
 * The statistics registers of the 8254x, which the 82576 keeps at the same offsets (0x4000..0x40FC)
 * and extends up to 0x413C (interrupt assertions, host counters).
 * Each is clear-on-read. 64-bit octet counters are a LOW/HIGH pair: reading the high half returns it
 * and clears both halves (read the low half first), as QEMU and the drivers' read order assume.
 */
public enum Statistic {
    CRCERRS(0x4000), ALGNERRC(0x4004), SYMERRS(0x4008), RXERRC(0x400C),
    /** Missed packets: no room in the receive packet buffer. */
    MPC(0x4010),
    SCC(0x4014), ECOL(0x4018), MCC(0x401C), LATECOL(0x4020), COLC(0x4028), DC(0x4030), TNCRS(0x4034),
    SEC(0x4038), CEXTERR(0x403C), RLEC(0x4040), XONRXC(0x4048), XONTXC(0x404C), XOFFRXC(0x4050),
    XOFFTXC(0x4054), FCRUC(0x4058),
    /** Good packets received by size, FCS included: 64, 65-127, 128-255, 256-511, 512-1023, 1024 and up. */
    PRC64(0x405C), PRC127(0x4060), PRC255(0x4064), PRC511(0x4068), PRC1023(0x406C), PRC1522(0x4070),
    /** Good packets received (passed the filters, delivered). */
    GPRC(0x4074),
    BPRC(0x4078), MPRC(0x407C),
    /** Good packets transmitted. */
    GPTC(0x4080),
    GORCL(0x4088, Kind.LOW), GORCH(0x408C, Kind.HIGH), GOTCL(0x4090, Kind.LOW), GOTCH(0x4094, Kind.HIGH),
    /** Receive no buffers: a frame arrived while the ring had no free descriptor (it may still wait in the packet buffer). */
    RNBC(0x40A0),
    /** Undersize / fragment / oversize / jabber frames received. */
    RUC(0x40A4), RFC(0x40A8), ROC(0x40AC), RJC(0x40B0),
    MGTPRC(0x40B4), MGTPDC(0x40B8), MGTPTC(0x40BC),
    TORL(0x40C0, Kind.LOW), TORH(0x40C4, Kind.HIGH), TOTL(0x40C8, Kind.LOW), TOTH(0x40CC, Kind.HIGH),
    /** Total packets received, whatever happened to them afterwards. */
    TPR(0x40D0),
    TPT(0x40D4),
    PTC64(0x40D8), PTC127(0x40DC), PTC255(0x40E0), PTC511(0x40E4), PTC1023(0x40E8), PTC1522(0x40EC),
    MPTC(0x40F0), BPTC(0x40F4),
    /** TCP segmentation contexts transmitted / failed. */
    TSCTC(0x40F8), TSCTFC(0x40FC),
    // ---- 82576 only (0x4100..0x413C); the 8254x has no registers here.
    /** Interrupt assertions: INTx assertions and MSI / MSI-X messages the device sent. */
    IAC(0x4100),
    /** Packets delivered to the host (no manageability here, so every good received packet). */
    RPTHC(0x4104),
    /** Good packets the host transmitted. */
    HGPTC(0x4118),
    /** Host transmit packets dropped by the circuit breaker (never, here). */
    HTCBDPC(0x4124),
    /** Good octets received by / transmitted from the host (64-bit pairs). */
    HGORCL(0x4128, Kind.LOW), HGORCH(0x412C, Kind.HIGH), HGOTCL(0x4130, Kind.LOW), HGOTCH(0x4134, Kind.HIGH),
    /** Frames whose length field disagreed with their size. */
    LENERRS(0x4138);

    /** How a register reads. */
    public enum Kind {
        /** A 32-bit counter that sticks at its maximum. */
        COUNT,
        /** Low half of a 64-bit counter: reading it clears nothing. */
        LOW,
        /** High half: reading it clears the whole 64-bit counter. */
        HIGH
    }

    /** First statistics register. */
    public static final int FIRST = 0x4000;
    /** The byte after the last statistics register common to both chips. */
    public static final int END = 0x4100;
    /** The byte after the 82576's last statistics register in this block. */
    public static final int END_82576 = 0x4140;

    private final int offset;
    private final Kind kind;

    Statistic(int offset) { this(offset, Kind.COUNT); }

    Statistic(int offset, Kind kind) {
        this.offset = offset;
        this.kind = kind;
    }

    public int offset() { return offset; }

    public Kind kind() { return kind; }
}
