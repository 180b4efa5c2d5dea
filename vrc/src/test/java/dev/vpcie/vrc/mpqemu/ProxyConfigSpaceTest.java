package dev.vpcie.vrc.mpqemu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.protocol.pci.Capability;
import dev.vpcie.protocol.pci.CapabilityWalker;
import dev.vpcie.protocol.pci.PciConfig;
import dev.vpcie.vrc.Bar;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The configuration space the guest sees, against a function whose config is a byte array. */
class ProxyConfigSpaceTest {
    private FakeRemoteFunction f;
    private final List<String> accesses = new ArrayList<>();
    private ProxyConfigSpace space;

    /** The function after the root complex enumerated it: BARs at the root complex's addresses, MPS 256. */
    @BeforeEach void setUp() {
        f = FakeRemoteFunction.nic();
        f.set(0x10, 4, 0xE000_0000L);
        f.set(0x18, 4, 0x1001);
        f.set(0x1C, 4, 0xE002_0000L);
        f.set(0x20, 4, 0x0000_000CL);
        f.set(0x24, 4, 0x8);
        f.set(0xA8, 2, 0x2830); // MRRS 512, MPS 256
        List<Bar> bars = List.of(new Bar(0, Bar.Kind.MEMORY_32, false, 0xE000_0000L, 128 << 10), new Bar(2, Bar.Kind.IO, false, 0x1000, 32),
                new Bar(3, Bar.Kind.MEMORY_32, false, 0xE002_0000L, 16 << 10), new Bar(4, Bar.Kind.MEMORY_64, true, 0x8_0000_0000L, 1 << 20));
        List<Capability> caps = CapabilityWalker.standard(off -> (int) f.get(off, 4)).capabilities();
        space = new ProxyConfigSpace(new ConfigPort() {
            @Override public long read(int offset, int width) {
                accesses.add("r" + Integer.toHexString(offset));
                return f.get(offset, width);
            }

            @Override public void write(int offset, int width, long value) {
                accesses.add("w" + Integer.toHexString(offset) + "=" + Long.toHexString(value));
                for (int i = 0; i < width; i++) {
                    int o = offset + i;
                    f.config[o] = (byte) (f.config[o] & ~f.mask[o] | (byte) (value >>> (8 * i)) & f.mask[o]);
                }
            }
        }, bars, caps, 1, 256);
    }

    /** QEMU's probe: read, write all-ones, read back, restore; size = ~(v & ~0xf) + 1. */
    private long probe(int reg) {
        int original = space.read(reg, 4);
        space.write(reg, 4, 0xFFFF_FFFF);
        int v = space.read(reg, 4);
        space.write(reg, 4, original);
        assertEquals(original, space.read(reg, 4), "restored");
        return (~(v & 0xFFFF_FFF0L) + 1) & 0xFFFF_FFFFL;
    }

    @Test void barsSizeAsQemusProxyProbesThemWithoutTouchingTheFunction() {
        assertEquals(128 << 10, probe(0x10));
        assertEquals(0, probe(0x14));
        assertEquals(32, probe(0x18));
        assertEquals(16 << 10, probe(0x1C));
        assertEquals(1 << 20, probe(0x20));
        assertEquals(0, probe(0x24), "the upper half of the 64-bit BAR is an unimplemented BAR");
        assertEquals(0, probe(0x28), "CardBus CIS reads 0");
        assertTrue(accesses.isEmpty(), "BAR sizing stays in the bridge: " + accesses);
        assertEquals(0xE000_0000L, f.get(0x10, 4), "the function keeps the root complex's address");
    }

    @Test void barFlagsShowThirtyTwoBitMemoryAndIoWithBitZeroKept() {
        space.write(0x18, 4, 0xFFFF_FFFF);
        assertEquals(0xFFFF_FFE1, space.read(0x18, 4), "I/O mask with bit 0 set");
        space.write(0x18, 4, 0xC040);
        assertEquals(0xC041, space.read(0x18, 4), "bit 0 stays set whatever is written");
        space.write(0x20, 4, 0xFFFF_FFFF);
        assertEquals(0xFFF0_0008, space.read(0x20, 4), "64-bit prefetchable shown as 32-bit prefetchable");
        space.write(0x10, 2, 0x1234);
        space.write(0x12, 2, 0xFEBC);
        assertEquals(0xFEBC_0000, space.read(0x10, 4), "16-bit halves merge; low bits below the size read 0");
    }

    @Test void decodeTranslatesGuestAddressesToTheRemoteBar() {
        space.write(0x10, 4, 0xFEBC_0000);
        space.write(0x18, 4, 0xC040);
        space.write(0x20, 4, 0xFE00_0000);
        ProxyConfigSpace.Hit h = space.decode(0xFEBC_00C8L, 4, true);
        assertEquals(0, h.bar().remote().index());
        assertEquals(0xC8, h.offset());
        assertEquals(4, space.decode(0xFE0F_FFF8L, 8, true).bar().remote().index());
        assertNull(space.decode(0xFE10_0000L, 4, true), "past the end");
        assertNull(space.decode(0xFEBD_FFFEL, 4, true), "straddles the end");
        ProxyConfigSpace.Hit io = space.decode(0xC05C, 4, false);
        assertEquals(2, io.bar().remote().index());
        assertEquals(0x1C, io.offset());
        assertNull(space.decode(0xC05C, 4, true), "memory does not hit an I/O BAR");
        assertNull(space.decode(0xE002_0000L, 4, true), "BAR3 is unassigned until the guest writes it");
        space.reset();
        assertNull(space.decode(0xFEBC_00C8L, 4, true), "reset unassigns");
        assertEquals(0, space.read(0x10, 4));
    }

    @Test void msiAndMsixAreUnlinkedFromTheCapabilityList() {
        List<Integer> ids = CapabilityWalker.standard(off -> space.read(off, 4)).capabilities().stream().map(Capability::id).toList();
        assertEquals(List.of(PciConfig.CapId.POWER_MANAGEMENT, PciConfig.CapId.PCI_EXPRESS), ids);
        assertEquals(ids, space.visibleCapabilities().stream().map(Capability::id).toList());
        assertEquals(0x40, space.read(0x34, 1));
        assertEquals(0xA0, space.read(0x41, 1), "PM now points past MSI and MSI-X");
        assertEquals(0x10, space.read(0x06, 2) & 0x10, "capabilities list bit kept");
    }

    @Test void noVisibleCapabilitiesClearsTheStatusBit() {
        ProxyConfigSpace s = new ProxyConfigSpace(new ConfigPort() {
            @Override public long read(int offset, int width) { return f.get(offset, width); }
            @Override public void write(int offset, int width, long value) { }
        }, List.of(), List.of(new Capability(PciConfig.CapId.MSI, 0x50, false, 0)), 1, 128);
        assertEquals(0, s.read(0x34, 1));
        assertEquals(0, s.read(0x04, 4) >>> 16 & 0x10);
    }

    @Test void interruptPinIsIntaWhateverPinTheFunctionUses() {
        f.config[0x3D] = 3;
        assertEquals(1, space.read(0x3D, 1));
        assertEquals(1, space.read(0x3C, 4) >>> 8 & 0xFF, "INTA in the DW read too");
    }

    @Test void forwardedWritesKeepTheRootComplexsMaxPayloadSize() {
        space.write(0xA8, 2, 0x0000); // the guest asks for MPS 128, MRRS 128
        assertEquals(0x0020, f.get(0xA8, 2), "MPS stays 256, MRRS follows the guest");
        assertEquals(0x0020, space.read(0xA8, 2));
        space.write(0x04, 2, 0x0407);
        assertEquals(0x0407, f.get(0x04, 2), "the command register is the function's");
        space.write(0x3C, 1, 11);
        assertEquals(11, f.get(0x3C, 1));
    }

    @Test void romAndCisAreZeroAndWritesToThemStayHere() {
        space.write(0x30, 4, 0xFFFF_F800);
        assertEquals(0, space.read(0x30, 4));
        space.write(0x28, 4, 0xFFFF_FFFF);
        assertEquals(0, space.read(0x28, 4));
        assertTrue(accesses.isEmpty(), accesses.toString());
    }

    @Test void mixedReadsOverlayOwnedBitsOnTheFunctionsValue() {
        int dw = space.read(0x34, 4);
        assertEquals(0x40, dw & 0xFF);
        assertEquals(List.of("r34"), accesses);
    }
}
