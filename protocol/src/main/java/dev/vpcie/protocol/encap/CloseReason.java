package dev.vpcie.protocol.encap;

/** Why a CLOSE frame ends a session: the Code field of a CLOSE. */
public enum CloseReason {
    /** The sender closed the link on purpose (process shutting down, link closed by its owner). */
    CLOSED(1),
    /** The sender has no session matching the frame it received (it restarted, or timed the session out). */
    RESET(2),
    /** The sender will not accept a session from this peer (no acceptor, too many links, or refused by its owner). */
    REFUSED(3);

    private final int code;

    CloseReason(int code) { this.code = code; }

    public int code() { return code; }

    /** The reason with this code, or null when the code is not assigned. */
    public static CloseReason of(int code) {
        for (CloseReason r : values()) if (r.code == code) return r;
        return null;
    }
}
