package dev.vpcie.protocol.tlp;

/** The r[2:0] routing subfield of a message's Type field (PCIe base spec table 2-17). */
public enum MessageRouting {
    TO_ROOT_COMPLEX(0b000),
    BY_ADDRESS(0b001),
    BY_ID(0b010),
    BROADCAST_FROM_ROOT_COMPLEX(0b011),
    LOCAL(0b100),
    GATHERED_TO_ROOT_COMPLEX(0b101);

    public final int code;

    MessageRouting(int code) { this.code = code; }

    /** The routing for a 3-bit code, or null for a reserved code (0b110, 0b111). */
    public static MessageRouting fromCode(int code) {
        for (MessageRouting r : values()) if (r.code == code) return r;
        return null;
    }
}
