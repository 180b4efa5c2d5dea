package dev.vpcie.devices.config;

import dev.vpcie.protocol.pci.PciConfig;
import dev.vpcie.protocol.pci.PciConfig.Pcie;
import java.util.OptionalLong;

/**
 * PCI Express capability (ID 10h, PCIe base spec 7.5.3), version 2, for an Endpoint; 60 bytes.
 *
 * <pre>
 *  31                            16 15            8 7             0
 * +--------------------------------+---------------+---------------+
 * |  PCI Express Capabilities      | Next Ptr      | Cap ID = 10h  |  +0x00
 * +--------------------------------+---------------+---------------+
 * |  Device Capabilities                                           |  +0x04
 * +--------------------------------+-------------------------------+
 * |  Device Status                 |  Device Control               |  +0x08
 * +--------------------------------+-------------------------------+
 * |  Link Capabilities                                             |  +0x0C
 * +--------------------------------+-------------------------------+
 * |  Link Status                   |  Link Control                 |  +0x10
 * +--------------------------------+-------------------------------+
 * |  Slot Capabilities / Slot Control+Status / Root Control+Status |  +0x14..+0x23  (0: no slot, not a port)
 * +----------------------------------------------------------------+
 * |  Device Capabilities 2                                         |  +0x24
 * +--------------------------------+-------------------------------+
 * |  Device Status 2 (0)           |  Device Control 2             |  +0x28
 * +--------------------------------+-------------------------------+
 * |  Link Capabilities 2                                           |  +0x2C
 * +--------------------------------+-------------------------------+
 * |  Link Status 2 (0)             |  Link Control 2               |  +0x30
 * +--------------------------------+-------------------------------+
 * |  Slot Capabilities 2 / Control 2 / Status 2 (0)                |  +0x34..+0x3B
 * +----------------------------------------------------------------+
 *
 * PCI Express Capabilities (RO): [3:0] Version = 2, [7:4] Device/Port Type = 0000b (Endpoint).
 * Device Capabilities (RO): [2:0] Max_Payload_Size Supported, [5] Extended Tag Field Supported = 1,
 *   [8:6] L0s / [11:9] L1 Acceptable Latency = no limit, [15] Role-Based Error Reporting = 1,
 *   [28] Function Level Reset Capability.
 * Device Control: [0] Correctable, [1] Non-Fatal, [2] Fatal, [3] Unsupported Request Reporting
 *   Enable RW; [4] Enable Relaxed Ordering RW (1); [7:5] Max_Payload_Size RW (000b = 128 B);
 *   [8] Extended Tag Field Enable RW; [11] Enable No Snoop RW (1); [14:12] Max_Read_Request_Size RW
 *   (010b = 512 B); [15] Initiate Function Level Reset: writing 1 starts an FLR, reads 0.
 * Device Status: [0] Correctable, [1] Non-Fatal, [2] Fatal, [3] Unsupported Request Detected RW1C;
 *   [5] Transactions Pending RO.
 * Link Capabilities (RO): [3:0] Max Link Speed, [9:4] Maximum Link Width, [11:10] ASPM Support = 00b.
 * Link Control: [1:0] ASPM Control, [6] Common Clock Configuration, [7] Extended Synch RW.
 * Link Status (RO): [3:0] Current Link Speed, [9:4] Negotiated Link Width, [12] Slot Clock Configuration = 1.
 * Device Capabilities 2 (RO): [3:0] Completion Timeout Ranges Supported = 0010b (range B, 10-250 ms),
 *   [4] Completion Timeout Disable Supported = 1.
 * Device Control 2: [3:0] Completion Timeout Value RW, [4] Completion Timeout Disable RW.
 * Link Capabilities 2 (RO): [7:1] Supported Link Speeds Vector (every speed up to the maximum).
 * Link Control 2: [3:0] Target Link Speed RW (the maximum at reset).
 * </pre>
 */
public final class PciExpressCapability extends Capability {
    public static final int ID = PciConfig.CapId.PCI_EXPRESS;

    private static final int CAPABILITIES = Pcie.CAPABILITIES;
    private static final int DEVICE_CAPABILITIES = Pcie.DEVICE_CAPABILITIES;
    private static final int DEVICE_CONTROL = Pcie.DEVICE_CONTROL;
    private static final int DEVICE_STATUS = Pcie.DEVICE_STATUS;
    private static final int LINK_CAPABILITIES = Pcie.LINK_CAPABILITIES;
    private static final int LINK_CONTROL = Pcie.LINK_CONTROL;
    private static final int LINK_STATUS = Pcie.LINK_STATUS;
    private static final int DEVICE_CAPABILITIES_2 = Pcie.DEVICE_CAPABILITIES_2;
    private static final int DEVICE_CONTROL_2 = Pcie.DEVICE_CONTROL_2;
    private static final int LINK_CAPABILITIES_2 = Pcie.LINK_CAPABILITIES_2;
    private static final int LINK_CONTROL_2 = Pcie.LINK_CONTROL_2;
    private static final int DEVCTL_RELAXED_ORDERING = Pcie.DEVCTL_RELAXED_ORDERING;
    private static final int DEVCTL_EXTENDED_TAG = Pcie.DEVCTL_EXTENDED_TAG;
    private static final int DEVCTL_NO_SNOOP = Pcie.DEVCTL_NO_SNOOP;
    private static final int DEVCTL_INITIATE_FLR = Pcie.DEVCTL_INITIATE_FLR;
    private static final int DEVSTA_TRANSACTIONS_PENDING = Pcie.DEVSTA_TRANSACTIONS_PENDING;
    /** Device Control bits 3:0: correctable, non-fatal, fatal, UR reporting enables. */
    private static final int ERROR_REPORTING = Pcie.DEVCTL_CORRECTABLE_ERROR_REPORTING | Pcie.DEVCTL_NON_FATAL_ERROR_REPORTING
            | Pcie.DEVCTL_FATAL_ERROR_REPORTING | Pcie.DEVCTL_UNSUPPORTED_REQUEST_REPORTING;
    /** Device Status bits 3:0: correctable, non-fatal, fatal, UR detected (RW1C). */
    private static final int ERROR_DETECTED = Pcie.DEVSTA_CORRECTABLE_ERROR | Pcie.DEVSTA_NON_FATAL_ERROR
            | Pcie.DEVSTA_FATAL_ERROR | Pcie.DEVSTA_UNSUPPORTED_REQUEST;
    /** Completion Timeout Ranges Supported: range B only (10 ms to 250 ms), fitting a software link. */
    private static final int COMPLETION_TIMEOUT_RANGE_B = 0b0010;

    private final int maxPayloadSupported;
    private final LinkSpeed speed;
    private final int width;
    private final boolean flrCapable;
    private Runnable flrHandler;

    /**
     * @param maxPayloadSupported bytes: 128, 256, 512, 1024, 2048 or 4096
     * @param speed               the link's maximum (and, here, current) speed
     * @param width               lanes: 1, 2, 4, 8, 12, 16 or 32
     * @param flrCapable          whether the function supports Function Level Reset
     */
    public PciExpressCapability(int maxPayloadSupported, LinkSpeed speed, int width, boolean flrCapable) {
        sizeCode(maxPayloadSupported, "Max_Payload_Size Supported");
        if (width != 1 && width != 2 && width != 4 && width != 8 && width != 12 && width != 16 && width != 32)
            throw new IllegalArgumentException("link width x" + width + " is not a PCIe width");
        this.maxPayloadSupported = maxPayloadSupported;
        this.speed = speed;
        this.width = width;
        this.flrCapable = flrCapable;
    }

    /** The 3-bit encoding of 128..4096 bytes. */
    static int sizeCode(int bytes, String what) {
        if (bytes < 128 || bytes > 4096 || Integer.bitCount(bytes) != 1) throw new IllegalArgumentException(what + " " + bytes + " not a power of two in 128..4096");
        return Pcie.sizeEncoding(bytes);
    }

    @Override public int id() { return ID; }

    @Override public int length() { return Pcie.SIZE; }

    @Override
    protected void initialize(RegisterInit init) {
        init.readOnly(CAPABILITIES, 2, 2 | Pcie.TYPE_ENDPOINT << Pcie.CAP_PORT_TYPE_SHIFT);
        init.readOnly(DEVICE_CAPABILITIES, 4, sizeCode(maxPayloadSupported, "MPS") | Pcie.DEVCAP_EXTENDED_TAG
                | 0b111 << 6 | 0b111 << 9 | Pcie.DEVCAP_ROLE_BASED_ERROR_REPORTING | (flrCapable ? Pcie.DEVCAP_FUNCTION_LEVEL_RESET : 0));
        init.readWrite(DEVICE_CONTROL, 2, DEVCTL_RELAXED_ORDERING | DEVCTL_NO_SNOOP | Pcie.sizeEncoding(512) << Pcie.DEVCTL_MAX_READ_REQUEST_SHIFT,
                ERROR_REPORTING | DEVCTL_RELAXED_ORDERING | Pcie.DEVCTL_MAX_PAYLOAD_MASK | DEVCTL_EXTENDED_TAG | DEVCTL_NO_SNOOP
                        | Pcie.DEVCTL_MAX_READ_REQUEST_MASK);
        init.writeOneToClear(DEVICE_STATUS, 2, 0, ERROR_DETECTED);
        init.readOnly(LINK_CAPABILITIES, 4, speed.code | width << Pcie.LNKCAP_MAX_WIDTH_SHIFT);
        init.readWrite(LINK_CONTROL, 2, 0, Pcie.LNKCTL_ASPM_MASK | Pcie.LNKCTL_COMMON_CLOCK | Pcie.LNKCTL_EXTENDED_SYNCH);
        init.readOnly(LINK_STATUS, 2, speed.code | width << Pcie.LNKSTA_WIDTH_SHIFT | Pcie.LNKSTA_SLOT_CLOCK);
        init.readOnly(DEVICE_CAPABILITIES_2, 4, COMPLETION_TIMEOUT_RANGE_B | Pcie.DEVCAP2_COMPLETION_TIMEOUT_DISABLE);
        init.readWrite(DEVICE_CONTROL_2, 2, 0, Pcie.DEVCTL2_COMPLETION_TIMEOUT_MASK | Pcie.DEVCTL2_COMPLETION_TIMEOUT_DISABLE);
        int speeds = 0;
        for (LinkSpeed s : LinkSpeed.values()) if (s.code <= speed.code) speeds |= 1 << s.code;
        init.readOnly(LINK_CAPABILITIES_2, 4, speeds);
        init.readWrite(LINK_CONTROL_2, 2, speed.code, 0xF);
    }

    @Override
    protected void written(ConfigWrite w) {
        if (flrCapable && w.offset() == offset() + DEVICE_CONTROL && (w.byteEnables() & 0b10) != 0
                && (w.written() & DEVCTL_INITIATE_FLR) != 0 && flrHandler != null) {
            flrHandler.run();
        }
    }

    /**
     * Installs what happens when software writes Initiate Function Level Reset: the host resets
     * the function after the configuration write completes (base spec 6.6.2). Ignored when the
     * function is not FLR capable.
     */
    public void setFunctionLevelResetHandler(Runnable handler) { this.flrHandler = handler; }

    public boolean flrCapable() { return flrCapable; }

    public int maxPayloadSupported() { return maxPayloadSupported; }

    public LinkSpeed linkSpeed() { return speed; }

    public int linkWidth() { return width; }

    public int deviceControl() { return reg(DEVICE_CONTROL, 2); }

    public int deviceStatus() { return reg(DEVICE_STATUS, 2); }

    /**
     * Max_Payload_Size in bytes as software programmed it, but never above what the function
     * supports (software must not program more; if it does, we stay within our own ability).
     */
    public int maxPayloadSize() { return Math.min(Pcie.maxPayloadSize(deviceControl()), maxPayloadSupported); }

    /** Max_Read_Request_Size in bytes (128..4096). */
    public int maxReadRequestSize() { return Pcie.maxReadRequestSize(deviceControl()); }

    public boolean extendedTagEnabled() { return (deviceControl() & DEVCTL_EXTENDED_TAG) != 0; }

    public boolean relaxedOrderingEnabled() { return (deviceControl() & DEVCTL_RELAXED_ORDERING) != 0; }

    public boolean noSnoopEnabled() { return (deviceControl() & DEVCTL_NO_SNOOP) != 0; }

    /** Error reporting enables, Device Control bits 3:0 (correctable, non-fatal, fatal, UR). */
    public int errorReportingEnables() { return deviceControl() & ERROR_REPORTING; }

    /** Sets Device Status bits 3:0 (correctable, non-fatal, fatal, UR detected); they stay until software clears them. */
    public void setErrorDetected(int bits) {
        if ((bits & ~ERROR_DETECTED) != 0) throw new IllegalArgumentException("Device Status error bits 0x" + Integer.toHexString(bits));
        setReg(DEVICE_STATUS, 2, deviceStatus() | bits);
    }

    /** Sets Transactions Pending (non-posted requests outstanding), for the FLR handshake. */
    public void setTransactionsPending(boolean pending) {
        int s = deviceStatus();
        setReg(DEVICE_STATUS, 2, pending ? s | DEVSTA_TRANSACTIONS_PENDING : s & ~DEVSTA_TRANSACTIONS_PENDING);
    }

    /**
     * The completion timeout software selected in Device Control 2, as the upper end of the range
     * (base spec 7.5.3.16), or empty when software disabled it.
     */
    public OptionalLong completionTimeoutNs() {
        int ctl2 = reg(DEVICE_CONTROL_2, 2);
        if ((ctl2 & Pcie.DEVCTL2_COMPLETION_TIMEOUT_DISABLE) != 0) return OptionalLong.empty();
        long ms = switch (ctl2 & Pcie.DEVCTL2_COMPLETION_TIMEOUT_MASK) {
            case 0b0110 -> 210;
            case 0b0101 -> 55;
            default -> 50; // 0000b and encodings of ranges we do not support: the default range, 50 us to 50 ms
        };
        return OptionalLong.of(ms * 1_000_000L);
    }
}
