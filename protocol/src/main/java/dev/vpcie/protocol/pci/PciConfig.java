package dev.vpcie.protocol.pci;

/**
 * PCI configuration space layout: the type 0 (endpoint) and type 1 (bridge) headers, Command
 * and Status bits, BAR encoding, Header Type, and the registers of the capabilities vpcie's
 * functions carry. Offsets are bytes from the start of the function's configuration space
 * (capability registers: from the start of the capability). Names follow the PCI Local Bus
 * and PCIe base specifications.
 */
public final class PciConfig {
    private PciConfig() {}

    /** Size of a PCIe function's configuration space; the first 256 bytes are PCI-compatible. */
    public static final int CONFIG_SPACE_SIZE = 4096, LEGACY_CONFIG_SPACE_SIZE = 256;
    /** First offset after the predefined header: where standard capabilities may live. */
    public static final int HEADER_SIZE = 0x40;
    /** Where the extended capability list starts. */
    public static final int EXTENDED_CAPABILITIES = 0x100;

    // --- common to type 0 and type 1 headers
    public static final int VENDOR_ID = 0x00, DEVICE_ID = 0x02, COMMAND = 0x04, STATUS = 0x06, REVISION_ID = 0x08;
    /** Class Code: Programming Interface at 0x09, Sub-Class 0x0A, Base Class 0x0B. */
    public static final int CLASS_PROG_IF = 0x09, CLASS_SUB = 0x0A, CLASS_BASE = 0x0B;
    public static final int CACHE_LINE_SIZE = 0x0C, LATENCY_TIMER = 0x0D, HEADER_TYPE = 0x0E, BIST = 0x0F;
    public static final int CAPABILITIES_POINTER = 0x34, INTERRUPT_LINE = 0x3C, INTERRUPT_PIN = 0x3D;

    // --- type 0 header
    public static final int BAR0 = 0x10, BAR1 = 0x14, BAR2 = 0x18, BAR3 = 0x1C, BAR4 = 0x20, BAR5 = 0x24;
    public static final int CARDBUS_CIS_POINTER = 0x28, SUBSYSTEM_VENDOR_ID = 0x2C, SUBSYSTEM_ID = 0x2E;
    public static final int EXPANSION_ROM_BASE = 0x30, MIN_GNT = 0x3E, MAX_LAT = 0x3F;

    /** Offset of BAR {@code n} (0..5) in a type 0 header. */
    public static int bar(int n) {
        if (n < 0 || n > 5) throw new IllegalArgumentException("BAR index is 0..5: " + n);
        return BAR0 + 4 * n;
    }

    // --- type 1 header (PCI-to-PCI bridge, PCIe switch ports and root ports)
    public static final int PRIMARY_BUS = 0x18, SECONDARY_BUS = 0x19, SUBORDINATE_BUS = 0x1A, SECONDARY_LATENCY_TIMER = 0x1B;
    public static final int IO_BASE = 0x1C, IO_LIMIT = 0x1D, SECONDARY_STATUS = 0x1E;
    public static final int MEMORY_BASE = 0x20, MEMORY_LIMIT = 0x22;
    public static final int PREFETCHABLE_MEMORY_BASE = 0x24, PREFETCHABLE_MEMORY_LIMIT = 0x26;
    public static final int PREFETCHABLE_BASE_UPPER_32 = 0x28, PREFETCHABLE_LIMIT_UPPER_32 = 0x2C;
    public static final int IO_BASE_UPPER_16 = 0x30, IO_LIMIT_UPPER_16 = 0x32;
    public static final int BRIDGE_EXPANSION_ROM_BASE = 0x38, BRIDGE_CONTROL = 0x3E;
    /** Type 2 (CardBus) headers keep their capability pointer here. */
    public static final int CARDBUS_CAPABILITIES_POINTER = 0x14;

    /** Header Type register (0x0E). */
    public static final class HeaderType {
        private HeaderType() {}
        public static final int LAYOUT_MASK = 0x7F, MULTI_FUNCTION = 0x80;
        public static final int TYPE0 = 0x00, TYPE1 = 0x01, CARDBUS = 0x02;
    }

    /** Command register (0x04). */
    public static final class Command {
        private Command() {}
        public static final int IO_SPACE_ENABLE = 1, MEMORY_SPACE_ENABLE = 1 << 1, BUS_MASTER_ENABLE = 1 << 2;
        public static final int SPECIAL_CYCLE_ENABLE = 1 << 3, MEMORY_WRITE_INVALIDATE = 1 << 4, VGA_PALETTE_SNOOP = 1 << 5;
        public static final int PARITY_ERROR_RESPONSE = 1 << 6, SERR_ENABLE = 1 << 8, FAST_BACK_TO_BACK_ENABLE = 1 << 9;
        public static final int INTERRUPT_DISABLE = 1 << 10;
    }

    /** Status register (0x06). RW1C bits are the error bits 8 and 11..15. */
    public static final class Status {
        private Status() {}
        public static final int IMMEDIATE_READINESS = 1, INTERRUPT_STATUS = 1 << 3, CAPABILITIES_LIST = 1 << 4;
        public static final int MHZ_66_CAPABLE = 1 << 5, FAST_BACK_TO_BACK_CAPABLE = 1 << 7, MASTER_DATA_PARITY_ERROR = 1 << 8;
        public static final int DEVSEL_TIMING_MASK = 3 << 9, SIGNALED_TARGET_ABORT = 1 << 11, RECEIVED_TARGET_ABORT = 1 << 12;
        public static final int RECEIVED_MASTER_ABORT = 1 << 13, SIGNALED_SYSTEM_ERROR = 1 << 14, DETECTED_PARITY_ERROR = 1 << 15;
        /** The bits software clears by writing 1. */
        public static final int RW1C_MASK = MASTER_DATA_PARITY_ERROR | SIGNALED_TARGET_ABORT | RECEIVED_TARGET_ABORT
                | RECEIVED_MASTER_ABORT | SIGNALED_SYSTEM_ERROR | DETECTED_PARITY_ERROR;
    }

    /** Base Address Register encoding. */
    public static final class Bar {
        private Bar() {}
        /** Bit 0: 1 = I/O space BAR. */
        public static final int IO_SPACE = 1;
        /** Memory BAR bits 2:1: 00 = 32-bit, 10 = 64-bit (this BAR and the next form one). */
        public static final int MEMORY_TYPE_MASK = 0x6, MEMORY_TYPE_32 = 0x0, MEMORY_TYPE_64 = 0x4;
        public static final int PREFETCHABLE = 0x8;
        public static final int MEMORY_ADDRESS_MASK = ~0xF, IO_ADDRESS_MASK = ~0x3;
        /** Expansion ROM Base Address bit 0. */
        public static final int ROM_ENABLE = 1, ROM_ADDRESS_MASK = ~0x7FF;

        public static boolean isIo(int bar) { return (bar & IO_SPACE) != 0; }

        public static boolean is64Bit(int bar) { return !isIo(bar) && (bar & MEMORY_TYPE_MASK) == MEMORY_TYPE_64; }

        /**
         * The size a BAR decodes, from the value read back after writing all ones to it
         * (and, for a 64-bit BAR, to its upper half {@code upperReadBack}). 0 if unimplemented.
         */
        public static long size(int readBack, int upperReadBack) {
            if (isIo(readBack)) {
                int mask = readBack & IO_ADDRESS_MASK & 0xFFFF;
                return mask == 0 ? 0 : (~mask & 0xFFFF) + 1;
            }
            long mask = readBack & MEMORY_ADDRESS_MASK & 0xFFFFFFFFL;
            if (is64Bit(readBack)) mask |= (long) upperReadBack << 32;
            else mask |= 0xFFFFFFFF_00000000L;
            return mask == 0 || mask == 0xFFFFFFFF_00000000L ? 0 : -mask;
        }
    }

    /** Capability IDs of the standard list (PCI Code and ID Assignment spec). */
    public static final class CapId {
        private CapId() {}
        public static final int POWER_MANAGEMENT = 0x01, AGP = 0x02, VPD = 0x03, SLOT_ID = 0x04, MSI = 0x05;
        public static final int COMPACTPCI_HOT_SWAP = 0x06, PCI_X = 0x07, HYPERTRANSPORT = 0x08, VENDOR_SPECIFIC = 0x09;
        public static final int DEBUG_PORT = 0x0A, COMPACTPCI_RESOURCE_CONTROL = 0x0B, PCI_HOT_PLUG = 0x0C;
        public static final int BRIDGE_SUBSYSTEM_VENDOR_ID = 0x0D, AGP_8X = 0x0E, SECURE_DEVICE = 0x0F, PCI_EXPRESS = 0x10;
        public static final int MSI_X = 0x11, SATA = 0x12, ADVANCED_FEATURES = 0x13, ENHANCED_ALLOCATION = 0x14;
        public static final int FLATTENING_PORTAL_BRIDGE = 0x15;

        /** A readable name, or "Unknown 0x.." for IDs this table does not list. */
        public static String name(int id) {
            return switch (id) {
                case POWER_MANAGEMENT -> "Power Management";
                case AGP -> "AGP";
                case VPD -> "Vital Product Data";
                case SLOT_ID -> "Slot Identification";
                case MSI -> "MSI";
                case COMPACTPCI_HOT_SWAP -> "CompactPCI Hot Swap";
                case PCI_X -> "PCI-X";
                case HYPERTRANSPORT -> "HyperTransport";
                case VENDOR_SPECIFIC -> "Vendor Specific";
                case DEBUG_PORT -> "Debug Port";
                case COMPACTPCI_RESOURCE_CONTROL -> "CompactPCI Central Resource Control";
                case PCI_HOT_PLUG -> "PCI Hot-Plug";
                case BRIDGE_SUBSYSTEM_VENDOR_ID -> "Bridge Subsystem Vendor ID";
                case AGP_8X -> "AGP 8x";
                case SECURE_DEVICE -> "Secure Device";
                case PCI_EXPRESS -> "PCI Express";
                case MSI_X -> "MSI-X";
                case SATA -> "SATA Data/Index Configuration";
                case ADVANCED_FEATURES -> "Advanced Features";
                case ENHANCED_ALLOCATION -> "Enhanced Allocation";
                case FLATTENING_PORTAL_BRIDGE -> "Flattening Portal Bridge";
                default -> String.format("Unknown 0x%02x", id);
            };
        }
    }

    /** Extended Capability IDs (from offset 0x100). */
    public static final class ExtCapId {
        private ExtCapId() {}
        public static final int ADVANCED_ERROR_REPORTING = 0x0001, VIRTUAL_CHANNEL = 0x0002, DEVICE_SERIAL_NUMBER = 0x0003;
        public static final int POWER_BUDGETING = 0x0004, ROOT_COMPLEX_LINK_DECLARATION = 0x0005;
        public static final int ROOT_COMPLEX_INTERNAL_LINK_CONTROL = 0x0006, ROOT_COMPLEX_EVENT_COLLECTOR = 0x0007;
        public static final int MULTI_FUNCTION_VIRTUAL_CHANNEL = 0x0008, VIRTUAL_CHANNEL_MFVC = 0x0009, RCRB_HEADER = 0x000A;
        public static final int VENDOR_SPECIFIC = 0x000B, CONFIGURATION_ACCESS_CORRELATION = 0x000C, ACCESS_CONTROL_SERVICES = 0x000D;
        public static final int ALTERNATIVE_ROUTING_ID = 0x000E, ADDRESS_TRANSLATION_SERVICES = 0x000F, SR_IOV = 0x0010;
        public static final int MR_IOV = 0x0011, MULTICAST = 0x0012, PAGE_REQUEST = 0x0013, RESIZABLE_BAR = 0x0015;
        public static final int DYNAMIC_POWER_ALLOCATION = 0x0016, TPH_REQUESTER = 0x0017, LATENCY_TOLERANCE_REPORTING = 0x0018;
        public static final int SECONDARY_PCI_EXPRESS = 0x0019, PROTOCOL_MULTIPLEXING = 0x001A, PASID = 0x001B;
        public static final int LN_REQUESTER = 0x001C, DOWNSTREAM_PORT_CONTAINMENT = 0x001D, L1_PM_SUBSTATES = 0x001E;
        public static final int PRECISION_TIME_MEASUREMENT = 0x001F, DESIGNATED_VENDOR_SPECIFIC = 0x0023;
        public static final int DATA_LINK_FEATURE = 0x0025, PHYSICAL_LAYER_16GT = 0x0026;

        public static String name(int id) {
            return switch (id) {
                case ADVANCED_ERROR_REPORTING -> "Advanced Error Reporting";
                case VIRTUAL_CHANNEL, VIRTUAL_CHANNEL_MFVC -> "Virtual Channel";
                case DEVICE_SERIAL_NUMBER -> "Device Serial Number";
                case POWER_BUDGETING -> "Power Budgeting";
                case ROOT_COMPLEX_LINK_DECLARATION -> "Root Complex Link Declaration";
                case ROOT_COMPLEX_INTERNAL_LINK_CONTROL -> "Root Complex Internal Link Control";
                case ROOT_COMPLEX_EVENT_COLLECTOR -> "Root Complex Event Collector Endpoint Association";
                case MULTI_FUNCTION_VIRTUAL_CHANNEL -> "Multi-Function Virtual Channel";
                case RCRB_HEADER -> "RCRB Header";
                case VENDOR_SPECIFIC -> "Vendor-Specific Extended";
                case CONFIGURATION_ACCESS_CORRELATION -> "Configuration Access Correlation";
                case ACCESS_CONTROL_SERVICES -> "Access Control Services";
                case ALTERNATIVE_ROUTING_ID -> "Alternative Routing-ID Interpretation";
                case ADDRESS_TRANSLATION_SERVICES -> "Address Translation Services";
                case SR_IOV -> "Single Root I/O Virtualization";
                case MR_IOV -> "Multi-Root I/O Virtualization";
                case MULTICAST -> "Multicast";
                case PAGE_REQUEST -> "Page Request";
                case RESIZABLE_BAR -> "Resizable BAR";
                case DYNAMIC_POWER_ALLOCATION -> "Dynamic Power Allocation";
                case TPH_REQUESTER -> "TPH Requester";
                case LATENCY_TOLERANCE_REPORTING -> "Latency Tolerance Reporting";
                case SECONDARY_PCI_EXPRESS -> "Secondary PCI Express";
                case PROTOCOL_MULTIPLEXING -> "Protocol Multiplexing";
                case PASID -> "Process Address Space ID";
                case LN_REQUESTER -> "LN Requester";
                case DOWNSTREAM_PORT_CONTAINMENT -> "Downstream Port Containment";
                case L1_PM_SUBSTATES -> "L1 PM Substates";
                case PRECISION_TIME_MEASUREMENT -> "Precision Time Measurement";
                case DESIGNATED_VENDOR_SPECIFIC -> "Designated Vendor-Specific";
                case DATA_LINK_FEATURE -> "Data Link Feature";
                case PHYSICAL_LAYER_16GT -> "Physical Layer 16.0 GT/s";
                default -> String.format("Unknown 0x%04x", id);
            };
        }
    }

    /** PCI Express Capability (ID 0x10) registers, offsets from the capability. */
    public static final class Pcie {
        private Pcie() {}
        public static final int CAPABILITIES = 0x02, DEVICE_CAPABILITIES = 0x04, DEVICE_CONTROL = 0x08, DEVICE_STATUS = 0x0A;
        public static final int LINK_CAPABILITIES = 0x0C, LINK_CONTROL = 0x10, LINK_STATUS = 0x12;
        public static final int SLOT_CAPABILITIES = 0x14, SLOT_CONTROL = 0x18, SLOT_STATUS = 0x1A;
        public static final int ROOT_CONTROL = 0x1C, ROOT_CAPABILITIES = 0x1E, ROOT_STATUS = 0x20;
        public static final int DEVICE_CAPABILITIES_2 = 0x24, DEVICE_CONTROL_2 = 0x28, DEVICE_STATUS_2 = 0x2A;
        public static final int LINK_CAPABILITIES_2 = 0x2C, LINK_CONTROL_2 = 0x30, LINK_STATUS_2 = 0x32;
        /** Size of a version 2 PCI Express Capability structure. */
        public static final int SIZE = 0x3C;

        // PCI Express Capabilities register
        public static final int CAP_VERSION_MASK = 0x000F, CAP_PORT_TYPE_MASK = 0x00F0, CAP_PORT_TYPE_SHIFT = 4;
        public static final int CAP_SLOT_IMPLEMENTED = 1 << 8, CAP_INTERRUPT_MESSAGE_NUMBER_MASK = 0x3E00;
        /** Device/Port Type values (bits 7:4). */
        public static final int TYPE_ENDPOINT = 0x0, TYPE_LEGACY_ENDPOINT = 0x1, TYPE_ROOT_PORT = 0x4, TYPE_UPSTREAM_SWITCH_PORT = 0x5;
        public static final int TYPE_DOWNSTREAM_SWITCH_PORT = 0x6, TYPE_PCIE_TO_PCI_BRIDGE = 0x7, TYPE_PCI_TO_PCIE_BRIDGE = 0x8;
        public static final int TYPE_RC_INTEGRATED_ENDPOINT = 0x9, TYPE_RC_EVENT_COLLECTOR = 0xA;

        // Device Capabilities
        public static final int DEVCAP_MAX_PAYLOAD_MASK = 0x7, DEVCAP_PHANTOM_FUNCTIONS_MASK = 0x18, DEVCAP_EXTENDED_TAG = 1 << 5;
        public static final int DEVCAP_ROLE_BASED_ERROR_REPORTING = 1 << 15, DEVCAP_FUNCTION_LEVEL_RESET = 1 << 28;

        // Device Control
        public static final int DEVCTL_CORRECTABLE_ERROR_REPORTING = 1, DEVCTL_NON_FATAL_ERROR_REPORTING = 1 << 1;
        public static final int DEVCTL_FATAL_ERROR_REPORTING = 1 << 2, DEVCTL_UNSUPPORTED_REQUEST_REPORTING = 1 << 3;
        public static final int DEVCTL_RELAXED_ORDERING = 1 << 4, DEVCTL_MAX_PAYLOAD_MASK = 0x7 << 5, DEVCTL_MAX_PAYLOAD_SHIFT = 5;
        public static final int DEVCTL_EXTENDED_TAG = 1 << 8, DEVCTL_PHANTOM_FUNCTIONS = 1 << 9, DEVCTL_AUX_POWER_PM = 1 << 10;
        public static final int DEVCTL_NO_SNOOP = 1 << 11, DEVCTL_MAX_READ_REQUEST_MASK = 0x7 << 12, DEVCTL_MAX_READ_REQUEST_SHIFT = 12;
        /** Bit 15: Initiate Function Level Reset (endpoints), Bridge Configuration Retry Enable (PCIe-to-PCI bridges). */
        public static final int DEVCTL_INITIATE_FLR = 1 << 15;

        // Device Status (RW1C error bits 3:0)
        public static final int DEVSTA_CORRECTABLE_ERROR = 1, DEVSTA_NON_FATAL_ERROR = 1 << 1, DEVSTA_FATAL_ERROR = 1 << 2;
        public static final int DEVSTA_UNSUPPORTED_REQUEST = 1 << 3, DEVSTA_AUX_POWER = 1 << 4, DEVSTA_TRANSACTIONS_PENDING = 1 << 5;

        // Link Capabilities
        public static final int LNKCAP_MAX_SPEED_MASK = 0xF, LNKCAP_MAX_WIDTH_MASK = 0x3F << 4, LNKCAP_MAX_WIDTH_SHIFT = 4;
        public static final int LNKCAP_ASPM_MASK = 0x3 << 10, LNKCAP_DLL_ACTIVE_REPORTING = 1 << 20;
        public static final int LNKCAP_PORT_NUMBER_SHIFT = 24;

        // Link Control
        public static final int LNKCTL_ASPM_MASK = 0x3, LNKCTL_READ_COMPLETION_BOUNDARY_128 = 1 << 3, LNKCTL_LINK_DISABLE = 1 << 4;
        public static final int LNKCTL_RETRAIN_LINK = 1 << 5, LNKCTL_COMMON_CLOCK = 1 << 6, LNKCTL_EXTENDED_SYNCH = 1 << 7;

        // Link Status
        public static final int LNKSTA_CURRENT_SPEED_MASK = 0xF, LNKSTA_WIDTH_MASK = 0x3F << 4, LNKSTA_WIDTH_SHIFT = 4;
        public static final int LNKSTA_LINK_TRAINING = 1 << 11, LNKSTA_SLOT_CLOCK = 1 << 12, LNKSTA_DLL_LINK_ACTIVE = 1 << 13;
        public static final int LNKSTA_BANDWIDTH_MANAGEMENT = 1 << 14, LNKSTA_AUTONOMOUS_BANDWIDTH = 1 << 15;

        // Device Capabilities 2 / Device Control 2
        public static final int DEVCAP2_COMPLETION_TIMEOUT_RANGES_MASK = 0xF, DEVCAP2_COMPLETION_TIMEOUT_DISABLE = 1 << 4;
        public static final int DEVCAP2_10BIT_TAG_COMPLETER = 1 << 16, DEVCAP2_10BIT_TAG_REQUESTER = 1 << 17;
        public static final int DEVCTL2_COMPLETION_TIMEOUT_MASK = 0xF, DEVCTL2_COMPLETION_TIMEOUT_DISABLE = 1 << 4;
        public static final int DEVCTL2_ARI_FORWARDING = 1 << 5, DEVCTL2_IDO_REQUEST = 1 << 8, DEVCTL2_IDO_COMPLETION = 1 << 9;
        public static final int DEVCTL2_10BIT_TAG_REQUESTER = 1 << 12;

        /** Bytes for a 3-bit Max_Payload_Size / Max_Read_Request_Size encoding: 0 = 128 .. 5 = 4096. */
        public static int sizeBytes(int encoding) {
            if (encoding < 0 || encoding > 5) throw new IllegalArgumentException("payload size encoding is 0..5: " + encoding);
            return 128 << encoding;
        }

        /** The 3-bit encoding of a Max_Payload_Size / Max_Read_Request_Size of {@code bytes} (128..4096, a power of two). */
        public static int sizeEncoding(int bytes) {
            if (bytes < 128 || bytes > 4096 || Integer.bitCount(bytes) != 1)
                throw new IllegalArgumentException("payload size must be a power of two in 128..4096: " + bytes);
            return Integer.numberOfTrailingZeros(bytes) - 7;
        }

        /** Max_Payload_Size in bytes from a Device Control value (reserved encodings 6 and 7 read as 4096). */
        public static int maxPayloadSize(int deviceControl) {
            return sizeBytes(Math.min(5, (deviceControl & DEVCTL_MAX_PAYLOAD_MASK) >>> DEVCTL_MAX_PAYLOAD_SHIFT));
        }

        /** Max_Read_Request_Size in bytes from a Device Control value (reserved encodings read as 4096). */
        public static int maxReadRequestSize(int deviceControl) {
            return sizeBytes(Math.min(5, (deviceControl & DEVCTL_MAX_READ_REQUEST_MASK) >>> DEVCTL_MAX_READ_REQUEST_SHIFT));
        }

        /** Max_Payload_Size Supported in bytes from a Device Capabilities value. */
        public static int maxPayloadSupported(int deviceCapabilities) {
            return sizeBytes(Math.min(5, deviceCapabilities & DEVCAP_MAX_PAYLOAD_MASK));
        }

        /** Device Control with Max_Payload_Size and Max_Read_Request_Size replaced. */
        public static int withSizes(int deviceControl, int maxPayloadBytes, int maxReadRequestBytes) {
            return deviceControl & ~(DEVCTL_MAX_PAYLOAD_MASK | DEVCTL_MAX_READ_REQUEST_MASK)
                    | sizeEncoding(maxPayloadBytes) << DEVCTL_MAX_PAYLOAD_SHIFT
                    | sizeEncoding(maxReadRequestBytes) << DEVCTL_MAX_READ_REQUEST_SHIFT;
        }

        /** Link speed for the Link Capabilities Max Link Speed / Link Status Current Link Speed code (1 = 2.5 GT/s ..). */
        public static String linkSpeed(int code) {
            return switch (code) {
                case 1 -> "2.5 GT/s";
                case 2 -> "5.0 GT/s";
                case 3 -> "8.0 GT/s";
                case 4 -> "16.0 GT/s";
                case 5 -> "32.0 GT/s";
                case 6 -> "64.0 GT/s";
                default -> "unknown speed " + code;
            };
        }

        /** Link width (x1, x2, ..) from a Link Capabilities or Link Status value. */
        public static int maxLinkWidth(int linkCapabilities) { return (linkCapabilities & LNKCAP_MAX_WIDTH_MASK) >>> LNKCAP_MAX_WIDTH_SHIFT; }

        public static int negotiatedLinkWidth(int linkStatus) { return (linkStatus & LNKSTA_WIDTH_MASK) >>> LNKSTA_WIDTH_SHIFT; }
    }

    /** MSI Capability (ID 0x05), offsets from the capability. Data and mask move when the 64-bit bit is set. */
    public static final class Msi {
        private Msi() {}
        public static final int MESSAGE_CONTROL = 0x02, MESSAGE_ADDRESS = 0x04, MESSAGE_UPPER_ADDRESS = 0x08;
        public static final int MESSAGE_DATA_32 = 0x08, MESSAGE_DATA_64 = 0x0C, MASK_BITS_32 = 0x0C, MASK_BITS_64 = 0x10;
        public static final int PENDING_BITS_32 = 0x10, PENDING_BITS_64 = 0x14;
        public static final int CONTROL_ENABLE = 1, CONTROL_MULTIPLE_MESSAGE_CAPABLE_MASK = 0x7 << 1;
        public static final int CONTROL_MULTIPLE_MESSAGE_ENABLE_MASK = 0x7 << 4, CONTROL_MULTIPLE_MESSAGE_ENABLE_SHIFT = 4;
        public static final int CONTROL_64BIT = 1 << 7, CONTROL_PER_VECTOR_MASKING = 1 << 8;
    }

    /** MSI-X Capability (ID 0x11), offsets from the capability, and the table entry layout. */
    public static final class MsiX {
        private MsiX() {}
        public static final int MESSAGE_CONTROL = 0x02, TABLE_OFFSET_BIR = 0x04, PBA_OFFSET_BIR = 0x08;
        public static final int CONTROL_TABLE_SIZE_MASK = 0x7FF, CONTROL_FUNCTION_MASK = 1 << 14, CONTROL_ENABLE = 1 << 15;
        public static final int BIR_MASK = 0x7, OFFSET_MASK = ~0x7;
        public static final int ENTRY_SIZE = 16, ENTRY_ADDRESS = 0x0, ENTRY_UPPER_ADDRESS = 0x4, ENTRY_DATA = 0x8;
        public static final int ENTRY_VECTOR_CONTROL = 0xC, VECTOR_CONTROL_MASKED = 1;
    }

    /** Power Management Capability (ID 0x01). */
    public static final class PowerManagement {
        private PowerManagement() {}
        public static final int CAPABILITIES = 0x02, CONTROL_STATUS = 0x04;
        public static final int CONTROL_POWER_STATE_MASK = 0x3, CONTROL_NO_SOFT_RESET = 1 << 3;
        public static final int CONTROL_PME_ENABLE = 1 << 8, CONTROL_PME_STATUS = 1 << 15;
        public static final int D0 = 0, D1 = 1, D2 = 2, D3_HOT = 3;
    }

    /** Advanced Error Reporting extended capability, offsets from the capability. */
    public static final class Aer {
        private Aer() {}
        public static final int UNCORRECTABLE_STATUS = 0x04, UNCORRECTABLE_MASK = 0x08, UNCORRECTABLE_SEVERITY = 0x0C;
        public static final int CORRECTABLE_STATUS = 0x10, CORRECTABLE_MASK = 0x14, CAPABILITIES_CONTROL = 0x18;
        /** Header Log: the first four DWs of the TLP in error, as Linux prints "TLP Header: ...". */
        public static final int HEADER_LOG = 0x1C;
        public static final int UNC_DATA_LINK_PROTOCOL = 1 << 4, UNC_SURPRISE_DOWN = 1 << 5, UNC_POISONED_TLP = 1 << 12;
        public static final int UNC_FLOW_CONTROL_PROTOCOL = 1 << 13, UNC_COMPLETION_TIMEOUT = 1 << 14, UNC_COMPLETER_ABORT = 1 << 15;
        public static final int UNC_UNEXPECTED_COMPLETION = 1 << 16, UNC_RECEIVER_OVERFLOW = 1 << 17, UNC_MALFORMED_TLP = 1 << 18;
        public static final int UNC_ECRC_ERROR = 1 << 19, UNC_UNSUPPORTED_REQUEST = 1 << 20, UNC_ACS_VIOLATION = 1 << 21;
        public static final int COR_RECEIVER_ERROR = 1, COR_BAD_TLP = 1 << 6, COR_BAD_DLLP = 1 << 7, COR_REPLAY_NUM_ROLLOVER = 1 << 8;
        public static final int COR_REPLAY_TIMER_TIMEOUT = 1 << 12, COR_ADVISORY_NON_FATAL = 1 << 13;
    }

    /** Device Serial Number extended capability. */
    public static final class Dsn {
        private Dsn() {}
        public static final int SERIAL_LOWER = 0x04, SERIAL_UPPER = 0x08;
    }
}
