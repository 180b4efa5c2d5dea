package dev.vpcie.vrc;

import static org.junit.jupiter.api.Assertions.*;

import dev.vpcie.protocol.link.DirectTlpPort;
import dev.vpcie.protocol.pci.Capability;
import dev.vpcie.protocol.tlp.Bdf;
import dev.vpcie.testsupport.Await;
import java.util.List;
import org.junit.jupiter.api.Test;

class EnumerationTest {

    @Test void findsIdsClassBarsAndCapabilities() throws Exception {
        try (Fixture fx = Fixture.nic()) {
            PcieDevice d = fx.enumerateOne();
            assertEquals(Bdf.of(1, 0, 0), d.bdf());
            assertEquals(0x8086, d.vendorId());
            assertEquals(0x10C9, d.deviceId());
            assertEquals(0x020000, d.classCode());
            assertEquals(1, d.revision());
            assertEquals(0xA03C, d.subsystemId());
            assertFalse(d.multiFunction());
            assertEquals(1, d.interruptPin());

            RootComplexConfig c = fx.rc.config();
            Bar bar0 = d.bar(0), bar2 = d.bar(2), bar3 = d.bar(3), bar4 = d.bar(4);
            assertEquals(List.of(0, 2, 3, 4), d.bars().stream().map(Bar::index).toList());
            assertEquals(new Bar(0, Bar.Kind.MEMORY_32, false, bar0.address(), 128 << 10), bar0);
            assertEquals(new Bar(2, Bar.Kind.IO, false, bar2.address(), 32), bar2);
            assertEquals(new Bar(3, Bar.Kind.MEMORY_32, false, bar3.address(), 16 << 10), bar3);
            assertEquals(new Bar(4, Bar.Kind.MEMORY_64, true, bar4.address(), 1 << 20), bar4);
            assertTrue(c.mmio32().contains(bar0.address(), bar0.size()));
            assertTrue(c.mmio32().contains(bar3.address(), bar3.size()));
            assertTrue(c.mmio64().contains(bar4.address(), bar4.size()), "64-bit prefetchable BAR above 4 GiB");
            assertTrue(c.io().contains(bar2.address(), bar2.size()));
            for (Bar b : d.bars()) assertEquals(0, b.address() % b.size(), "BAR " + b.index() + " naturally aligned");

            // The function holds the addresses written, and decodes them.
            FakeFunction f = fx.endpoint.functions[0];
            assertEquals(bar0.address(), f.barBase(0));
            assertEquals(bar4.address(), f.barBase(4));
            assertEquals(0x7, f.get16(0x04) & 0x7, "I/O, Memory Space and Bus Master enabled");

            assertEquals(List.of(new Capability(0x01, 0x40, false, 0), new Capability(0x05, 0x50, false, 0),
                    new Capability(0x11, 0x70, false, 0), new Capability(0x10, 0xA0, false, 0),
                    new Capability(0x0001, 0x100, true, 1), new Capability(0x0003, 0x140, true, 1)), d.capabilities());

            // MPS: min(root complex 256, supported 512); MRRS as configured (512).
            assertEquals(256, d.maxPayloadSize());
            assertEquals(512, d.maxReadRequestSize());
            int devctl = f.get16(0xA8);
            assertEquals(1, devctl >>> 5 & 7, "MPS code 1 = 256 bytes");
            assertEquals(2, devctl >>> 12 & 7, "MRRS code 2 = 512 bytes");

            // The first type-0 configuration write told the function its bus and device number.
            assertEquals(1, fx.endpoint.bus);
            assertEquals(0, fx.endpoint.device);
            assertEquals(0, fx.rc.counters().get(Counter.UNSUPPORTED_REQUEST), "enumeration probes are not errors");
            assertEquals(16, f.config[0x3C], "interrupt line assigned");
        }
    }

    @Test void multiFunctionDeviceShowsEveryFunctionAndSkipsHoles() throws Exception {
        try (Fixture fx = new Fixture(FakeFunction.nic(0, true), FakeFunction.nic(1, true), FakeFunction.nic(3, true))) {
            List<PcieDevice> found = fx.rc.enumerate();
            assertEquals(List.of("01:00.0", "01:00.1", "01:00.3"), found.stream().map(PcieDevice::name).toList());
            assertTrue(found.getFirst().multiFunction());
            // Six BARs' worth of distinct addresses: nothing overlaps.
            long distinct = found.stream().flatMap(d -> d.bars().stream()).map(Bar::address).distinct().count();
            assertEquals(12, distinct);
        }
    }

    @Test void singleFunctionDeviceIsNotProbedBeyondFunctionZero() throws Exception {
        // Function 1 exists in the fake, but function 0 does not claim multi-function: not seen.
        try (Fixture fx = new Fixture(FakeFunction.nic(0, false), FakeFunction.nic(1, false))) {
            assertEquals(List.of("01:00.0"), fx.rc.enumerate().stream().map(PcieDevice::name).toList());
        }
    }

    @Test void emptyEndpointGivesNoFunctions() throws Exception {
        try (Fixture fx = new Fixture()) {
            assertEquals(List.of(), fx.rc.enumerate());
        }
    }

    @Test void twoEndpointsAreTwoBusesWithDisjointBars() throws Exception {
        try (Fixture fx = Fixture.nic()) {
            DirectTlpPort[] second = DirectTlpPort.pair("second");
            second[0].upWithoutTelling();
            new FakeEndpoint(second[1]).with(FakeFunction.nic(0, false));
            fx.rc.attach(second[0]);
            List<PcieDevice> found = fx.rc.enumerate();
            assertEquals(List.of("01:00.0", "02:00.0"), found.stream().map(PcieDevice::name).toList());
            for (Bar a : found.get(0).bars())
                for (Bar b : found.get(1).bars())
                    assertFalse(a.kind() == Bar.Kind.IO == (b.kind() == Bar.Kind.IO)
                            && a.address() < b.address() + b.size() && b.address() < a.address() + a.size(), a + " vs " + b);
            second[1].close();
        }
    }

    @Test void configRetryStatusIsRetried() throws Exception {
        try (Fixture fx = Fixture.nic()) {
            fx.endpoint.configRetries.set(3);
            PcieDevice d = fx.enumerateOne();
            assertEquals(0x8086, d.vendorId());
            assertEquals(3, fx.rc.counters().get(Counter.CONFIG_RETRY));
        }
    }

    @Test void restartedEndpointComesBackAfterReEnumeration() throws Exception {
        try (Fixture fx = Fixture.nic()) {
            fx.ports[0].comeUp(1);
            PcieDevice before = fx.enumerateOne();
            before.mmioWrite(0, 0x10, 4, 0x1234_5678L);
            fx.ports[0].goDown("peer restarted");
            Await.until(() -> !fx.link.isUp(), "link down");
            assertEquals(0xFFFF_FFFFL, before.mmioRead(0, 0x10, 4).value(), "a dead link reads all-ones");
            // The endpoint comes back with fresh configuration space and a new session epoch.
            fx.endpoint.functions[0] = FakeFunction.nic(0, false);
            fx.ports[0].comeUp(2);
            Await.until(fx.link::restarted, "restart noticed");
            PcieDevice after = fx.rc.enumerate(fx.link).getFirst();
            after.mmioWrite(0, 0x10, 4, 0xCAFE_F00DL);
            assertEquals(0xCAFE_F00DL, after.mmioRead(0, 0x10, 4).value());
            assertFalse(fx.link.restarted());
            assertEquals(List.of(after), fx.rc.devices());
        }
    }
}
