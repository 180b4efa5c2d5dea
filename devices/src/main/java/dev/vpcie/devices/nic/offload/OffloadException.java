package dev.vpcie.devices.nic.offload;

/** A transmit packet whose offload request cannot be carried out; the device drops and counts it. */
public final class OffloadException extends Exception {

    /** What is wrong with the request. */
    public enum Reason {
        /** A checksum start, field or end lies outside the packet, or the field outside the summed range. */
        CHECKSUM_OUT_OF_RANGE,
        /** The TSO header is longer than the packet, or too short for the IP and transport headers it must hold. */
        BAD_HEADER_LENGTH,
        /** MSS of 0. */
        BAD_MSS
    }

    private final Reason reason;

    public OffloadException(Reason reason, String detail) {
        super(reason + ": " + detail);
        this.reason = reason;
    }

    public Reason reason() { return reason; }
}
