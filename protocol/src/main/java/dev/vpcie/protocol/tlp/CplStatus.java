package dev.vpcie.protocol.tlp;

/** Completion Status field (PCIe base spec table 2-34). */
public enum CplStatus {
    /** Successful Completion. */
    SC(0b000),
    /** Unsupported Request. */
    UR(0b001),
    /** Configuration Request Retry Status. */
    CRS(0b010),
    /** Completer Abort. */
    CA(0b100);

    public final int code;

    CplStatus(int code) { this.code = code; }

    /** The status for a 3-bit code, or null for a reserved code. */
    public static CplStatus fromCode(int code) {
        return switch (code) {
            case 0b000 -> SC;
            case 0b001 -> UR;
            case 0b010 -> CRS;
            case 0b100 -> CA;
            default -> null;
        };
    }
}
