package dev.vpcie.devices.nic.e1000;

import dev.vpcie.devices.nic.NvmImage;

/** The 82540EM's 64-word EEPROM contents for given options, with a valid checksum. */
public final class E1000Nvm {
    private E1000Nvm() {}

    /** Initialization Control 1 (word 0x0A) of a PRO/1000 MT Desktop (QEMU's template). */
    static final int INIT_CONTROL_1 = 0x6403;
    /** Initialization Control 2 (word 0x0F): full flow control advertised by default (PAUSE and ASM_DIR). */
    static final int INIT_CONTROL_2 = 0x3040;

    /**
     * The image: MAC in words 0..2, ID-LED 0xFFFF (defaults), PBA number 0x3000/0x1000, the IDs in
     * words 0x0B..0x0E, flow control defaults, no wake-up (word 0x24 = 0), checksum in 0x3F.
     */
    public static NvmImage image(E1000Options options) {
        NvmImage.Builder b = NvmImage.builder(MicrowireEeprom.WORDS).ethernetAddress(options.mac());
        for (int w = 3; w <= 0x3E; w++) b.word(w, 0);
        return b.word(NvmImage.WORD_ID_LED, 0xFFFF)
                .word(NvmImage.WORD_PBA_NUMBER, 0x3000).word(NvmImage.WORD_PBA_NUMBER + 1, 0x1000)
                .word(0x0A, INIT_CONTROL_1)
                .identity(E1000Function.VENDOR_ID, E1000Function.DEVICE_ID, options.subsystemVendorId(), options.subsystemId())
                .word(NvmImage.WORD_INIT_CONTROL_2, INIT_CONTROL_2)
                .word(NvmImage.WORD_INIT_CONTROL_3_PORT_A, 0)
                .build();
    }
}
