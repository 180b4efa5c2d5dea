package dev.vpcie.devices.config;

/**
 * The few configuration-space numbers this package needs (PCI Local Bus 3.0 chapter 6, PCIe base
 * spec 7.5). Package-private on purpose: the shared constants live in the protocol module.
 */
final class Pci {
    private Pci() {}

    static final int VENDOR_ID = 0x00;
    static final int DEVICE_ID = 0x02;
    static final int COMMAND = 0x04;
    static final int STATUS = 0x06;
    static final int REVISION_ID = 0x08;
    static final int CLASS_CODE = 0x09;
    static final int CACHE_LINE_SIZE = 0x0C;
    static final int HEADER_TYPE = 0x0E;
    static final int BAR0 = 0x10;
    static final int SUBSYSTEM_VENDOR_ID = 0x2C;
    static final int SUBSYSTEM_ID = 0x2E;
    static final int CAPABILITIES_POINTER = 0x34;
    static final int INTERRUPT_LINE = 0x3C;
    static final int INTERRUPT_PIN = 0x3D;

    static final int FIRST_CAPABILITY = 0x40;
    static final int FIRST_EXTENDED_CAPABILITY = 0x100;

    static final int COMMAND_IO_SPACE = 1 << 0;
    static final int COMMAND_MEMORY_SPACE = 1 << 1;
    static final int COMMAND_BUS_MASTER = 1 << 2;
    static final int COMMAND_PARITY_ERROR_RESPONSE = 1 << 6;
    static final int COMMAND_SERR_ENABLE = 1 << 8;
    static final int COMMAND_INTERRUPT_DISABLE = 1 << 10;

    static final int STATUS_INTERRUPT = 1 << 3;
    static final int STATUS_CAPABILITIES_LIST = 1 << 4;
    static final int STATUS_MASTER_DATA_PARITY_ERROR = 1 << 8;
    static final int STATUS_SIGNALED_TARGET_ABORT = 1 << 11;
    static final int STATUS_RECEIVED_TARGET_ABORT = 1 << 12;
    static final int STATUS_RECEIVED_MASTER_ABORT = 1 << 13;
    static final int STATUS_SIGNALED_SYSTEM_ERROR = 1 << 14;
    static final int STATUS_DETECTED_PARITY_ERROR = 1 << 15;
}
