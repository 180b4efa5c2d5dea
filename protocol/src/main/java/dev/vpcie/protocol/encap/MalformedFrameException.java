package dev.vpcie.protocol.encap;

/**
 * A frame with vpcie's EtherType whose link header or payload breaks the wire format. The link
 * counts it and drops it; it never takes a session down.
 */
public final class MalformedFrameException extends Exception {

    /** One reason per verify rule of {@link FrameCodec#readHeader}. */
    public enum Reason {
        /** Shorter than the Ethernet header, the 802.1Q tag, or the link header. */
        TRUNCATED,
        /** The Version byte is not one this code speaks. */
        UNSUPPORTED_VERSION,
        /** The Type byte is not an assigned frame type. */
        UNKNOWN_TYPE,
        /** Payload Length runs past the end of the frame, or a frame type that has no payload has one. */
        BAD_LENGTH,
        /** An epoch that must be set is zero, or one that must be zero is set. */
        BAD_EPOCH,
        /** Code is not zero on a frame type that has no code, or a CLOSE reason is not assigned. */
        BAD_CODE,
        /** The destination host-instance is the broadcast instance on a frame that is not DISCOVER, or vice versa. */
        BAD_INSTANCE,
        /** A NAK whose range (Ack up to Seq) is empty or longer than any window. */
        BAD_NAK_RANGE,
        /** A DATA frame without TLPs, or a TLP record whose length is outside what a TLP can be or runs past the payload. */
        BAD_TLP_RECORD
    }

    private final Reason reason;

    public MalformedFrameException(Reason reason, String detail) {
        super(reason + ": " + detail, null, false, false);
        this.reason = reason;
    }

    public Reason reason() { return reason; }
}
