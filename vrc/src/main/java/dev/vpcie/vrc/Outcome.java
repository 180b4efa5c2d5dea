package dev.vpcie.vrc;

/** How a non-posted request ended, as the root complex's caller sees it. */
public enum Outcome {
    SUCCESS,
    /** Completion status UR. */
    UNSUPPORTED_REQUEST,
    /** Completion status CA. */
    COMPLETER_ABORT,
    /** Completion status CRS: the function is not ready yet (configuration requests only). */
    CONFIG_RETRY,
    /** No completion within the completion timeout. */
    TIMEOUT,
    /** The link was down when the request was sent, or went down before it completed. */
    LINK_DOWN;

    public boolean ok() { return this == SUCCESS; }
}
