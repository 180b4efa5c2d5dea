package dev.vpcie.devices.nic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class NvmImageTest {
    private static final MacAddress MAC = MacAddress.parse("52:54:00:12:34:56");

    @Test
    void checksumWordMakesTheSumBaba() {
        NvmImage img = NvmImage.builder(64).ethernetAddress(MAC).identity(0x8086, 0x100E, 0x8086, 0x001E).word(NvmImage.WORD_ID_LED, 0xFFFF).build();
        int sum = 0;
        for (int i = 0; i < 64; i++) sum += img.word(i);
        assertEquals(0xBABA, sum & 0xFFFF);
        assertTrue(img.checksumValid());
        assertEquals(0x5452, img.word(0));
        assertEquals(0x1200, img.word(1));
        assertEquals(0x5634, img.word(2));
        assertEquals(MAC, img.ethernetAddress());
        assertEquals(0x100E, img.word(NvmImage.WORD_DEVICE_ID));
    }

    @Property(tries = 100)
    void anyContentsGetAValidChecksum(@ForAll int a, @ForAll int b, @ForAll long mac) {
        NvmImage img = NvmImage.builder(256).ethernetAddress(MacAddress.locallyAdministered(mac))
                .word(7, a & 0xFFFF).word(0x3E, b & 0xFFFF).word(0x80, 0x1234).build();
        assertTrue(img.checksumValid());
        assertEquals(256, img.size());
    }

    @Test
    void corruptImagesAreDetected() {
        int[] words = NvmImage.builder(64).ethernetAddress(MAC).build().words();
        words[5] ^= 1;
        assertFalse(NvmImage.ofWords(words).checksumValid());
        assertThrows(IllegalArgumentException.class, () -> NvmImage.builder(64).word(NvmImage.WORD_CHECKSUM, 1));
        assertThrows(IllegalArgumentException.class, () -> NvmImage.builder(32));
        assertThrows(IllegalArgumentException.class, () -> NvmImage.builder(64).word(1, 0x10000));
    }
}
