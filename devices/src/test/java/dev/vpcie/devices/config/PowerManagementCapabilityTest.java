package dev.vpcie.devices.config;

import static org.junit.jupiter.api.Assertions.*;

import dev.vpcie.devices.spi.ResetKind;
import dev.vpcie.protocol.pci.PciConfig;
import dev.vpcie.protocol.pci.PciConfig.PowerManagement;
import org.junit.jupiter.api.Test;

class PowerManagementCapabilityTest {
    private final PowerManagementCapability pm = new PowerManagementCapability();
    private final ConfigSpace cs = ConfigSpace.builder().vendorId(1).deviceId(2).classCode(0).bar(0, Bar.memory32(4096))
            .capability(pm).build();
    private final int pmcsr = pm.offset() + PowerManagement.CONTROL_STATUS;

    @Test
    void registersAsSpecified() {
        assertEquals(0x0003, cs.read(pm.offset() + PowerManagement.CAPABILITIES, 2), "version 3 (PM 1.2), no D1/D2, no PME");
        assertEquals(PowerManagement.CONTROL_NO_SOFT_RESET, cs.read(pmcsr, 2));
        assertEquals(PowerState.D0, pm.powerState());
    }

    @Test
    void d3hotStopsDecodeAndBusMasteringAndD0RestoresThem() {
        cs.writeDword(PciConfig.BAR0, 0xE0000000, 0xF);
        cs.write(PciConfig.COMMAND, 2, PciConfig.Command.MEMORY_SPACE_ENABLE | PciConfig.Command.BUS_MASTER_ENABLE);
        assertEquals(0, cs.decodeMemory(0xE0000000L));
        cs.write(pmcsr, 2, PowerManagement.D3_HOT);
        assertEquals(PowerState.D3_HOT, pm.powerState());
        assertEquals(-1, cs.decodeMemory(0xE0000000L));
        assertFalse(cs.busMasterEnabled());
        cs.write(pmcsr, 2, PowerManagement.D0);
        assertEquals(0, cs.decodeMemory(0xE0000000L), "No_Soft_Reset: state kept");
        assertTrue(cs.busMasterEnabled());
    }

    @Test
    void unsupportedStatesAreDiscarded() {
        cs.write(pmcsr, 2, PowerManagement.D3_HOT);
        cs.write(pmcsr, 2, PowerManagement.D1);
        assertEquals(PowerState.D3_HOT, pm.powerState(), "write of unsupported D1 changes nothing");
        cs.write(pmcsr, 1, PowerManagement.D2);
        assertEquals(PowerState.D3_HOT, pm.powerState());
        cs.writeDword(pmcsr, PowerManagement.D1 | 0x8000, 0b0010);
        assertEquals(PowerState.D3_HOT, pm.powerState(), "byte 0 not enabled");
    }

    @Test
    void pmeBitsExistOnlyWithPmeSupport() {
        cs.write(pmcsr, 2, PowerManagement.CONTROL_PME_ENABLE);
        assertFalse(pm.pmeEnabled());
        assertThrows(IllegalStateException.class, pm::signalPme);

        PowerManagementCapability withPme = new PowerManagementCapability(0b11001);
        ConfigSpace c2 = ConfigSpace.builder().vendorId(1).deviceId(2).classCode(0).capability(withPme).build();
        int at = withPme.offset() + PowerManagement.CONTROL_STATUS;
        assertEquals(0b11001 << 11 | 3, c2.read(withPme.offset() + PowerManagement.CAPABILITIES, 2));
        c2.write(at, 2, PowerManagement.CONTROL_PME_ENABLE);
        assertTrue(withPme.pmeEnabled());
        withPme.signalPme();
        c2.reset(ResetKind.HOT);
        assertTrue(withPme.pmeEnabled(), "PME_En is sticky");
        assertNotEquals(0, c2.read(at, 2) & PowerManagement.CONTROL_PME_STATUS, "PME_Status is sticky");
        c2.write(at, 2, PowerManagement.CONTROL_PME_STATUS);
        assertEquals(0, c2.read(at, 2) & PowerManagement.CONTROL_PME_STATUS, "RW1C");
        assertThrows(IllegalArgumentException.class, () -> new PowerManagementCapability(0x20));
    }

    @Test
    void resetReturnsToD0() {
        cs.write(pmcsr, 2, PowerManagement.D3_HOT);
        cs.reset(ResetKind.HOT);
        assertEquals(PowerState.D0, pm.powerState());
    }
}
