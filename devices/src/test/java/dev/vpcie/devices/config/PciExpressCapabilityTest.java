package dev.vpcie.devices.config;

import static org.junit.jupiter.api.Assertions.*;

import dev.vpcie.devices.spi.ResetKind;
import dev.vpcie.protocol.pci.PciConfig.Pcie;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PciExpressCapabilityTest {
    private final PciExpressCapability pcie = new PciExpressCapability(512, LinkSpeed.GT_5, 4, true);
    private final ConfigSpace cs = ConfigSpace.builder().vendorId(1).deviceId(2).classCode(0).capability(pcie).build();
    private final int at = pcie.offset();

    @Test
    void capabilitiesDescribeAVersion2EndpointWithItsLink() {
        int caps = cs.read(at + Pcie.CAPABILITIES, 2);
        assertEquals(2, caps & Pcie.CAP_VERSION_MASK);
        assertEquals(Pcie.TYPE_ENDPOINT, (caps & Pcie.CAP_PORT_TYPE_MASK) >>> Pcie.CAP_PORT_TYPE_SHIFT);
        int devcap = cs.readDword(at + Pcie.DEVICE_CAPABILITIES);
        assertEquals(512, Pcie.maxPayloadSupported(devcap));
        assertNotEquals(0, devcap & Pcie.DEVCAP_EXTENDED_TAG);
        assertNotEquals(0, devcap & Pcie.DEVCAP_FUNCTION_LEVEL_RESET);
        assertNotEquals(0, devcap & Pcie.DEVCAP_ROLE_BASED_ERROR_REPORTING);
        int lnkcap = cs.readDword(at + Pcie.LINK_CAPABILITIES);
        assertEquals("5.0 GT/s", Pcie.linkSpeed(lnkcap & Pcie.LNKCAP_MAX_SPEED_MASK));
        assertEquals(4, Pcie.maxLinkWidth(lnkcap));
        int lnksta = cs.read(at + Pcie.LINK_STATUS, 2);
        assertEquals(LinkSpeed.GT_5.code, lnksta & Pcie.LNKSTA_CURRENT_SPEED_MASK);
        assertEquals(4, Pcie.negotiatedLinkWidth(lnksta));
        assertEquals(0b110, cs.readDword(at + Pcie.LINK_CAPABILITIES_2), "2.5 and 5 GT/s supported");
        assertEquals(LinkSpeed.GT_5.code, cs.read(at + Pcie.LINK_CONTROL_2, 2) & 0xF, "target speed = max");
        assertEquals(0, cs.readDword(at + Pcie.SLOT_CAPABILITIES), "no slot registers in an endpoint");
        cs.writeDword(at + Pcie.SLOT_CAPABILITIES, -1, 0xF);
        cs.writeDword(at + Pcie.LINK_CAPABILITIES, -1, 0xF);
        assertEquals(lnkcap, cs.readDword(at + Pcie.LINK_CAPABILITIES));
        assertEquals(0, cs.readDword(at + Pcie.SLOT_CAPABILITIES));
    }

    @Test
    void deviceControlResetValuesAndSizes() {
        int devctl = pcie.deviceControl();
        assertEquals(Pcie.DEVCTL_RELAXED_ORDERING | Pcie.DEVCTL_NO_SNOOP | 2 << Pcie.DEVCTL_MAX_READ_REQUEST_SHIFT, devctl);
        assertEquals(128, pcie.maxPayloadSize());
        assertEquals(512, pcie.maxReadRequestSize());
        assertEquals(128, cs.maxPayloadSize());
        cs.write(at + Pcie.DEVICE_CONTROL, 2, Pcie.withSizes(devctl, 256, 4096) | Pcie.DEVCTL_EXTENDED_TAG);
        assertEquals(256, cs.maxPayloadSize());
        assertEquals(4096, cs.maxReadRequestSize());
        assertTrue(pcie.extendedTagEnabled());
        cs.write(at + Pcie.DEVICE_CONTROL, 2, Pcie.withSizes(devctl, 4096, 128));
        assertEquals(512, pcie.maxPayloadSize(), "never more than supported");
        assertEquals(128, pcie.maxReadRequestSize());
        cs.write(at + Pcie.DEVICE_CONTROL, 2, 0xFFFF);
        assertEquals(0, pcie.deviceControl() & (Pcie.DEVCTL_PHANTOM_FUNCTIONS | Pcie.DEVCTL_AUX_POWER_PM | Pcie.DEVCTL_INITIATE_FLR),
                "unsupported bits read 0; Initiate FLR always reads 0");
        assertEquals(0xF, pcie.errorReportingEnables());
    }

    @Test
    void initiateFlrCallsTheHandler() {
        AtomicInteger flrs = new AtomicInteger();
        cs.write(at + Pcie.DEVICE_CONTROL, 2, Pcie.DEVCTL_INITIATE_FLR);
        assertEquals(0, flrs.get(), "no handler installed: nothing happens");
        pcie.setFunctionLevelResetHandler(flrs::incrementAndGet);
        cs.write(at + Pcie.DEVICE_CONTROL, 2, pcie.deviceControl());
        assertEquals(0, flrs.get());
        cs.write(at + Pcie.DEVICE_CONTROL, 1, 0x10);
        assertEquals(0, flrs.get(), "byte 1 not written");
        cs.write(at + Pcie.DEVICE_CONTROL, 2, pcie.deviceControl() | Pcie.DEVCTL_INITIATE_FLR);
        assertEquals(1, flrs.get());

        PciExpressCapability noFlr = new PciExpressCapability(128, LinkSpeed.GT_2_5, 1, false);
        ConfigSpace c2 = ConfigSpace.builder().vendorId(1).deviceId(2).classCode(0).capability(noFlr).build();
        noFlr.setFunctionLevelResetHandler(flrs::incrementAndGet);
        c2.write(noFlr.offset() + Pcie.DEVICE_CONTROL, 2, Pcie.DEVCTL_INITIATE_FLR);
        assertEquals(1, flrs.get(), "not FLR capable: ignored");
    }

    @Test
    void deviceStatusErrorBitsAreSetByHardwareAndClearedBySoftware() {
        pcie.setErrorDetected(Pcie.DEVSTA_UNSUPPORTED_REQUEST | Pcie.DEVSTA_NON_FATAL_ERROR);
        pcie.setTransactionsPending(true);
        assertEquals(Pcie.DEVSTA_UNSUPPORTED_REQUEST | Pcie.DEVSTA_NON_FATAL_ERROR | Pcie.DEVSTA_TRANSACTIONS_PENDING, pcie.deviceStatus());
        cs.write(at + Pcie.DEVICE_STATUS, 2, Pcie.DEVSTA_UNSUPPORTED_REQUEST | Pcie.DEVSTA_TRANSACTIONS_PENDING);
        assertEquals(Pcie.DEVSTA_NON_FATAL_ERROR | Pcie.DEVSTA_TRANSACTIONS_PENDING, pcie.deviceStatus());
        pcie.setTransactionsPending(false);
        assertEquals(Pcie.DEVSTA_NON_FATAL_ERROR, pcie.deviceStatus());
        assertThrows(IllegalArgumentException.class, () -> pcie.setErrorDetected(0x10));
    }

    @Test
    void completionTimeoutFromDeviceControl2() {
        assertEquals(50_000_000L, pcie.completionTimeoutNs().orElseThrow(), "default range: up to 50 ms");
        cs.write(at + Pcie.DEVICE_CONTROL_2, 2, 0b0110);
        assertEquals(210_000_000L, pcie.completionTimeoutNs().orElseThrow());
        cs.write(at + Pcie.DEVICE_CONTROL_2, 2, Pcie.DEVCTL2_COMPLETION_TIMEOUT_DISABLE);
        assertTrue(pcie.completionTimeoutNs().isEmpty());
        assertEquals(0b0010 | Pcie.DEVCAP2_COMPLETION_TIMEOUT_DISABLE, cs.readDword(at + Pcie.DEVICE_CAPABILITIES_2));
        cs.reset(ResetKind.HOT);
        assertEquals(50_000_000L, pcie.completionTimeoutNs().orElseThrow());
    }

    @Test
    void badParametersAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new PciExpressCapability(100, LinkSpeed.GT_2_5, 1, false));
        assertThrows(IllegalArgumentException.class, () -> new PciExpressCapability(8192, LinkSpeed.GT_2_5, 1, false));
        assertThrows(IllegalArgumentException.class, () -> new PciExpressCapability(128, LinkSpeed.GT_2_5, 3, false));
    }
}
