package dev.vpcie.devices.dmatest;

/** DOORBELL opcodes (bits 3:0). */
public enum Opcode {
    /** Completes at once; measures the command path. */
    NOP(0),
    /** Host SRC to host DST, LENGTH bytes. */
    COPY(1),
    /** PATTERN repeated (byte i = PATTERN byte i mod 4) to host DST, LENGTH bytes. */
    FILL(2),
    /** CRC-32 (IEEE 802.3, as java.util.zip.CRC32 and zlib) of host SRC, LENGTH bytes, into RESULT. */
    CHECKSUM(3),
    /** Host SRC to device memory (BAR2) at offset DST. */
    READ_TO_DEVICE(4),
    /** Device memory (BAR2) at offset SRC to host DST. */
    WRITE_FROM_DEVICE(5);

    public final int code;

    Opcode(int code) { this.code = code; }

    /** The opcode for {@code code}, or null for an undefined one. */
    public static Opcode fromCode(int code) {
        for (Opcode o : values()) if (o.code == code) return o;
        return null;
    }
}
