package dev.vpcie.vrc.drivers;

/**
 * The dmatest device's register map as its driver knows it (datasheet: the devices module's
 * DmaTestDevice doc comment). Kept apart from the model on purpose, like Linux's e1000_hw.h
 * and a device model: end-to-end tests then check the driver against the model.
 */
final class DmaTestRegisters {
    private DmaTestRegisters() {}

    static final int VENDOR_ID = 0x1AF4, DEVICE_ID = 0x10F0;
    static final int REGS_BAR = 0, MEMORY_BAR = 2;

    static final int ID = 0x000, VERSION = 0x004, QUEUE_DEPTH = 0x008, DEVMEM_SIZE = 0x00C, MAX_LENGTH = 0x010,
            STATUS = 0x014, QUEUE_FREE = 0x018, COMPLETED = 0x01C, FAILED = 0x020, ERROR = 0x024, RESULT = 0x028,
            INT_STATUS = 0x030, INT_ENABLE = 0x034, SRC = 0x040, DST = 0x048, LENGTH = 0x050, PATTERN = 0x054,
            DOORBELL = 0x058, CPL_RING = 0x060, CPL_RING_SIZE = 0x068, CONTROL = 0x070;

    /** The ID register's value: the bytes 'D' 'M' 'T' '1'. */
    static final int ID_VALUE = 0x31544D44;

    static final int INT_DONE = 1, INT_ERROR = 1 << 1, INT_OVERFLOW = 1 << 2;
    static final int CONTROL_RESET = 1;
    static final int DOORBELL_IRQ = 1 << 7, DOORBELL_VECTOR_SHIFT = 8, DOORBELL_TAG_SHIFT = 16;

    /** Completion ring record: 16 bytes. */
    static final int RECORD_SIZE = 16, RECORD_TAG = 0, RECORD_STATUS = 2, RECORD_OPCODE = 3, RECORD_RESULT = 4,
            RECORD_SEQUENCE = 8, RECORD_BYTES = 12;
}
