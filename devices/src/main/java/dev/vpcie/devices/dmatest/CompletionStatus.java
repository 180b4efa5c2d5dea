package dev.vpcie.devices.dmatest;

import dev.vpcie.devices.spi.DmaException;

/** How a command ended: the ERROR register's code field and the completion record's status byte. */
public enum CompletionStatus {
    OK(0),
    /** A DMA read was answered with Unsupported Request (outside the host's DMA windows). */
    UNSUPPORTED_REQUEST(1),
    /** A DMA read was answered with Completer Abort. */
    COMPLETER_ABORT(2),
    /** A DMA read got no completion in time. */
    COMPLETION_TIMEOUT(3),
    /** Bus Master Enable was clear. */
    BUS_MASTER_DISABLED(4),
    /** The link to the host went down. */
    LINK_DOWN(5),
    /** Undefined opcode. */
    BAD_OPCODE(6),
    /** LENGTH was 0 or above MAX_LENGTH. */
    BAD_LENGTH(7),
    /** The device-memory range (BAR2 offset + LENGTH) exceeds DEVMEM_SIZE. */
    BAD_DEVICE_RANGE(8),
    /** IRQ flag set with a vector at or beyond the function's vector count. */
    BAD_VECTOR(9);

    public final int code;

    CompletionStatus(int code) { this.code = code; }

    static CompletionStatus of(DmaException.Reason reason) {
        return switch (reason) {
            case UNSUPPORTED_REQUEST -> UNSUPPORTED_REQUEST;
            case COMPLETER_ABORT -> COMPLETER_ABORT;
            case COMPLETION_TIMEOUT -> COMPLETION_TIMEOUT;
            case BUS_MASTER_DISABLED -> BUS_MASTER_DISABLED;
            case LINK_DOWN -> LINK_DOWN;
        };
    }

    public static CompletionStatus fromCode(int code) {
        for (CompletionStatus s : values()) if (s.code == code) return s;
        throw new IllegalArgumentException("completion status " + code);
    }
}
