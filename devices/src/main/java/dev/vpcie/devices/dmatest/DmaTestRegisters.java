package dev.vpcie.devices.dmatest;

/**
 * BAR0 register offsets and field values of the DMA test device; the map with its meaning is in
 * {@link DmaTestDevice}'s documentation. Drivers keep their own copy of these numbers.
 */
public final class DmaTestRegisters {
    private DmaTestRegisters() {}

    /** Size of the register BAR. */
    public static final int REGS_SIZE = 0x1000;

    public static final int ID = 0x000;
    public static final int VERSION = 0x004;
    public static final int QUEUE_DEPTH = 0x008;
    public static final int DEVMEM_SIZE = 0x00C;
    public static final int MAX_LENGTH = 0x010;
    public static final int STATUS = 0x014;
    public static final int QUEUE_FREE = 0x018;
    public static final int COMPLETED = 0x01C;
    public static final int FAILED = 0x020;
    public static final int ERROR = 0x024;
    public static final int RESULT = 0x028;
    public static final int INT_STATUS = 0x030;
    public static final int INT_ENABLE = 0x034;
    public static final int SRC_LO = 0x040;
    public static final int SRC_HI = 0x044;
    public static final int DST_LO = 0x048;
    public static final int DST_HI = 0x04C;
    public static final int LENGTH = 0x050;
    public static final int PATTERN = 0x054;
    public static final int DOORBELL = 0x058;
    public static final int CPL_RING_LO = 0x060;
    public static final int CPL_RING_HI = 0x064;
    public static final int CPL_RING_SIZE = 0x068;
    public static final int CONTROL = 0x070;

    /** ID register value: the bytes 'D' 'M' 'T' '1' in address order. */
    public static final int ID_VALUE = 0x31544D44;
    /** VERSION register value: register map 1.0 (major in bits 31:16). */
    public static final int VERSION_VALUE = 0x0001_0000;
    /** Commands the queue holds. */
    public static final int QUEUE_DEPTH_VALUE = 64;
    /** Largest LENGTH a command may carry: 1 GiB. */
    public static final int MAX_LENGTH_VALUE = 1 << 30;
    /** Largest completion ring, in entries. */
    public static final int CPL_RING_MAX = 4096;
    /** Bytes per completion record. */
    public static final int CPL_RECORD_SIZE = 16;

    /** STATUS: a command is queued or running. */
    public static final int STATUS_BUSY = 1 << 0;
    /** STATUS: the queue is full; another doorbell would overflow. */
    public static final int STATUS_QUEUE_FULL = 1 << 1;

    /** INT_STATUS / INT_ENABLE: a command with the IRQ flag completed successfully. */
    public static final int INT_DONE = 1 << 0;
    /** INT_STATUS / INT_ENABLE: a command failed. */
    public static final int INT_ERROR = 1 << 1;
    /** INT_STATUS / INT_ENABLE: a doorbell found the queue full; the command was dropped. */
    public static final int INT_OVERFLOW = 1 << 2;
    public static final int INT_ALL = INT_DONE | INT_ERROR | INT_OVERFLOW;

    /** DOORBELL: opcode in bits 3:0. */
    public static final int DOORBELL_OPCODE_MASK = 0xF;
    /** DOORBELL: raise the vector when this command completes. */
    public static final int DOORBELL_IRQ = 1 << 7;
    /** DOORBELL: vector in bits 15:8. */
    public static final int DOORBELL_VECTOR_SHIFT = 8;
    /** DOORBELL: driver's tag in bits 31:16, echoed in ERROR and the completion record. */
    public static final int DOORBELL_TAG_SHIFT = 16;

    /** CONTROL: writing 1 aborts all commands and restores the BAR0 registers (self-clearing). */
    public static final int CONTROL_RESET = 1 << 0;

    /** Builds a DOORBELL value. */
    public static int doorbell(Opcode opcode, boolean irq, int vector, int tag) {
        return opcode.code | (irq ? DOORBELL_IRQ : 0) | (vector & 0xFF) << DOORBELL_VECTOR_SHIFT | (tag & 0xFFFF) << DOORBELL_TAG_SHIFT;
    }
}
