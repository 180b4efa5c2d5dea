package dev.vpcie.devices.nic.igb;

import dev.vpcie.devices.nic.NvmImage;

/**
 * The 82576's NVM contents for given options: 256 words (EECD.SIZE_EX = 2), checksum valid.
 *
 * <table>
 *   <caption>Words the igb driver reads</caption>
 *   <tr><th>Word</th><th>Value</th><th>Why</th></tr>
 *   <tr><td>0x00-0x02</td><td>the MAC</td><td>the source of RAL0/RAH0 after reset (the driver reads those)</td></tr>
 *   <tr><td>0x03</td><td>0x0000</td><td>compatibility: no special features</td></tr>
 *   <tr><td>0x04</td><td>0xFFFF</td><td>ID-LED defaults</td></tr>
 *   <tr><td>0x05</td><td>0x1020</td><td>image version 1.2-0, shown as the firmware version</td></tr>
 *   <tr><td>0x08-0x09</td><td>0xE437, 0x0904</td><td>a PBA number, printed as "PBA No:"</td></tr>
 *   <tr><td>0x0B-0x0E</td><td>subsystem ID, subsystem vendor, 10C9, 8086</td><td>identity</td></tr>
 *   <tr><td>0x0F</td><td>0x70C3</td><td>Initialization Control 2: full flow control advertised (bits 13:12 = 11)</td></tr>
 *   <tr><td>0x24</td><td>0x0000</td><td>Initialization Control 3, port A: no APM wake-up</td></tr>
 *   <tr><td>0x37</td><td>0xFFFF</td><td>no alternate MAC address</td></tr>
 *   <tr><td>0x3F</td><td>checksum</td><td>words 0x00..0x3F sum to 0xBABA</td></tr>
 * </table>
 * Other words are 0xFFFF, as on an erased part; words 0x06-0x07, 0x0A and 0x10-0x3E that the
 * driver does not read are 0.
 */
public final class IgbNvm {
    private IgbNvm() {}

    static final int IMAGE_VERSION = 0x1020;
    static final int PBA_HIGH = 0xE437;
    static final int PBA_LOW = 0x0904;
    static final int INIT_CONTROL_2 = 0x70C3;

    public static NvmImage image(IgbOptions options) {
        NvmImage.Builder b = NvmImage.builder(IgbRegisters.NVM_WORDS).ethernetAddress(options.mac());
        for (int w = 3; w < NvmImage.WORD_CHECKSUM; w++) b.word(w, 0);
        return b.word(NvmImage.WORD_ID_LED, 0xFFFF)
                .word(NvmImage.WORD_IMAGE_VERSION, IMAGE_VERSION)
                .word(NvmImage.WORD_PBA_NUMBER, PBA_HIGH).word(NvmImage.WORD_PBA_NUMBER + 1, PBA_LOW)
                .identity(IgbFunction.VENDOR_ID, IgbFunction.DEVICE_ID, options.subsystemVendorId(), options.subsystemId())
                .word(NvmImage.WORD_INIT_CONTROL_2, INIT_CONTROL_2)
                .word(NvmImage.WORD_INIT_CONTROL_3_PORT_A, 0)
                .word(NvmImage.WORD_ALTERNATE_MAC_POINTER, 0xFFFF)
                .build();
    }
}
