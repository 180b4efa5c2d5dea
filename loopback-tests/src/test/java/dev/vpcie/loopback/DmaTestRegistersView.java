package dev.vpcie.loopback;

/**
 * The few dmatest register values the end-to-end tests check, copied from the device's datasheet
 * (DmaTestDevice's documentation) rather than imported from the model, so a test compares what a
 * driver expects with what the model does.
 */
final class DmaTestRegistersView {
    private DmaTestRegistersView() {}

    /** ID register: the bytes 'D' 'M' 'T' '1'. */
    static final long ID_VALUE = 0x31544D44L;
    /** INT_STATUS bit 0: a command with the IRQ flag completed. */
    static final int INT_DONE = 1;
}
