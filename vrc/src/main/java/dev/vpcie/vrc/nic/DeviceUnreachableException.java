package dev.vpcie.vrc.nic;

/**
 * A register read did not complete: the link to the endpoint is down, the request timed out, or
 * the function answered UR/CA. Real hardware would read all-ones; a driver must not take that
 * value for register contents.
 */
public final class DeviceUnreachableException extends NicException {
    public DeviceUnreachableException(String message) { super(message); }
}
