package dev.vpcie.protocol.transport;

import java.io.IOException;

/**
 * A Linux system call failed. The message names the call and the errno symbol, for example
 * {@code socket(AF_PACKET, SOCK_RAW): EPERM (Operation not permitted)}, optionally after a hint
 * that says what to do about it.
 */
public final class ErrnoException extends IOException {
    private final String call;
    private final int errno;

    public ErrnoException(String call, int errno) {
        this(null, call, errno);
    }

    /** {@code hint}, when not null, opens the message: what the failure most likely means. */
    public ErrnoException(String hint, String call, int errno) {
        super((hint == null ? "" : hint + ": ") + call + ": " + Errno.name(errno) + " (" + Errno.description(errno) + ")");
        this.call = call;
        this.errno = errno;
    }

    /** The call as named in the message, e.g. {@code bind(AF_PACKET)}. */
    public String call() { return call; }

    public int errno() { return errno; }

    /** The errno symbol, e.g. {@code EPERM}, or {@code errno N} for one not in the table. */
    public String errnoName() { return Errno.name(errno); }
}
