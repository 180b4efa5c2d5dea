package dev.vpcie.devices.dmatest;

/**
 * A queued command: the staging registers as they were when the DOORBELL was written.
 *
 * @param doorbell  the DOORBELL value (opcode, IRQ flag, vector, tag)
 * @param source    SRC_HI:SRC_LO
 * @param dest      DST_HI:DST_LO
 * @param length    LENGTH, unsigned
 * @param pattern   PATTERN
 */
record Command(int doorbell, long source, long dest, long length, int pattern) {

    int opcodeCode() { return doorbell & DmaTestRegisters.DOORBELL_OPCODE_MASK; }

    boolean irq() { return (doorbell & DmaTestRegisters.DOORBELL_IRQ) != 0; }

    int vector() { return doorbell >>> DmaTestRegisters.DOORBELL_VECTOR_SHIFT & 0xFF; }

    int tag() { return doorbell >>> DmaTestRegisters.DOORBELL_TAG_SHIFT; }
}
