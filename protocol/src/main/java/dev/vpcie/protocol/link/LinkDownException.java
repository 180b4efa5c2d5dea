package dev.vpcie.protocol.link;

/** The link is down, so a TLP could not be queued. Unchecked: callers treat it like a completion timeout. */
public class LinkDownException extends RuntimeException {
    public LinkDownException(String message) { super(message); }
}
