package dev.vpcie.devices.config;

import static org.junit.jupiter.api.Assertions.*;

import dev.vpcie.protocol.pci.PciConfig.Msi;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MsiCapabilityTest {
    private final MsiCapability msi = new MsiCapability(4, true, true);
    private final ConfigSpace cs = ConfigSpace.builder().vendorId(1).deviceId(2).classCode(0).capability(msi).build();
    private final int at = msi.offset();
    private final List<Integer> unmasked = new ArrayList<>();

    @Test
    void messageControlAdvertisesTheShape() {
        int control = cs.read(at + Msi.MESSAGE_CONTROL, 2);
        assertEquals(2 << 1 | Msi.CONTROL_64BIT | Msi.CONTROL_PER_VECTOR_MASKING, control, "MMC = log2(4), 64-bit, masking");
        assertEquals(24, msi.length());
        assertEquals(10, new MsiCapability(1, false, false).length());
        assertEquals(14, new MsiCapability(1, true, false).length());
        assertEquals(20, new MsiCapability(1, false, true).length());
        assertThrows(IllegalArgumentException.class, () -> new MsiCapability(3, true, true));
        assertThrows(IllegalArgumentException.class, () -> new MsiCapability(64, true, true));
    }

    @Test
    void softwareProgramsAddressDataAndEnable() {
        cs.writeDword(at + Msi.MESSAGE_ADDRESS, 0xFEE0_0003, 0xF);
        cs.writeDword(at + Msi.MESSAGE_UPPER_ADDRESS, 0x1, 0xF);
        cs.write(at + Msi.MESSAGE_DATA_64, 2, 0x4041);
        cs.write(at + Msi.MESSAGE_CONTROL, 2, Msi.CONTROL_ENABLE | 2 << Msi.CONTROL_MULTIPLE_MESSAGE_ENABLE_SHIFT);
        assertTrue(msi.enabled());
        assertTrue(cs.msiEnabled());
        assertEquals(0x1_FEE0_0000L, msi.address(), "address bits 1:0 are read-only zero");
        assertEquals(0x4041, msi.data());
        assertEquals(4, msi.vectorsEnabled());
        assertEquals(0x4040, msi.messageData(0));
        assertEquals(0x4043, msi.messageData(3), "vector replaces the low log2(n) data bits");
        assertThrows(IllegalArgumentException.class, () -> msi.messageData(4));
        assertEquals(2 << 1 | Msi.CONTROL_64BIT | Msi.CONTROL_PER_VECTOR_MASKING, cs.read(at + Msi.MESSAGE_CONTROL, 2) & ~0x71, "capability bits survive");
    }

    @Test
    void grantedVectorsNeverExceedCapable() {
        cs.write(at + Msi.MESSAGE_CONTROL, 2, 5 << Msi.CONTROL_MULTIPLE_MESSAGE_ENABLE_SHIFT);
        assertEquals(4, msi.vectorsEnabled());
        cs.write(at + Msi.MESSAGE_CONTROL, 2, 0);
        assertEquals(1, msi.vectorsEnabled());
    }

    @Test
    void maskBitsAreWritableOnlyForImplementedVectorsAndPendingIsReadOnly() {
        cs.writeDword(at + Msi.MASK_BITS_64, -1, 0xF);
        assertEquals(0xF, msi.maskBits());
        assertTrue(msi.masked(3));
        msi.setPending(2, true);
        cs.writeDword(at + Msi.PENDING_BITS_64, 0, 0xF);
        assertEquals(0b100, msi.pendingBits(), "software cannot clear Pending");
        msi.setPending(2, false);
        assertFalse(msi.pending(2));
        assertThrows(IllegalArgumentException.class, () -> msi.setPending(4, true));
        assertThrows(IllegalStateException.class, () -> new MsiCapability(1, true, false).setPending(0, true));
    }

    @Test
    void unmaskingAPendingVectorTellsTheRouter() {
        msi.setUnmaskListener(unmasked::add);
        cs.write(at + Msi.MESSAGE_CONTROL, 2, Msi.CONTROL_ENABLE | 2 << Msi.CONTROL_MULTIPLE_MESSAGE_ENABLE_SHIFT);
        cs.writeDword(at + Msi.MASK_BITS_64, 0b1111, 0xF);
        msi.setPending(1, true);
        msi.setPending(3, true);
        cs.writeDword(at + Msi.MASK_BITS_64, 0b1101, 0xF);
        assertEquals(List.of(1), unmasked, "only the unmasked pending vector");
        cs.writeDword(at + Msi.MASK_BITS_64, 0b1101, 0xF);
        assertEquals(List.of(1), unmasked, "no change, no call");
        cs.write(at + Msi.MESSAGE_CONTROL, 2, 0);
        cs.writeDword(at + Msi.MASK_BITS_64, 0, 0xF);
        assertEquals(List.of(1), unmasked, "nothing is delivered while MSI is disabled");
        cs.write(at + Msi.MESSAGE_CONTROL, 2, Msi.CONTROL_ENABLE);
        assertEquals(List.of(1, 1, 3), unmasked, "enabling with pending unmasked vectors delivers them");
    }

    @Test
    void thirtyTwoBitFormPutsDataAtEight() {
        MsiCapability small = new MsiCapability(1, false, true);
        ConfigSpace c2 = ConfigSpace.builder().vendorId(1).deviceId(2).classCode(0).capability(small).build();
        c2.writeDword(small.offset() + Msi.MESSAGE_ADDRESS, 0xFEE00000, 0xF);
        c2.write(small.offset() + Msi.MESSAGE_DATA_32, 2, 0x55);
        c2.writeDword(small.offset() + Msi.MASK_BITS_32, -1, 0xF);
        assertEquals(0xFEE00000L, small.address());
        assertEquals(0x55, small.data());
        assertEquals(1, small.maskBits());
        assertFalse(small.address64());
    }
}
