package dev.vpcie.devices.config;

import dev.vpcie.protocol.pci.PciConfig;
import dev.vpcie.protocol.pci.PciConfig.Dsn;

/**
 * Device Serial Number extended capability (ID 0003h, version 1, PCIe base spec 7.9.3); 12 bytes.
 *
 * <pre>
 *  31                                                             0
 * +----------------------------------------------------------------+
 * |  Next Offset [31:20] | Ver [19:16] = 1 | ID [15:0] = 0003h     |  +0x0
 * |  Serial Number Register, lower DW                        RO    |  +0x4
 * |  Serial Number Register, upper DW                        RO    |  +0x8
 * +----------------------------------------------------------------+
 * </pre>
 * The 64-bit number is an IEEE EUI-64; lspci prints it byte by byte from the upper end
 * ({@code 00-11-22-ff-fe-33-44-55}).
 */
public final class DeviceSerialNumberCapability extends ExtendedCapability {
    public static final int ID = PciConfig.ExtCapId.DEVICE_SERIAL_NUMBER;
    private final long serialNumber;

    public DeviceSerialNumberCapability(long serialNumber) { this.serialNumber = serialNumber; }

    /** An EUI-64 made from a 48-bit MAC address by inserting FF-FE in the middle, as IEEE describes. */
    public static long fromMac(long mac48) {
        if ((mac48 & ~0xFFFF_FFFF_FFFFL) != 0) throw new IllegalArgumentException("MAC address is 48 bits");
        return (mac48 >>> 24) << 40 | 0xFFFEL << 24 | (mac48 & 0xFF_FFFFL);
    }

    @Override public int id() { return ID; }

    @Override public int version() { return 1; }

    @Override public int length() { return 12; }

    @Override
    protected void initialize(RegisterInit init) {
        init.readOnly(Dsn.SERIAL_LOWER, 4, (int) serialNumber);
        init.readOnly(Dsn.SERIAL_UPPER, 4, (int) (serialNumber >>> 32));
    }

    public long serialNumber() { return serialNumber; }
}
