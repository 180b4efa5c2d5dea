package dev.vpcie.vrc.mpqemu;

/** A message QEMU should never send: counted and dropped (its descriptors closed). */
public final class MalformedMessageException extends Exception {

    public enum Reason {
        /** The command number is not one of {@link Command}'s. */
        UNKNOWN_COMMAND,
        /** The payload size is not the command's. */
        PAYLOAD_SIZE,
        /** Too few or too many descriptors came with it. */
        DESCRIPTORS,
        /** A field is out of range: an access length, a region, an address. */
        FIELD
    }

    private final Reason reason;
    /** The command as far as it was recognised, or null. */
    private final Command command;

    public MalformedMessageException(Reason reason, Command command, String message) {
        super(message);
        this.reason = reason;
        this.command = command;
    }

    public Reason reason() { return reason; }

    public Command command() { return command; }
}
