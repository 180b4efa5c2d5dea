package dev.vpcie.vrc;

/** The result of one read: how it ended and the value (all-ones in the access width unless it succeeded). */
public record Access(Outcome outcome, long value) {

    public boolean ok() { return outcome.ok(); }

    /** The value of a successful read; otherwise throws {@link AccessFailedException} saying {@code what} failed and how. */
    public long orThrow(String what) {
        if (!outcome.ok()) throw new AccessFailedException(what, outcome);
        return value;
    }
}
