package dev.vpcie.devices.config;

import static org.junit.jupiter.api.Assertions.*;

import dev.vpcie.devices.spi.ResetKind;
import dev.vpcie.protocol.pci.CapabilityWalker;
import dev.vpcie.protocol.pci.PciConfig;
import dev.vpcie.protocol.pci.PciConfig.Command;
import dev.vpcie.protocol.pci.PciConfig.Status;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigSpaceTest {

    private static ConfigSpace.Builder basic() {
        return ConfigSpace.builder().vendorId(0x8086).deviceId(0x10C9).revisionId(1).classCode(0x020000).subsystem(0x8086, 0xA03C).interruptPin(1);
    }

    private static int sizeBack(ConfigSpace cs, int bar) {
        cs.writeDword(PciConfig.bar(bar), -1, 0xF);
        return cs.readDword(PciConfig.bar(bar));
    }

    @Test
    void headerCarriesIdentityReadOnly() {
        ConfigSpace cs = basic().build();
        assertEquals(0x10C98086, cs.readDword(0));
        assertEquals(0x02000001, cs.readDword(PciConfig.REVISION_ID));
        assertEquals(0xA03C8086, cs.readDword(PciConfig.SUBSYSTEM_VENDOR_ID));
        assertEquals(1, cs.interruptPin());
        assertEquals(0, cs.read(PciConfig.HEADER_TYPE, 1));
        cs.writeDword(0, 0, 0xF);
        cs.write(PciConfig.INTERRUPT_PIN, 1, 3);
        cs.writeDword(PciConfig.REVISION_ID, 0, 0xF);
        assertEquals(0x10C98086, cs.readDword(0), "IDs are read-only");
        assertEquals(1, cs.interruptPin(), "Interrupt Pin is read-only");
        assertEquals(0x020000, cs.classCode());
        assertEquals(0x80, basic().multiFunction(true).build().read(PciConfig.HEADER_TYPE, 1));
    }

    @Test
    void commandRegisterHasExactlyThePcieWritableBits() {
        ConfigSpace cs = basic().bar(0, Bar.memory32(4096)).build();
        cs.write(PciConfig.COMMAND, 2, 0xFFFF);
        int expected = Command.MEMORY_SPACE_ENABLE | Command.BUS_MASTER_ENABLE | Command.PARITY_ERROR_RESPONSE
                | Command.SERR_ENABLE | Command.INTERRUPT_DISABLE;
        assertEquals(expected, cs.command(), "no I/O Space Enable without an I/O BAR; legacy bits hardwired 0");
        assertTrue(cs.memorySpaceEnabled());
        assertTrue(cs.busMasterEnabled());
        assertTrue(cs.interruptDisable());
        assertFalse(cs.ioSpaceEnabled());

        ConfigSpace withIo = basic().bar(1, Bar.io(64)).build();
        withIo.write(PciConfig.COMMAND, 2, Command.IO_SPACE_ENABLE);
        assertTrue(withIo.ioSpaceEnabled());
    }

    @Test
    void conventionalPciFunctionsDeclareTheirLegacyBits() {
        ConfigSpace cs = basic().bar(0, Bar.memory32(4096))
                .extraCommandBits(Command.MEMORY_WRITE_INVALIDATE)
                .extraStatusBits(Status.MHZ_66_CAPABLE | 1 << 9)
                .minGntMaxLat(0xFF, 0x00)
                .build();
        cs.write(PciConfig.COMMAND, 2, 0xFFFF);
        assertNotEquals(0, cs.command() & Command.MEMORY_WRITE_INVALIDATE);
        assertEquals(0, cs.command() & Command.FAST_BACK_TO_BACK_ENABLE);
        assertEquals(Status.MHZ_66_CAPABLE | 1 << 9, cs.status());
        assertEquals(0xFF, cs.read(PciConfig.MIN_GNT, 1));
        assertThrows(IllegalArgumentException.class, () -> basic().extraCommandBits(Command.BUS_MASTER_ENABLE));
        assertThrows(IllegalArgumentException.class, () -> basic().extraStatusBits(Status.INTERRUPT_STATUS));
        assertThrows(IllegalArgumentException.class, () -> basic().minGntMaxLat(256, 0));
    }

    @Test
    void statusErrorBitsAreWriteOneToClearAndTheRestReadOnly() {
        ConfigSpace cs = basic().capability(new PowerManagementCapability()).build();
        assertEquals(Status.CAPABILITIES_LIST, cs.status());
        cs.setRaw(PciConfig.STATUS, 2, Status.CAPABILITIES_LIST | Status.RECEIVED_MASTER_ABORT | Status.SIGNALED_TARGET_ABORT);
        cs.write(PciConfig.STATUS, 2, Status.RECEIVED_MASTER_ABORT | Status.CAPABILITIES_LIST | Status.INTERRUPT_STATUS);
        assertEquals(Status.CAPABILITIES_LIST | Status.SIGNALED_TARGET_ABORT, cs.status(), "1 clears a W1C bit; writes to RO bits do nothing");
        cs.write(PciConfig.STATUS, 2, 0);
        assertEquals(Status.CAPABILITIES_LIST | Status.SIGNALED_TARGET_ABORT, cs.status(), "0 leaves W1C bits alone");
    }

    @Test
    void interruptStatusFollowsTheRouterNotSoftware() {
        ConfigSpace cs = basic().build();
        cs.setInterruptStatus(true);
        assertTrue(cs.interruptStatus());
        cs.write(PciConfig.STATUS, 2, 0xFFFF);
        assertTrue(cs.interruptStatus(), "read-only to software");
        cs.setInterruptStatus(false);
        assertEquals(0, cs.status());
    }

    @Test
    void writableScratchRegisters() {
        ConfigSpace cs = basic().build();
        cs.write(PciConfig.INTERRUPT_LINE, 1, 11);
        cs.write(PciConfig.CACHE_LINE_SIZE, 1, 16);
        assertEquals(11, cs.interruptLine());
        assertEquals(16, cs.read(PciConfig.CACHE_LINE_SIZE, 1));
        cs.write(PciConfig.LATENCY_TIMER, 1, 0x40);
        assertEquals(0, cs.read(PciConfig.LATENCY_TIMER, 1), "Latency Timer is hardwired 0 in PCIe");
        cs.writeDword(PciConfig.EXPANSION_ROM_BASE, -1, 0xF);
        assertEquals(0, cs.readDword(PciConfig.EXPANSION_ROM_BASE), "no expansion ROM");
    }

    @Test
    void barSizingReadsBackTheSizeMaskWithTypeBits() {
        ConfigSpace cs = basic()
                .bar(0, Bar.memory32(128 * 1024))
                .bar(1, Bar.io(32))
                .bar(2, Bar.memory64(1 << 20, true))
                .bar(4, Bar.memory64(16L << 30, false))
                .build();
        assertEquals(0xFFFE0000, sizeBack(cs, 0), "32-bit non-prefetchable 128 KiB");
        assertEquals(0xFFFFFFE1, sizeBack(cs, 1), "I/O, 32 bytes, bit 0 set");
        assertEquals(0xFFF0000C, sizeBack(cs, 2), "64-bit prefetchable 1 MiB: type 10b, prefetchable");
        assertEquals(0xFFFFFFFF, sizeBack(cs, 3), "upper half of a small 64-bit BAR is all writable");
        assertEquals(0x00000004, sizeBack(cs, 4), "16 GiB: no writable bits in the low half");
        assertEquals(0xFFFFFFFC, sizeBack(cs, 5), "upper half of 16 GiB");
        for (int i = 0; i < 6; i++) {
            int back = cs.readDword(PciConfig.bar(i));
            int upper = i + 1 < 6 ? cs.readDword(PciConfig.bar(i + 1)) : 0;
            if (cs.bar(i) != null) assertEquals(cs.bar(i).size(), PciConfig.Bar.size(back, upper), "BAR" + i + " size as software computes it");
        }
    }

    @Test
    void unusedBarsReadZeroAndIgnoreWrites() {
        ConfigSpace cs = basic().bar(0, Bar.memory32(4096)).build();
        assertEquals(0, sizeBack(cs, 1));
        assertEquals(0, sizeBack(cs, 5));
        assertNull(cs.bar(1));
    }

    @Test
    void barAddressesDecodeOnlyWhenEnabled() {
        ConfigSpace cs = basic().bar(0, Bar.memory32(4096)).bar(2, Bar.memory64(1 << 20, true)).bar(4, Bar.io(16)).build();
        cs.writeDword(PciConfig.bar(0), 0xFEB00000, 0xF);
        cs.writeDword(PciConfig.bar(2), 0x00100000, 0xF);
        cs.writeDword(PciConfig.bar(3), 0x20, 0xF);
        cs.writeDword(PciConfig.bar(4), 0xC010, 0xF);
        assertEquals(0xFEB00000L, cs.barAddress(0));
        assertEquals(0x20_0010_0000L, cs.barAddress(2));
        assertEquals(0xC010L, cs.barAddress(4));
        assertEquals(-1, cs.decodeMemory(0xFEB00010L), "Memory Space Enable clear: nothing decodes");
        cs.write(PciConfig.COMMAND, 2, Command.MEMORY_SPACE_ENABLE);
        assertEquals(0, cs.decodeMemory(0xFEB00000L));
        assertEquals(0, cs.decodeMemory(0xFEB00FFFL));
        assertEquals(-1, cs.decodeMemory(0xFEB01000L));
        assertEquals(2, cs.decodeMemory(0x20_001F_FFFFL));
        assertEquals(-1, cs.decodeMemory(0x00_0010_0000L), "the upper half counts");
        assertEquals(-1, cs.decodeMemory(0xC010L), "I/O BARs do not decode memory");
        assertEquals(-1, cs.decodeIo(0xC010L), "I/O Space Enable clear");
        cs.write(PciConfig.COMMAND, 2, Command.MEMORY_SPACE_ENABLE | Command.IO_SPACE_ENABLE);
        assertEquals(4, cs.decodeIo(0xC01FL));
        assertEquals(-1, cs.decodeIo(0xC020L));
        assertThrows(IllegalArgumentException.class, () -> cs.barAddress(3), "upper half of a 64-bit BAR is not a BAR");
    }

    @Test
    void barDefinitionsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> Bar.memory32(3000));
        assertThrows(IllegalArgumentException.class, () -> Bar.memory32(8));
        assertThrows(IllegalArgumentException.class, () -> Bar.io(512));
        assertThrows(IllegalArgumentException.class, () -> new Bar(BarType.IO, 16, true));
        assertThrows(IllegalArgumentException.class, () -> basic().bar(5, Bar.memory64(4096, false)));
        assertThrows(IllegalArgumentException.class, () -> basic().bar(0, Bar.memory64(4096, false)).bar(1, Bar.memory32(4096)));
        assertThrows(IllegalArgumentException.class, () -> basic().bar(0, Bar.memory32(4096)).bar(0, Bar.memory32(4096)));
    }

    @Test
    void capabilitiesArePlacedAndLinkedInTheOrderAdded() {
        MsixCapability msix = new MsixCapability(10, 3, 0, 3, 0x2000);
        ConfigSpace cs = basic().bar(0, Bar.memory32(128 * 1024)).bar(3, Bar.memory32(16 * 1024))
                .capability(new PowerManagementCapability())
                .capability(new MsiCapability(1, true, true))
                .capability(msix)
                .capability(new PciExpressCapability(512, LinkSpeed.GT_2_5, 4, true))
                .extendedCapability(new AerCapability())
                .extendedCapability(new DeviceSerialNumberCapability(0x0011_22FF_FE33_4455L))
                .build();
        assertEquals(0x40, cs.read(PciConfig.CAPABILITIES_POINTER, 1));
        assertTrue((cs.status() & Status.CAPABILITIES_LIST) != 0);

        CapabilityWalker.Walk walk = CapabilityWalker.all(cs);
        assertTrue(walk.defect().isEmpty(), () -> walk.defect().get());
        List<Integer> ids = new ArrayList<>();
        walk.capabilities().forEach(c -> ids.add(c.id()));
        assertEquals(List.of(PciConfig.CapId.POWER_MANAGEMENT, PciConfig.CapId.MSI, PciConfig.CapId.MSI_X, PciConfig.CapId.PCI_EXPRESS,
                PciConfig.ExtCapId.ADVANCED_ERROR_REPORTING, PciConfig.ExtCapId.DEVICE_SERIAL_NUMBER), ids);
        assertEquals(List.of(0x40, 0x48, 0x60, 0x6C, 0x100, 0x148), walk.capabilities().stream().map(c -> c.offset()).toList(),
                "dword-aligned, each right after the previous");
        assertEquals(2, walk.capabilities().get(4).version(), "AER version 2");
        assertEquals(1, walk.capabilities().get(5).version(), "DSN version 1");
        for (ConfigRegion r : List.<ConfigRegion>of(cs.capabilities().get(0), cs.capabilities().get(3), cs.extendedCapabilities().get(1)))
            assertTrue(r.installed());
        assertSame(msix, cs.msix().orElseThrow());
        assertEquals(0x6C, cs.pciExpress().orElseThrow().offset());
        assertEquals(0x0011_22FF_FE33_4455L, (cs.readDword(0x150) & 0xFFFF_FFFFL) << 32 | (cs.readDword(0x14C) & 0xFFFF_FFFFL));
    }

    @Test
    void capabilitiesCanBePlacedAtGivenOffsetsAsOnARealPart() {
        // The 82576's layout: PM 0x40, MSI 0x50, MSI-X 0x70, PCIe 0xA0; AER 0x100, DSN after it.
        ConfigSpace cs = basic().bar(0, Bar.memory32(128 * 1024)).bar(3, Bar.memory32(16 * 1024))
                .capability(new PowerManagementCapability(), 0x40)
                .capability(new MsiCapability(1, true, true), 0x50)
                .capability(new MsixCapability(10, 3, 0, 3, 0x2000), 0x70)
                .capability(new PciExpressCapability(512, LinkSpeed.GT_2_5, 4, true), 0xA0)
                .extendedCapability(new AerCapability(), 0x100)
                .extendedCapability(new DeviceSerialNumberCapability(1))
                .build();
        CapabilityWalker.Walk walk = CapabilityWalker.all(cs);
        assertTrue(walk.defect().isEmpty(), () -> walk.defect().get());
        assertEquals(List.of(0x40, 0x50, 0x70, 0xA0, 0x100, 0x148), walk.capabilities().stream().map(c -> c.offset()).toList());
        assertEquals(0x50, cs.read(0x41, 1), "PM's next pointer");
        assertEquals(0xA0, cs.read(0x71, 1), "MSI-X's next pointer");
        for (int gap = 0x48; gap < 0x50; gap += 4) assertEquals(0, cs.readDword(gap), "gaps read 0");
        cs.writeDword(0x48, -1, 0xF);
        assertEquals(0, cs.readDword(0x48), "gaps are not writable");
    }

    @Test
    void givenCapabilityOffsetsMustBeAlignedAndInOrder() {
        assertThrows(IllegalArgumentException.class, () -> basic().capability(new PowerManagementCapability(), 0x42).build(), "unaligned");
        assertThrows(IllegalArgumentException.class, () -> basic().capability(new PowerManagementCapability(), 0x3C).build(), "in the header");
        assertThrows(IllegalArgumentException.class, () -> basic().capability(new PowerManagementCapability(), 0x50)
                .capability(new MsiCapability(1, true, true), 0x54).build(), "overlaps PM");
        assertThrows(IllegalArgumentException.class, () -> basic().capability(new PowerManagementCapability(), -1), "negative");
        assertThrows(IllegalArgumentException.class, () -> basic().capability(new PciExpressCapability(128, LinkSpeed.GT_2_5, 1, false), 0xE0).build(),
                "runs past 0xFF");
        assertThrows(IllegalArgumentException.class, () -> basic().extendedCapability(new AerCapability(), 0xF0).build(), "below 0x100");
        assertThrows(IllegalArgumentException.class, () -> basic().extendedCapability(new AerCapability(), 0x100)
                .extendedCapability(new DeviceSerialNumberCapability(1), 0x120).build(), "overlaps AER");
    }

    @Test
    void capabilityHeadersAreReadOnly() {
        ConfigSpace cs = basic().capability(new PowerManagementCapability()).capability(new MsiCapability(1, false, false))
                .extendedCapability(new DeviceSerialNumberCapability(1)).build();
        int before = cs.readDword(0x40);
        cs.writeDword(0x40, 0, 0x3);
        cs.write(PciConfig.CAPABILITIES_POINTER, 1, 0x80);
        cs.writeDword(0x100, 0, 0xF);
        assertEquals(before, cs.readDword(0x40));
        assertEquals(0x40, cs.read(PciConfig.CAPABILITIES_POINTER, 1));
        assertEquals(0x00010003, cs.readDword(0x100));
    }

    @Test
    void noCapabilitiesMeansNoListAndAZeroExtendedHeader() {
        ConfigSpace cs = basic().build();
        assertEquals(0, cs.status() & Status.CAPABILITIES_LIST);
        assertEquals(0, cs.read(PciConfig.CAPABILITIES_POINTER, 1));
        assertEquals(0, cs.readDword(0x100));
        assertTrue(CapabilityWalker.all(cs).capabilities().isEmpty());
        assertTrue(CapabilityWalker.all(cs).defect().isEmpty());
    }

    @Test
    void capabilitiesThatDoNotFitAreRefused() {
        ConfigSpace.Builder b = basic();
        for (int i = 0; i < 4; i++) b.capability(new PciExpressCapability(128, LinkSpeed.GT_2_5, 1, false));
        assertThrows(IllegalArgumentException.class, b::build);
        PowerManagementCapability pm = new PowerManagementCapability();
        basic().capability(pm).build();
        assertThrows(IllegalArgumentException.class, () -> basic().capability(pm), "a capability lives in one space");
    }

    @Test
    void byteEnablesSelectTheBytesWritten() {
        ConfigSpace cs = basic().build();
        cs.writeDword(PciConfig.CACHE_LINE_SIZE, 0x12345678, 0b0000);
        assertEquals(0, cs.read(PciConfig.CACHE_LINE_SIZE, 1));
        cs.writeDword(PciConfig.CACHE_LINE_SIZE, 0x12345678, 0b0001);
        assertEquals(0x78, cs.read(PciConfig.CACHE_LINE_SIZE, 1));
        cs.writeDword(PciConfig.INTERRUPT_LINE, 0x0000_0A00, 0b0010);
        assertEquals(0, cs.interruptLine(), "byte 1 (Interrupt Pin) is read-only, byte 0 not enabled");
        assertThrows(IllegalArgumentException.class, () -> cs.writeDword(0, 0, 0x10));
    }

    @Test
    void badOffsetsAndSizesAreRefused() {
        ConfigSpace cs = basic().build();
        assertThrows(IllegalArgumentException.class, () -> cs.readDword(4096));
        assertThrows(IllegalArgumentException.class, () -> cs.readDword(-4));
        assertThrows(IllegalArgumentException.class, () -> cs.read(1, 2), "not naturally aligned");
        assertThrows(IllegalArgumentException.class, () -> cs.read(0, 3));
        assertThrows(IllegalArgumentException.class, () -> cs.write(2, 4, 0));
        assertEquals(0, cs.readDword(0xFFC), "the whole 4 KiB is addressable");
    }

    @Test
    void listenersAndCapabilitiesHearWrites() {
        ConfigSpace cs = basic().bar(0, Bar.memory32(4096)).build();
        List<ConfigWrite> heard = new ArrayList<>();
        ConfigWriteListener l = heard::add;
        cs.addWriteListener(l);
        cs.write(PciConfig.COMMAND, 2, Command.MEMORY_SPACE_ENABLE);
        assertEquals(1, heard.size());
        ConfigWrite w = heard.get(0);
        assertEquals(PciConfig.COMMAND, w.offset());
        assertEquals(0b0011, w.byteEnables());
        assertEquals(Command.MEMORY_SPACE_ENABLE, w.set());
        assertEquals(0, w.cleared());
        assertTrue(w.touches(PciConfig.COMMAND, 2));
        assertFalse(w.touches(PciConfig.STATUS, 2));
        cs.removeWriteListener(l);
        cs.write(PciConfig.COMMAND, 2, 0);
        assertEquals(1, heard.size());
    }

    @Test
    void routingIdIsCapturedAndForgottenOnlyByHotReset() {
        ConfigSpace cs = basic().build();
        assertEquals(ConfigSpace.NOT_CAPTURED, cs.routingId());
        cs.captureRoutingId(0x0300);
        assertEquals(0x0300, cs.routingId());
        cs.captureRoutingId(0x0500);
        assertEquals(0x0500, cs.routingId(), "every type-0 write captures (PCIe 2.2.6.2)");
        cs.reset(ResetKind.FUNCTION_LEVEL);
        assertEquals(0x0500, cs.routingId());
        cs.reset(ResetKind.HOT);
        assertEquals(ConfigSpace.NOT_CAPTURED, cs.routingId());
        assertThrows(IllegalArgumentException.class, () -> cs.captureRoutingId(0x10000));
    }

    @Test
    void resetRestoresDefaultsButKeepsStickyBits() {
        AerCapability aer = new AerCapability();
        ConfigSpace cs = basic().bar(0, Bar.memory32(4096)).extendedCapability(aer).build();
        byte[] pristine = cs.snapshot();
        cs.write(PciConfig.COMMAND, 2, Command.MEMORY_SPACE_ENABLE | Command.BUS_MASTER_ENABLE);
        cs.writeDword(PciConfig.BAR0, 0xF0000000, 0xF);
        cs.write(PciConfig.INTERRUPT_LINE, 1, 5);
        aer.recordUncorrectable(AerCapability.Uncorrectable.UNSUPPORTED_REQUEST, new int[] {1, 2, 3, 4});
        cs.writeDword(aer.offset() + PciConfig.Aer.UNCORRECTABLE_MASK, 1 << 14, 0xF);
        cs.reset(ResetKind.HOT);
        assertEquals(0, cs.command());
        assertEquals(0, cs.barAddress(0));
        assertEquals(0, cs.interruptLine());
        assertEquals(1 << 20, aer.uncorrectableStatus(), "AER status is sticky");
        assertEquals(1 << 14, aer.uncorrectableMask(), "AER mask is sticky");
        assertEquals(2, aer.headerLog(1));
        cs.writeDword(aer.offset() + PciConfig.Aer.UNCORRECTABLE_STATUS, -1, 0xF);
        cs.writeDword(aer.offset() + PciConfig.Aer.UNCORRECTABLE_MASK, 0, 0xF);
        byte[] now = cs.snapshot();
        for (int i = 0; i < 0x100; i++) assertEquals(pristine[i], now[i], "header byte 0x" + Integer.toHexString(i));
    }

    @Test
    void builderNeedsIdentity() {
        assertThrows(IllegalStateException.class, () -> ConfigSpace.builder().vendorId(1).deviceId(2).build());
        assertThrows(IllegalStateException.class, () -> ConfigSpace.builder().vendorId(0xFFFF).deviceId(2).classCode(0).build());
        assertThrows(IllegalArgumentException.class, () -> ConfigSpace.builder().vendorId(0x10000));
        assertThrows(IllegalArgumentException.class, () -> ConfigSpace.builder().classCode(0x1000000));
        assertThrows(IllegalArgumentException.class, () -> ConfigSpace.builder().interruptPin(5));
    }

    @Test
    void maxSizesDefaultWithoutAPcieCapability() {
        ConfigSpace cs = basic().build();
        assertEquals(128, cs.maxPayloadSize());
        assertEquals(512, cs.maxReadRequestSize());
        assertFalse(cs.msiEnabled());
        assertFalse(cs.msixEnabled());
        assertTrue(cs.inD0());
    }
}
