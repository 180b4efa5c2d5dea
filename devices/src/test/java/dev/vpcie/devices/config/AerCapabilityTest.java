package dev.vpcie.devices.config;

import static org.junit.jupiter.api.Assertions.*;

import dev.vpcie.devices.config.AerCapability.Correctable;
import dev.vpcie.devices.config.AerCapability.Signal;
import dev.vpcie.devices.config.AerCapability.Uncorrectable;
import dev.vpcie.devices.spi.ResetKind;
import dev.vpcie.protocol.pci.PciConfig.Aer;
import org.junit.jupiter.api.Test;

class AerCapabilityTest {
    private final AerCapability aer = new AerCapability();
    private final ConfigSpace cs = ConfigSpace.builder().vendorId(1).deviceId(2).classCode(0).extendedCapability(aer).build();
    private final int at = aer.offset();

    @Test
    void resetValuesAreTheSpecDefaults() {
        assertEquals(0x100, at);
        assertEquals(0x0006_2030, aer.uncorrectableSeverity());
        assertEquals(0x0000_2000, aer.correctableMask(), "Advisory Non-Fatal masked by default");
        assertEquals(0, aer.uncorrectableStatus());
        assertEquals(0x0002_0001, cs.readDword(at), "ID 1, version 2, last in the list");
    }

    @Test
    void firstUnmaskedErrorIsLoggedWithItsHeader() {
        assertEquals(Signal.NON_FATAL, aer.recordUncorrectable(Uncorrectable.UNSUPPORTED_REQUEST, new int[] {0x4000_0001, 0x0100_000F, 0xFEB0_0000}));
        assertEquals(Aer.UNC_UNSUPPORTED_REQUEST, aer.uncorrectableStatus());
        assertEquals(20, aer.firstErrorPointer());
        assertEquals(0x4000_0001, aer.headerLog(0));
        assertEquals(0xFEB0_0000, aer.headerLog(2));
        assertEquals(0, aer.headerLog(3));
        assertEquals(Signal.NON_FATAL, aer.recordUncorrectable(Uncorrectable.COMPLETION_TIMEOUT, new int[] {9, 9, 9, 9}));
        assertEquals(20, aer.firstErrorPointer(), "a second error does not overwrite the first");
        assertEquals(0x4000_0001, aer.headerLog(0));
        assertEquals(Signal.FATAL, aer.recordUncorrectable(Uncorrectable.MALFORMED_TLP, null), "Malformed TLP is fatal by default");
    }

    @Test
    void maskedErrorsAreRecordedButNotSignalled() {
        cs.writeDword(at + Aer.UNCORRECTABLE_MASK, Aer.UNC_COMPLETER_ABORT, 0xF);
        assertEquals(Signal.NONE, aer.recordUncorrectable(Uncorrectable.COMPLETER_ABORT, null));
        assertEquals(Aer.UNC_COMPLETER_ABORT, aer.uncorrectableStatus());
        assertEquals(0, aer.firstErrorPointer());
        assertEquals(Signal.NONE, aer.recordCorrectable(Correctable.ADVISORY_NON_FATAL));
        assertEquals(Signal.CORRECTABLE, aer.recordCorrectable(Correctable.BAD_TLP));
        assertEquals(Aer.COR_ADVISORY_NON_FATAL | Aer.COR_BAD_TLP, aer.correctableStatus());
    }

    @Test
    void statusIsWriteOneToClearAndOnlyImplementedBitsAreWritable() {
        aer.recordUncorrectable(Uncorrectable.POISONED_TLP, null);
        aer.recordCorrectable(Correctable.RECEIVER_ERROR);
        cs.writeDword(at + Aer.UNCORRECTABLE_STATUS, Aer.UNC_POISONED_TLP, 0xF);
        cs.writeDword(at + Aer.CORRECTABLE_STATUS, -1, 0xF);
        assertEquals(0, aer.uncorrectableStatus());
        assertEquals(0, aer.correctableStatus());
        cs.writeDword(at + Aer.UNCORRECTABLE_MASK, -1, 0xF);
        assertEquals(0x001F_F030, aer.uncorrectableMask(), "bits 4, 5, 12..20");
        assertEquals(12, aer.firstErrorPointer());
        cs.writeDword(at + Aer.CAPABILITIES_CONTROL, -1, 0xF);
        assertEquals(12, cs.readDword(at + Aer.CAPABILITIES_CONTROL), "no ECRC bits; First Error Pointer read-only");
    }

    @Test
    void everythingLoggedSurvivesResets() {
        aer.recordUncorrectable(Uncorrectable.COMPLETER_ABORT, new int[] {7});
        cs.writeDword(at + Aer.UNCORRECTABLE_SEVERITY, 0, 0xF);
        cs.reset(ResetKind.HOT);
        cs.reset(ResetKind.FUNCTION_LEVEL);
        assertEquals(Aer.UNC_COMPLETER_ABORT, aer.uncorrectableStatus());
        assertEquals(15, aer.firstErrorPointer());
        assertEquals(7, aer.headerLog(0));
        assertEquals(0, aer.uncorrectableSeverity());
        assertThrows(IllegalArgumentException.class, () -> aer.headerLog(4));
    }

    @Test
    void serialNumberFromMac() {
        assertEquals(0x0011_22FF_FE33_4455L, DeviceSerialNumberCapability.fromMac(0x0011_2233_4455L));
        assertThrows(IllegalArgumentException.class, () -> DeviceSerialNumberCapability.fromMac(1L << 48));
    }
}
