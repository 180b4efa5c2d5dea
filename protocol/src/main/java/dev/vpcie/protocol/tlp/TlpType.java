package dev.vpcie.protocol.tlp;

/**
 * The TLP kinds vpcie models, keyed by the header's Fmt[2:0] and Type[4:0] fields (PCIe base
 * spec table 2-3). For messages {@link #type} is the base {@code 10rrr} with r = 000; the routing
 * subfield is ORed in from {@link MessageRouting}.
 */
public enum TlpType {
    MRD_32(0b000, 0b00000, "MRd32", "Memory Read, 3DW, no data"),
    MRD_64(0b001, 0b00000, "MRd64", "Memory Read, 4DW, no data"),
    MWR_32(0b010, 0b00000, "MWr32", "Memory Write, 3DW, with data"),
    MWR_64(0b011, 0b00000, "MWr64", "Memory Write, 4DW, with data"),
    IORD(0b000, 0b00010, "IORd", "I/O Read, 3DW, no data"),
    IOWR(0b010, 0b00010, "IOWr", "I/O Write, 3DW, with data"),
    CFGRD0(0b000, 0b00100, "CfgRd0", "Configuration Read Type 0, 3DW, no data"),
    CFGWR0(0b010, 0b00100, "CfgWr0", "Configuration Write Type 0, 3DW, with data"),
    CFGRD1(0b000, 0b00101, "CfgRd1", "Configuration Read Type 1, 3DW, no data"),
    CFGWR1(0b010, 0b00101, "CfgWr1", "Configuration Write Type 1, 3DW, with data"),
    CPL(0b000, 0b01010, "Cpl", "Completion, 3DW, no data"),
    CPLD(0b010, 0b01010, "CplD", "Completion with Data, 3DW"),
    MSG(0b001, 0b10000, "Msg", "Message, 4DW, no data"),
    MSGD(0b011, 0b10000, "MsgD", "Message with Data, 4DW");

    /** Fmt[2:0]: bit 0 = 4DW header, bit 1 = with data. */
    public final int fmt;
    /** Type[4:0]; for messages the routing bits r[2:0] are zero here. */
    public final int type;
    /** Short name as logs and analysers print it, e.g. {@code MRd32}. */
    public final String mnemonic;
    /** One-line description for humans. */
    public final String description;

    TlpType(int fmt, int type, String mnemonic, String description) {
        this.fmt = fmt;
        this.type = type;
        this.mnemonic = mnemonic;
        this.description = description;
    }

    /** Header size in bytes: 16 for a 4DW header, 12 for 3DW. */
    public int headerBytes() { return (fmt & 1) != 0 ? 16 : 12; }

    public boolean hasData() { return (fmt & 2) != 0; }

    /** The kind of a record as the encoder sends it. */
    public static TlpType of(Tlp tlp) {
        return switch (tlp) {
            case MemRead r -> r.longAddress() ? MRD_64 : MRD_32;
            case MemWrite w -> w.longAddress() ? MWR_64 : MWR_32;
            case IoRead r -> IORD;
            case IoWrite w -> IOWR;
            case CfgRead r -> r.type() == ConfigType.TYPE0 ? CFGRD0 : CFGRD1;
            case CfgWrite w -> w.type() == ConfigType.TYPE0 ? CFGWR0 : CFGWR1;
            case Completion c -> c.hasData() ? CPLD : CPL;
            case Message m -> m.hasData() ? MSGD : MSG;
        };
    }

    /**
     * The kind for a header's Fmt and Type, or a typed rejection: reserved Fmt codes, Fmt/Type
     * pairs the spec leaves reserved, and kinds the spec defines but vpcie does not model
     * (locked requests and completions, AtomicOps, TLP prefixes, deprecated TCfgRd/TCfgWr and
     * the Deferrable Memory Write that reuses their code).
     */
    public static TlpType decode(int fmt, int type) throws MalformedTlpException {
        if (fmt >= 0b101)
            throw new MalformedTlpException(MalformedTlpException.Reason.RESERVED_FMT,
                    "Fmt " + bits3(fmt) + " is reserved");
        if (fmt == 0b100)
            throw new MalformedTlpException(MalformedTlpException.Reason.UNSUPPORTED_TYPE,
                    "Fmt 0b100 is a TLP Prefix, which vpcie does not carry");
        if ((type & 0b11000) == 0b10000) return (fmt & 1) != 0 ? ((fmt & 2) != 0 ? MSGD : MSG) : reserved(fmt, type);
        return switch (type) {
            case 0b00000 -> switch (fmt) { case 0b000 -> MRD_32; case 0b001 -> MRD_64; case 0b010 -> MWR_32; default -> MWR_64; };
            case 0b00010 -> fmt == 0b000 ? IORD : fmt == 0b010 ? IOWR : reserved(fmt, type);
            case 0b00100 -> fmt == 0b000 ? CFGRD0 : fmt == 0b010 ? CFGWR0 : reserved(fmt, type);
            case 0b00101 -> fmt == 0b000 ? CFGRD1 : fmt == 0b010 ? CFGWR1 : reserved(fmt, type);
            case 0b01010 -> fmt == 0b000 ? CPL : fmt == 0b010 ? CPLD : reserved(fmt, type);
            case 0b00001 -> (fmt & 2) == 0 ? unsupported("MRdLk (locked Memory Read)") : reserved(fmt, type);
            case 0b01011 -> fmt == 0b000 || fmt == 0b010 ? unsupported("CplLk/CplDLk (locked Completion)") : reserved(fmt, type);
            case 0b01100 -> (fmt & 2) != 0 ? unsupported("FetchAdd AtomicOp") : reserved(fmt, type);
            case 0b01101 -> (fmt & 2) != 0 ? unsupported("Swap AtomicOp") : reserved(fmt, type);
            case 0b01110 -> (fmt & 2) != 0 ? unsupported("CAS AtomicOp") : reserved(fmt, type);
            case 0b11011 -> fmt != 0b001 ? unsupported("TCfgRd/TCfgWr (deprecated) or Deferrable Memory Write") : reserved(fmt, type);
            default -> reserved(fmt, type);
        };
    }

    private static TlpType reserved(int fmt, int type) throws MalformedTlpException {
        throw new MalformedTlpException(MalformedTlpException.Reason.RESERVED_TYPE,
                "Fmt " + bits3(fmt) + " with Type " + bits5(type) + " is reserved");
    }

    private static TlpType unsupported(String what) throws MalformedTlpException {
        throw new MalformedTlpException(MalformedTlpException.Reason.UNSUPPORTED_TYPE, what + " is not supported by vpcie");
    }

    static String bits3(int v) { return "0b" + Integer.toBinaryString(8 | v).substring(1); }

    static String bits5(int v) { return "0b" + Integer.toBinaryString(32 | v).substring(1); }
}
