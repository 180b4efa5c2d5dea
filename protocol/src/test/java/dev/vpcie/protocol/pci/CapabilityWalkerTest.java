package dev.vpcie.protocol.pci;

import static dev.vpcie.protocol.pci.PciConfig.CapId;
import static dev.vpcie.protocol.pci.PciConfig.ExtCapId;
import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class CapabilityWalkerTest {

    /** A config space in DWs, like a function's registers. */
    static final class Space implements ConfigReader {
        final int[] dw = new int[1024];
        int reads;

        Space() {
            dw[0] = 0x100E8086;                                   // 82540EM
            dw[1] = PciConfig.Status.CAPABILITIES_LIST << 16;
        }

        Space capPointer(int offset) { dw[PciConfig.CAPABILITIES_POINTER / 4] = offset; return this; }

        Space cap(int offset, int id, int next) { dw[offset / 4] = next << 8 | id; return this; }

        Space ext(int offset, int id, int version, int next) { dw[offset / 4] = next << 20 | version << 16 | id; return this; }

        @Override public int read32(int offset) {
            assertEquals(0, offset & 3, "DW aligned");
            if (++reads > 10_000) fail("walker does not stop");
            return dw[offset / 4];
        }
    }

    private static List<String> names(CapabilityWalker.Walk w) {
        return w.capabilities().stream().map(Capability::name).toList();
    }

    @Test void walksAnEndpointsLists() {
        Space s = new Space().capPointer(0x40)
                .cap(0x40, CapId.POWER_MANAGEMENT, 0x50).cap(0x50, CapId.MSI, 0x70).cap(0x70, CapId.PCI_EXPRESS, 0xA0)
                .cap(0xA0, CapId.MSI_X, 0)
                .ext(0x100, ExtCapId.ADVANCED_ERROR_REPORTING, 2, 0x140).ext(0x140, ExtCapId.DEVICE_SERIAL_NUMBER, 1, 0x1A0)
                .ext(0x1A0, ExtCapId.SR_IOV, 1, 0);
        CapabilityWalker.Walk w = CapabilityWalker.all(s);
        assertEquals(Optional.empty(), w.defect());
        assertEquals(List.of("Power Management", "MSI", "PCI Express", "MSI-X", "Advanced Error Reporting",
                "Device Serial Number", "Single Root I/O Virtualization"), names(w));
        assertEquals(new Capability(CapId.PCI_EXPRESS, 0x70, false, 0), w.find(CapId.PCI_EXPRESS).orElseThrow());
        assertEquals(new Capability(ExtCapId.ADVANCED_ERROR_REPORTING, 0x100, true, 2), w.capabilities().get(4));
        assertEquals("[70] PCI Express (0x10)", w.capabilities().get(2).toString());
        assertEquals("[100] Advanced Error Reporting (0x0001 v2)", w.capabilities().get(4).toString());
    }

    @Test void noCapabilitiesListBitMeansNoStandardCaps() {
        Space s = new Space().capPointer(0x40).cap(0x40, CapId.MSI, 0);
        s.dw[1] = 0;
        assertEquals(List.of(), CapabilityWalker.standard(s).capabilities());
        assertEquals(Optional.empty(), CapabilityWalker.standard(s).defect());
    }

    @Test void masksReservedPointerBits() {
        Space s = new Space().capPointer(0x43).cap(0x40, CapId.MSI, 0x52).cap(0x50, CapId.PCI_EXPRESS, 0)
                .ext(0x100, ExtCapId.ADVANCED_ERROR_REPORTING, 1, 0x143).ext(0x140, ExtCapId.ACCESS_CONTROL_SERVICES, 1, 0);
        assertEquals(List.of("MSI", "PCI Express", "Advanced Error Reporting", "Access Control Services"),
                names(CapabilityWalker.all(s)));
    }

    @Test void cardBusKeepsItsPointerElsewhere() {
        Space s = new Space().cap(0x60, CapId.POWER_MANAGEMENT, 0);
        s.dw[PciConfig.CACHE_LINE_SIZE / 4] = PciConfig.HeaderType.CARDBUS << 16;
        s.dw[PciConfig.CARDBUS_CAPABILITIES_POINTER / 4] = 0x60;
        assertEquals(List.of("Power Management"), names(CapabilityWalker.standard(s)));
    }

    @Test void stopsAtACycle() {
        Space s = new Space().capPointer(0x40).cap(0x40, CapId.PCI_EXPRESS, 0x50).cap(0x50, CapId.MSI, 0x40);
        CapabilityWalker.Walk w = CapabilityWalker.standard(s);
        assertEquals(List.of("PCI Express", "MSI"), names(w));
        assertEquals(Optional.of("capability list loops back to 0x40"), w.defect());
        Space self = new Space().capPointer(0x40).cap(0x40, CapId.PCI_EXPRESS, 0x40);
        assertEquals(1, CapabilityWalker.standard(self).capabilities().size());
    }

    @Test void stopsAtAPointerIntoTheHeader() {
        Space s = new Space().capPointer(0x40).cap(0x40, CapId.PCI_EXPRESS, 0x10);
        assertEquals(Optional.of("capability pointer 0x10 points into the header"), CapabilityWalker.standard(s).defect());
    }

    @Test void absentFunctionReadsAllOnes() {
        ConfigReader none = offset -> -1;
        CapabilityWalker.Walk w = CapabilityWalker.all(none);
        assertEquals(List.of(), w.capabilities());
        assertEquals(Optional.of("no function responds (Vendor ID 0xffff)"), w.defect());
    }

    @Test void extendedListDefects() {
        assertEquals(Optional.of("extended capability list loops back to 0x100"),
                CapabilityWalker.extended(new Space().ext(0x100, 1, 1, 0x200).ext(0x200, 3, 1, 0x100)).defect());
        assertEquals(Optional.of("extended capability pointer 0x0c0 is below 0x100"),
                CapabilityWalker.extended(new Space().ext(0x100, 1, 1, 0xC0)).defect());
        assertEquals(Optional.of("extended capability pointer 0x300 leads to an empty header"),
                CapabilityWalker.extended(new Space().ext(0x100, 1, 1, 0x300)).defect());
        assertEquals(Optional.empty(), CapabilityWalker.extended(new Space()).defect(), "no extended capabilities");
    }

    @Test void longestPossibleChainEnds() {
        Space s = new Space().capPointer(0x40);
        for (int off = 0x40; off <= 0xFC; off += 4) s.cap(off, CapId.VENDOR_SPECIFIC, off == 0xFC ? 0x40 : off + 4);
        CapabilityWalker.Walk w = CapabilityWalker.standard(s);
        assertEquals(48, w.capabilities().size());
        assertTrue(w.defect().orElseThrow().contains("loops"));
    }

    /** Whatever garbage a config space holds, a walk ends and never throws. */
    @Property(tries = 300)
    void arbitrarySpacesTerminate(@ForAll @Size(1024) int[] registers) {
        Space s = new Space();
        System.arraycopy(registers, 0, s.dw, 0, 1024);
        CapabilityWalker.Walk w = CapabilityWalker.all(s);
        assertTrue(w.capabilities().size() <= 48 + 960);
    }
}
