package dev.vpcie.devices.config;

import static org.junit.jupiter.api.Assertions.*;

import dev.vpcie.devices.spi.ResetKind;
import dev.vpcie.protocol.pci.PciConfig.MsiX;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MsixCapabilityTest {
    private static final int BAR = 3;
    private static final long PBA = 0x2000;
    private final MsixCapability msix = new MsixCapability(10, BAR, 0, BAR, PBA);
    private final ConfigSpace cs = ConfigSpace.builder().vendorId(0x8086).deviceId(0x10C9).classCode(0x020000)
            .bar(0, Bar.memory32(128 * 1024)).bar(BAR, Bar.memory32(16 * 1024)).capability(msix).build();
    private final int control = msix.offset() + MsiX.MESSAGE_CONTROL;
    private final List<Integer> deliverable = new ArrayList<>();

    private void program(int v, long address, int data, boolean masked) {
        long e = (long) v * MsiX.ENTRY_SIZE;
        msix.mmioWrite(BAR, e + MsiX.ENTRY_ADDRESS, 8, address);
        msix.mmioWrite(BAR, e + MsiX.ENTRY_DATA, 4, data);
        msix.mmioWrite(BAR, e + MsiX.ENTRY_VECTOR_CONTROL, 4, masked ? 1 : 0);
    }

    @Test
    void capabilityRegistersLocateTableAndPba() {
        assertEquals(9, cs.read(control, 2) & MsiX.CONTROL_TABLE_SIZE_MASK, "Table Size is N-1");
        assertEquals(BAR, cs.readDword(msix.offset() + MsiX.TABLE_OFFSET_BIR));
        assertEquals((int) PBA | BAR, cs.readDword(msix.offset() + MsiX.PBA_OFFSET_BIR));
        cs.writeDword(msix.offset() + MsiX.TABLE_OFFSET_BIR, 0x1000, 0xF);
        assertEquals(BAR, cs.readDword(msix.offset() + MsiX.TABLE_OFFSET_BIR), "read-only");
        assertEquals(160, msix.tableLength());
        assertEquals(8, msix.pbaLength());
    }

    @Test
    void entriesResetMaskedAndTakeSoftwareProgramming() {
        for (int v = 0; v < 10; v++) assertTrue(msix.entry(v).masked(), "Mask Bit is 1 after reset");
        program(7, 0xFEE0_1003L, 0x4077, false);
        MsixEntry e = msix.entry(7);
        assertEquals(0xFEE0_1000L, e.address(), "address bits 1:0 read-only zero");
        assertEquals(0x4077, e.data());
        assertFalse(e.masked());
        msix.mmioWrite(BAR, 7 * 16 + 4, 4, 0x2);
        assertEquals(0x2_FEE0_1000L, msix.entry(7).address(), "upper address");
        msix.mmioWrite(BAR, 7 * 16 + 12, 4, 0xFFFF_FFFFL);
        assertEquals(1, msix.mmioRead(BAR, 7 * 16 + 12, 4), "Vector Control reserved bits read 0");
        assertEquals(0x4077, msix.mmioRead(BAR, 7 * 16 + 8, 4));
        assertEquals(0x77, msix.mmioRead(BAR, 7 * 16 + 8, 1), "byte reads");
        assertEquals(0x0000_4077_0000_0002L, msix.mmioRead(BAR, 7 * 16 + 4, 8) & 0xFFFF_FFFF_FFFF_FFFFL, "qword reads");
    }

    @Test
    void maskedMeansEntryMaskOrFunctionMask() {
        program(0, 0xFEE00000L, 1, false);
        assertFalse(msix.masked(0));
        cs.write(control, 2, MsiX.CONTROL_ENABLE | MsiX.CONTROL_FUNCTION_MASK);
        assertTrue(msix.functionMasked());
        assertTrue(msix.masked(0));
        assertTrue(msix.enabled());
        assertTrue(cs.msixEnabled());
    }

    @Test
    void pbaIsReadableByteAndQwordAndReadOnlyToSoftware() {
        msix.setPending(0, true);
        msix.setPending(9, true);
        assertEquals(0x201, msix.mmioRead(BAR, PBA, 8));
        assertEquals(0x02, msix.mmioRead(BAR, PBA + 1, 1));
        assertFalse(msix.mmioWrite(BAR, PBA, 8, 0), "PBA writes are refused");
        assertTrue(msix.pending(9));
        msix.setPending(9, false);
        assertEquals(1, msix.mmioRead(BAR, PBA, 8));
    }

    @Test
    void claimsOnlyTableAndPba() {
        assertTrue(msix.claims(BAR, 0, 4));
        assertTrue(msix.claims(BAR, 159 - 3, 4));
        assertFalse(msix.claims(BAR, 160, 4));
        assertTrue(msix.claims(BAR, PBA, 8));
        assertFalse(msix.claims(BAR, PBA + 8, 4));
        assertFalse(msix.claims(0, 0, 4));
        assertThrows(IllegalArgumentException.class, () -> msix.mmioRead(BAR, 0x1000, 4));
        assertThrows(IllegalArgumentException.class, () -> msix.mmioWrite(BAR, 0x1000, 4, 0));
    }

    @Test
    void pendingVectorsAreDeliveredWhenUnmaskedEnabledOrFunctionUnmasked() {
        msix.setUnmaskListener(deliverable::add);
        program(2, 0xFEE00000L, 2, true);
        program(5, 0xFEE00000L, 5, true);
        msix.setPending(2, true);
        msix.setPending(5, true);
        msix.mmioWrite(BAR, 2 * 16 + 12, 4, 0);
        assertEquals(List.of(), deliverable, "MSI-X not enabled yet");
        cs.write(control, 2, MsiX.CONTROL_ENABLE | MsiX.CONTROL_FUNCTION_MASK);
        assertEquals(List.of(), deliverable, "function masked");
        cs.write(control, 2, MsiX.CONTROL_ENABLE);
        assertEquals(List.of(2), deliverable, "clearing Function Mask delivers pending unmasked vectors");
        msix.mmioWrite(BAR, 5 * 16 + 12, 1, 0);
        assertEquals(List.of(2, 5), deliverable, "clearing an entry's mask bit delivers it");
        msix.mmioWrite(BAR, 5 * 16 + 12, 4, 0);
        assertEquals(List.of(2, 5), deliverable, "already unmasked: no second call");
    }

    @Test
    void resetMasksEntriesAndClearsPending() {
        program(1, 0xFEE00000L, 1, false);
        msix.setPending(1, true);
        cs.write(control, 2, MsiX.CONTROL_ENABLE);
        cs.reset(ResetKind.FUNCTION_LEVEL);
        assertTrue(msix.entry(1).masked());
        assertEquals(0, msix.entry(1).address());
        assertFalse(msix.pending(1));
        assertFalse(msix.enabled());
    }

    @Test
    void badGeometryIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new MsixCapability(0, 0, 0, 0, 0x800));
        assertThrows(IllegalArgumentException.class, () -> new MsixCapability(2049, 0, 0, 0, 0x8000));
        assertThrows(IllegalArgumentException.class, () -> new MsixCapability(4, 0, 4, 0, 0x800), "table offset not 8-aligned");
        assertThrows(IllegalArgumentException.class, () -> new MsixCapability(4, 0, 0, 0, 0x20), "PBA inside the table");
        assertThrows(IllegalArgumentException.class, () -> ConfigSpace.builder().vendorId(1).deviceId(1).classCode(0)
                .capability(new MsixCapability(4, 1, 0, 1, 0x800)).build(), "BIR names no BAR");
        assertThrows(IllegalArgumentException.class, () -> ConfigSpace.builder().vendorId(1).deviceId(1).classCode(0)
                .bar(0, Bar.memory32(1024)).capability(new MsixCapability(4, 0, 0, 0, 0x800)).build(), "PBA beyond the BAR");
        assertThrows(IllegalArgumentException.class, () -> ConfigSpace.builder().vendorId(1).deviceId(1).classCode(0)
                .bar(0, Bar.io(256)).capability(new MsixCapability(4, 0, 0, 0, 0x80)).build(), "I/O BAR");
        assertThrows(IllegalArgumentException.class, () -> msix.entry(10));
    }
}
