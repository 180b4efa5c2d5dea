package dev.vpcie.protocol.tlp;

/**
 * First/Last DW Byte Enables (PCIe base spec 2.2.5): bit i enables byte i of the DW, byte 0
 * being the lowest address.
 */
public final class ByteEnables {
    private ByteEnables() {}

    /** Enables that run from some byte up to byte 3 (1111b, 1110b, 1100b, 1000b): a contiguous First DW BE. */
    public static boolean contiguousToTop(int be) {
        return be != 0 && ((be | be - 1) & 0xF) == 0xF;
    }

    /** Enables that run from byte 0 up to some byte (0001b, 0011b, 0111b, 1111b): a contiguous Last DW BE. */
    public static boolean contiguousFromBottom(int be) {
        return be != 0 && (be & be + 1) == 0;
    }
}
