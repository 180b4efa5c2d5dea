package dev.vpcie.protocol.nettlp;

/** A datagram on a NetTLP port that is not a NetTLP datagram; it is counted and dropped. */
public final class MalformedDatagramException extends Exception {

    public enum Reason {
        /** Shorter than the 6-byte NetTLP header plus a TLP's first DW. */
        TRUNCATED,
        /** The bytes after the header are not one TLP (the codec's reason is in the message). */
        BAD_TLP
    }

    private final Reason reason;

    public MalformedDatagramException(Reason reason, String detail) {
        super(reason + ": " + detail, null, false, false);
        this.reason = reason;
    }

    public Reason reason() { return reason; }
}
