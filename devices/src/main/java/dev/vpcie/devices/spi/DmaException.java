package dev.vpcie.devices.spi;

/**
 * A DMA request the host could not carry out. Always thrown, never turned into silent zeros: a
 * device model must decide what the failure means to it (an error status, a stopped queue).
 */
public final class DmaException extends Exception {

    /** Why a DMA failed. */
    public enum Reason {
        /** The completer answered Unsupported Request (e.g. the address is outside the host's DMA windows). */
        UNSUPPORTED_REQUEST,
        /** The completer answered Completer Abort. */
        COMPLETER_ABORT,
        /** No (complete) completion arrived within the completion timeout. */
        COMPLETION_TIMEOUT,
        /** Bus Master Enable is clear in the Command register: the function may not initiate requests. */
        BUS_MASTER_DISABLED,
        /** The link to the host is down or was reset while the request was outstanding. */
        LINK_DOWN
    }

    private final Reason reason;
    private final long address;
    private final long length;

    public DmaException(Reason reason, long address, long length, String detail) {
        super(reason + " for DMA of " + length + " bytes at 0x" + Long.toHexString(address)
                + (detail == null || detail.isEmpty() ? "" : ": " + detail));
        this.reason = reason;
        this.address = address;
        this.length = length;
    }

    public Reason reason() { return reason; }

    /** Host address of the (first) request that failed. */
    public long address() { return address; }

    /** Length of the request that failed, in bytes. */
    public long length() { return length; }
}
