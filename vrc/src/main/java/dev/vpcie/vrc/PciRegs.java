package dev.vpcie.vrc;

/**
 * Configuration-space offsets and bits the root complex programs (PCI Local Bus 3.0 chapter 6,
 * PCIe base spec chapter 7).
 */
final class PciRegs {
    private PciRegs() {}

    static final int VENDOR_ID = 0x00, DEVICE_ID = 0x02, COMMAND = 0x04, STATUS = 0x06, REVISION_ID = 0x08,
            CLASS_CODE = 0x09, CACHE_LINE_SIZE = 0x0C, LATENCY_TIMER = 0x0D, HEADER_TYPE = 0x0E, BAR0 = 0x10,
            SUBSYSTEM_VENDOR_ID = 0x2C, SUBSYSTEM_ID = 0x2E, EXPANSION_ROM = 0x30, CAPABILITIES_POINTER = 0x34,
            INTERRUPT_LINE = 0x3C, INTERRUPT_PIN = 0x3D;

    static final int COMMAND_IO_SPACE = 1, COMMAND_MEMORY_SPACE = 1 << 1, COMMAND_BUS_MASTER = 1 << 2,
            COMMAND_INTX_DISABLE = 1 << 10;
    static final int STATUS_CAPABILITIES_LIST = 1 << 4;
    static final int HEADER_TYPE_MULTI_FUNCTION = 0x80, HEADER_TYPE_MASK = 0x7F;

    static final int BAR_IO_SPACE = 1, BAR_MEM_TYPE_MASK = 0x6, BAR_MEM_TYPE_64 = 0x4, BAR_PREFETCHABLE = 0x8;

    static final int EXTENDED_CAPABILITIES = 0x100;

    /** Capability IDs (PCI Code and ID Assignment specification). */
    static final int CAP_PM = 0x01, CAP_MSI = 0x05, CAP_PCIE = 0x10, CAP_MSIX = 0x11;
    static final int EXT_CAP_AER = 0x0001, EXT_CAP_DSN = 0x0003;

    /** MSI: Message Control at +2, Message Address at +4, upper address at +8 (64-bit), data at +8 or +0xC. */
    static final int MSI_CONTROL = 2, MSI_ADDRESS = 4, MSI_CONTROL_ENABLE = 1, MSI_CONTROL_64BIT = 1 << 7,
            MSI_CONTROL_PER_VECTOR_MASK = 1 << 8;

    /** MSI-X: Message Control at +2 (table size - 1 in 10:0), Table Offset/BIR at +4, PBA at +8. */
    static final int MSIX_CONTROL = 2, MSIX_TABLE = 4, MSIX_CONTROL_ENABLE = 1 << 15, MSIX_CONTROL_FUNCTION_MASK = 1 << 14;
    static final int MSIX_ENTRY_SIZE = 16, MSIX_VECTOR_CONTROL_MASKED = 1;

    /** PCI Express capability: Device Capabilities at +4, Device Control at +8. */
    static final int PCIE_DEVICE_CAPABILITIES = 4, PCIE_DEVICE_CONTROL = 8;
    static final int DEVCTL_MPS_SHIFT = 5, DEVCTL_MRRS_SHIFT = 12;

    /** The 128 << code encoding of MPS and MRRS fields. */
    static int sizeCode(int bytes) { return Integer.numberOfTrailingZeros(bytes) - 7; }
}
