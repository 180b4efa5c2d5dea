package dev.vpcie.vrc;

/** An access whose value the caller cannot do without ended with an outcome other than success. */
public class AccessFailedException extends RuntimeException {
    private final Outcome outcome;

    public AccessFailedException(String what, Outcome outcome) {
        super(what + " failed: " + outcome);
        this.outcome = outcome;
    }

    public Outcome outcome() { return outcome; }
}
