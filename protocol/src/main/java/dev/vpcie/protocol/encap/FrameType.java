package dev.vpcie.protocol.encap;

/** The kinds of vpcie link frame, by their code in the header's Type byte. */
public enum FrameType {
    /** Opens a session: carries the sender's fresh epoch and initial sequence number. */
    HELLO(1),
    /** Accepts a HELLO: carries the accepter's epoch and initial sequence number, and echoes the opener's epoch. */
    HELLO_ACK(2),
    /** One or more TLPs with consecutive sequence numbers, the first one's in Seq. */
    DATA(3),
    /** Cumulative acknowledgement and window, when no DATA frame is going the other way to carry them. */
    ACK(4),
    /** Asks for the TLPs from Ack up to (not including) Seq again: the receiver saw a gap. */
    NAK(5),
    /** Proves the sender is alive when it has had nothing else to send for the keepalive interval. */
    KEEPALIVE(6),
    /** Ends a session; Code says why ({@link CloseReason}). */
    CLOSE(7),
    /** Broadcast in a group: who is here? Seq carries a nonce. */
    DISCOVER(8),
    /** Answer to a DISCOVER: Ack echoes its nonce, the payload is the announcer's self-description. */
    ANNOUNCE(9);

    private static final FrameType[] BY_CODE = new FrameType[16];

    static {
        for (FrameType t : values()) BY_CODE[t.code] = t;
    }

    private final int code;

    FrameType(int code) { this.code = code; }

    public int code() { return code; }

    /** The type with this code, or null when the code is not assigned. */
    public static FrameType of(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }

    /** Frames that belong to an established session and must carry both epochs. */
    public boolean inSession() {
        return switch (this) {
            case HELLO_ACK, DATA, ACK, NAK, KEEPALIVE -> true;
            case HELLO, CLOSE, DISCOVER, ANNOUNCE -> false;
        };
    }
}
