package dev.vpcie.vrc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.protocol.link.DirectTlpPort;
import dev.vpcie.protocol.tlp.Bdf;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 15's pool on one root complex: an endpoint attached at a chosen (pinned) bus, an orderly
 * release, and a claim of another endpoint mid-run, none of which moves another endpoint's BDF
 * or BARs; a bus gets the same BAR addresses whatever happened on the others.
 */
class ReleaseAndClaimTest {

    /** A second fake endpoint on its own port pair. */
    private static final class Extra implements AutoCloseable {
        final DirectTlpPort[] ports = DirectTlpPort.pair("x" + System.nanoTime());
        final FakeEndpoint endpoint;

        Extra() {
            ports[0].upWithoutTelling();
            endpoint = new FakeEndpoint(ports[1]);
            endpoint.with(FakeFunction.nic(0, false));
        }

        @Override public void close() { ports[1].close(); }
    }

    @Test void aClaimedEndpointMovesNothingAndAReleasedBusIsFreeForTheNext() throws Exception {
        try (Fixture fx = Fixture.nic(); Extra second = new Extra(); Extra third = new Extra()) {
            PcieDevice first = fx.enumerateOne();
            List<Bar> firstBars = first.bars();
            assertEquals(Bdf.of(1, 0, 0), first.bdf());

            EndpointLink claimed = fx.rc.attach(second.ports[0], 7);
            List<PcieDevice> found = fx.rc.enumerate(claimed);
            assertEquals(1, found.size());
            assertEquals(Bdf.of(7, 0, 0), found.getFirst().bdf());
            assertEquals(firstBars, fx.rc.device(first.bdf()).bars(), "the claim moved no BAR of bus 01");
            assertEquals(firstBars, first.bars());
            List<Bar> bus7Bars = found.getFirst().bars();
            for (Bar a : bus7Bars) for (Bar b : firstBars) assertFalse(a.assigned() && b.assigned() && overlaps(a, b), a + " / " + b);

            assertThrows(IllegalArgumentException.class, () -> fx.rc.attach(third.ports[0], 7), "a taken bus");
            assertThrows(IllegalArgumentException.class, () -> fx.rc.attach(third.ports[0], 0));

            List<PcieDevice> gone = fx.rc.release(1);
            assertEquals(List.of(first), gone);
            assertNull(fx.rc.addressMap().linkForBus(1));
            assertEquals(List.of(found.getFirst()), fx.rc.devices());
            assertFalse(fx.ports[0].isUp(), "the released link is closed");
            assertEquals(bus7Bars, fx.rc.device(Bdf.of(7, 0, 0)).bars(), "the release moved nothing either");
            found.getFirst().mmioWrite(0, 0x10, 4, 0x1234_5678L);
            assertEquals(0x1234_5678L, found.getFirst().mmioRead(0, 0x10, 4).value(), "bus 07 still works");

            // The freed bus is the lowest free one, and the same device there gets the same BARs.
            EndpointLink again = fx.rc.attach(third.ports[0]);
            assertEquals(1, again.bus());
            PcieDevice reclaimed = fx.rc.enumerate(again).getFirst();
            assertEquals(firstBars, reclaimed.bars(), "a bus's BARs depend on the bus, not on what came before");
            assertEquals(bus7Bars, fx.rc.device(Bdf.of(7, 0, 0)).bars());
            assertThrows(IllegalArgumentException.class, () -> fx.rc.release(9));
        }
    }

    @Test void everyBusHasItsOwnSliceSoAddressesDoNotDependOnOrder() {
        BusWindow w = new BusWindow(RootComplexConfig.DEFAULT_MMIO32, 4096);
        assertEquals(512 << 10, w.slice());
        long bus3 = w.allocate(3, 128 << 10, 128 << 10).orElseThrow();
        long bus1 = w.allocate(1, 128 << 10, 128 << 10).orElseThrow();
        assertEquals(RootComplexConfig.DEFAULT_MMIO32.base(), bus1);
        assertEquals(RootComplexConfig.DEFAULT_MMIO32.base() + 2 * (512 << 10), bus3);
        long big = w.allocate(1, 16 << 20, 16 << 20).orElseThrow();
        assertTrue(big >= RootComplexConfig.DEFAULT_MMIO32.base() + 256L * (512 << 10), "too large for a slice: the shared half");
        w.free(1, big);
        w.free(1, bus1);
        assertEquals(bus1, w.allocate(1, 128 << 10, 128 << 10).orElseThrow());
        BusWindow tiny = new BusWindow(new Window(0x1000, 0x1000), 16);
        assertEquals(0, tiny.slice(), "too small to slice: all shared");
        List<Long> got = new ArrayList<>();
        for (int bus = 1; bus <= 4; bus++) got.add(tiny.allocate(bus, 16, 16).orElseThrow());
        assertEquals(List.of(0x1000L, 0x1010L, 0x1020L, 0x1030L), got);
    }

    private static boolean overlaps(Bar a, Bar b) {
        return a.isMemory() == b.isMemory() && a.address() < b.address() + b.size() && b.address() < a.address() + a.size();
    }
}
