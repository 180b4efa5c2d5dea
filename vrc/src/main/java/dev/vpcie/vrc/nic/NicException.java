package dev.vpcie.vrc.nic;

/**
 * A NIC could not be brought up or refused to work as its driver expects: a bad EEPROM checksum,
 * an invalid MAC address, a PHY that does not answer, a semaphore that is never granted. The
 * message names the register or step that failed.
 */
public class NicException extends RuntimeException {
    public NicException(String message) { super(message); }

    public NicException(String message, Throwable cause) { super(message, cause); }
}
