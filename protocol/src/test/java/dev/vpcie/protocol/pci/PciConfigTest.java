package dev.vpcie.protocol.pci;

import static dev.vpcie.protocol.pci.PciConfig.Bar;
import static dev.vpcie.protocol.pci.PciConfig.Pcie;
import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class PciConfigTest {

    @Test void headerOffsets() {
        assertEquals(0x24, PciConfig.bar(5));
        assertThrows(IllegalArgumentException.class, () -> PciConfig.bar(6));
        assertEquals(0x34, PciConfig.CAPABILITIES_POINTER);
    }

    @Test void barSizing() {
        assertEquals(0x20000, Bar.size(0xFFFE0000, 0), "128 KiB 32-bit memory BAR (e1000 BAR0)");
        assertEquals(0x4000, Bar.size(0xFFFFC00C, 0xFFFFFFFF), "16 KiB 64-bit prefetchable");
        assertEquals(1L << 33, Bar.size(0x0000000C, 0xFFFFFFFE), "8 GiB 64-bit");
        assertEquals(32, Bar.size(0xFFFFFFE1, 0), "32-byte I/O BAR");
        assertEquals(0, Bar.size(0, 0), "unimplemented");
        assertTrue(Bar.is64Bit(0x4));
        assertFalse(Bar.is64Bit(0x5));
        assertTrue(Bar.isIo(0x1));
    }

    @Test void payloadSizes() {
        int devctl = Pcie.withSizes(Pcie.DEVCTL_RELAXED_ORDERING, 256, 512);
        assertEquals(256, Pcie.maxPayloadSize(devctl));
        assertEquals(512, Pcie.maxReadRequestSize(devctl));
        assertEquals(Pcie.DEVCTL_RELAXED_ORDERING | 1 << 5 | 2 << 12, devctl);
        assertEquals(4096, Pcie.sizeBytes(5));
        assertEquals(0, Pcie.sizeEncoding(128));
        assertThrows(IllegalArgumentException.class, () -> Pcie.sizeEncoding(192));
        assertEquals(4096, Pcie.maxPayloadSize(7 << 5), "reserved encoding read as the largest");
        assertEquals(2048, Pcie.maxPayloadSupported(0x4));
    }

    @Test void linkFields() {
        int lnkcap = 3 | 8 << 4;           // 8 GT/s x8
        assertEquals("8.0 GT/s", Pcie.linkSpeed(lnkcap & Pcie.LNKCAP_MAX_SPEED_MASK));
        assertEquals(8, Pcie.maxLinkWidth(lnkcap));
        assertEquals(4, Pcie.negotiatedLinkWidth(1 | 4 << 4 | Pcie.LNKSTA_DLL_LINK_ACTIVE));
        assertEquals("unknown speed 9", Pcie.linkSpeed(9));
    }

    @Test void capabilityNames() {
        assertEquals("MSI-X", PciConfig.CapId.name(0x11));
        assertEquals("Unknown 0x7f", PciConfig.CapId.name(0x7F));
        assertEquals("Device Serial Number", PciConfig.ExtCapId.name(3));
        assertEquals("Unknown 0x0777", PciConfig.ExtCapId.name(0x777));
    }
}
