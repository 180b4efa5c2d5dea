package dev.vpcie.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.devices.config.DeviceSerialNumberCapability;
import dev.vpcie.devices.spi.PcieFunction;
import org.junit.jupiter.api.Test;

class DeviceRegistryTest {

    @Test
    void dmatestIsKnown() {
        PcieFunction f = DeviceRegistry.create("dmatest", 0);
        assertEquals("dmatest", f.name());
        assertEquals(0x1AF4, f.config().vendorId());
        assertEquals(0x10F0, f.config().deviceId());
        assertTrue(DeviceRegistry.names().contains("dmatest"));
    }

    @Test
    void unknownNameListsTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DeviceRegistry.create("e1001", 0));
        assertTrue(e.getMessage().contains("e1001") && e.getMessage().contains("dmatest"), e.getMessage());
    }

    @Test
    void instancesHaveDistinctSerialNumbers() {
        long a = DeviceRegistry.create("dmatest", 0).config().find(DeviceSerialNumberCapability.class).orElseThrow().serialNumber();
        long b = DeviceRegistry.create("dmatest", 1).config().find(DeviceSerialNumberCapability.class).orElseThrow().serialNumber();
        assertNotEquals(a, b);
    }
}
