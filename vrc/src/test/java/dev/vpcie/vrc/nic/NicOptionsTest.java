package dev.vpcie.vrc.nic;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class NicOptionsTest {

    @Test void defaultsAreLinuxLike() {
        NicOptions o = NicOptions.defaults();
        assertEquals(256, o.txDescriptors());
        assertEquals(256, o.rxDescriptors());
        assertEquals(1514, o.maxFrameSize());
        assertEquals(IrqMode.AUTO, o.irqMode());
        assertEquals(Duration.ofSeconds(2), o.watchdog());
        assertFalse(o.jumbo());
        assertTrue(o.withMaxFrameSize(9014).jumbo());
    }

    @Test void impossibleSettingsAreRefusedWithTheirName() {
        assertMessage(() -> NicOptions.defaults().withRings(12, 256), "TX ring size must be a multiple of 8");
        assertMessage(() -> NicOptions.defaults().withRings(24, 256), "TX ring size must be a multiple of 8 in 32..4096");
        NicOptions.defaults().withRings(32, 8);
        assertMessage(() -> NicOptions.defaults().withRings(256, 8192), "RX ring size");
        assertMessage(() -> NicOptions.defaults().withMaxFrameSize(1000), "max frame size");
        assertMessage(() -> NicOptions.defaults().withMaxFrameSize(9015), "max frame size");
        assertMessage(() -> NicOptions.defaults().withRxQueues(0), "RX queues");
        assertMessage(() -> NicOptions.defaults().withRxQueues(9), "RX queues");
        assertMessage(() -> NicOptions.defaults().withInterruptRate(-1), "interrupt rate");
        assertMessage(() -> NicOptions.defaults().withWatchdog(Duration.ZERO), "watchdog");
        assertMessage(() -> NicOptions.defaults().withLinkWait(Duration.ofSeconds(-1)), "link wait");
    }

    private static void assertMessage(Runnable r, String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(text), e.getMessage());
    }

    @Test void nvmHelpers() {
        int[] words = new int[64];
        words[0] = 0x5452;
        words[1] = 0x1200;
        words[2] = 0x5634;
        int sum = 0;
        for (int i = 0; i < 63; i++) sum += words[i];
        words[63] = (0xBABA - sum) & 0xFFFF;
        assertEquals(Nvm.CHECKSUM_SUM, Nvm.checksum(words));
        assertEquals("52:54:00:12:34:56", Nvm.macFromWords(words[0], words[1], words[2]).toString());
        var mac = Nvm.macFromWords(words[0], words[1], words[2]);
        assertEquals(0x12005452, Nvm.ral(mac));
        assertEquals(0x5634, Nvm.rahLow(mac));
        assertEquals(mac, Nvm.macFromRar(Nvm.ral(mac), Nvm.rahLow(mac) | 0x8000_0000));
        assertTrue(Nvm.validUnicast(mac));
        assertFalse(Nvm.validUnicast(Nvm.macFromWords(0x0001, 0, 0)), "multicast");
        assertFalse(Nvm.validUnicast(Nvm.macFromWords(0, 0, 0)), "zero");
        assertThrows(IllegalArgumentException.class, () -> Nvm.checksum(new int[10]));
    }
}
