package dev.vpcie.devices.nic.offload;

/** The outcome of a receive checksum check, as descriptors report it (checked-bit and error-bit). */
public enum ChecksumCheck {
    /** Not checked: not that protocol, a fragment, or a UDP datagram sent without a checksum. */
    NOT_CHECKED,
    GOOD,
    BAD
}
