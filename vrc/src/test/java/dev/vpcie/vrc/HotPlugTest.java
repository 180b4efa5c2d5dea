package dev.vpcie.vrc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.protocol.pci.PciConfig;
import dev.vpcie.protocol.tlp.CplStatus;
import dev.vpcie.testsupport.Await;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Surprise removal and hot insertion: a session that ends removes the endpoint's functions at
 * once (MMIO fails with LINK_DOWN without a completion timeout); the next session restores the
 * same function at the same Routing ID and BAR addresses, and only then tells its driver; a
 * different device in its place is not configured.
 */
class HotPlugTest {

    /** Records what a driver would hear. */
    private static final class Events implements HotPlugListener {
        final List<String> seen = new CopyOnWriteArrayList<>();

        @Override public void removed(String reason) { seen.add("removed: " + reason); }

        @Override public void inserted() { seen.add("inserted"); }
    }

    /** Enumerates the fixture's function, has {@code events} hear it, and ends the session. */
    private static PcieDevice enumerateAndRemove(Fixture fx, Events events) throws InterruptedException {
        fx.ports[0].comeUp(1);
        PcieDevice d = fx.enumerateOne();
        d.onHotPlug(events);
        fx.ports[0].goDown("peer silent");
        Await.until(() -> events.seen.contains("removed: peer silent"), "the removal reaches the driver");
        return d;
    }

    @Test void theSameDeviceComesBackAtTheSameAddressesAndItsDriverHearsBothSteps() throws Exception {
        try (Fixture fx = Fixture.nic()) {
            Events events = new Events();
            PcieDevice d = enumerateAndRemove(fx, events);
            List<Bar> bars = d.bars();
            assertFalse(d.present());
            // The completion timeout is 2 s: a LINK_DOWN now shows the read never waited for one.
            Access read = d.mmioRead(0, 0x10, 4);
            assertEquals(Outcome.LINK_DOWN, read.outcome());
            assertEquals(0xFFFF_FFFFL, read.value());
            assertEquals(1, fx.rc.counters().get(Counter.SURPRISE_REMOVAL));

            FakeFunction fresh = FakeFunction.nic(0, false); // reset: no BARs, no decoding
            fx.endpoint.functions[0] = fresh;
            fx.ports[1].comeUp(2); // the endpoint's end first: the VRC's first request must find it up
            Await.until(() -> events.seen.contains("inserted"), "the insertion reaches the driver");
            assertTrue(d.present());
            assertEquals(List.of(d), fx.rc.devices(), "the same function object, at the same Routing ID");
            assertSame(d, fx.rc.device(d.bdf()));
            assertEquals(bars, d.bars());
            for (Bar b : bars) {
                if (!b.assigned()) continue;
                long low = d.configRead(PciConfig.bar(b.index()), 4).value() & ~0xFL;
                assertEquals(b.address() & 0xFFFF_FFF0L, low, "BAR " + b.index() + " programmed at its old address");
            }
            int command = (int) d.configRead(PciConfig.COMMAND, 2).value();
            assertEquals(PciConfig.Command.MEMORY_SPACE_ENABLE | PciConfig.Command.BUS_MASTER_ENABLE,
                    command & (PciConfig.Command.MEMORY_SPACE_ENABLE | PciConfig.Command.BUS_MASTER_ENABLE));
            d.mmioWrite(0, 0x10, 4, 0xCAFE_F00DL);
            assertEquals(0xCAFE_F00DL, d.mmioRead(0, 0x10, 4).value());
            assertEquals(1, fx.rc.counters().get(Counter.HOT_INSERTION));
            assertEquals(List.of("removed: peer silent", "inserted"), events.seen);
        }
    }

    @Test void aDifferentDeviceInItsPlaceIsReportedAndLeftAlone() throws Exception {
        try (Fixture fx = Fixture.nic()) {
            Events events = new Events();
            PcieDevice d = enumerateAndRemove(fx, events);

            FakeFunction other = FakeFunction.nic(0, false);
            other.set16(0x02, 0x100E); // another device ID behind the same endpoint address
            fx.endpoint.functions[0] = other;
            fx.ports[1].comeUp(2); // the endpoint's end first: the VRC's first request must find it up
            Await.until(() -> fx.rc.counters().get(Counter.HOT_INSERTION_REFUSED) == 1, "the refusal is counted");
            assertFalse(d.present());
            assertEquals(List.of("removed: peer silent"), events.seen, "its driver is not told to use another device");
            assertEquals(0, other.config[PciConfig.COMMAND] & (PciConfig.Command.MEMORY_SPACE_ENABLE | PciConfig.Command.BUS_MASTER_ENABLE),
                    "no decoding or bus mastering enabled on the stranger");
            assertEquals(Outcome.LINK_DOWN, d.mmioRead(0, 0x10, 4).outcome());
        }
    }

    @Test void dmaOfARemovedFunctionIsRefusedEvenInsideItsWindows() throws Exception {
        try (Fixture fx = Fixture.nic()) {
            PcieDevice d = fx.enumerateOne();
            DmaBuffer mapped = fx.rc.hostMemory().allocate(4096);
            mapped.segment().fill((byte) 0x5A);
            d.mapDma(mapped);
            // Between the session's return and the end of the restoration, the link is up and the
            // function still counts as removed: what it sends then is not the host's business.
            fx.link.present(false);
            assertEquals(CplStatus.UR, fx.endpoint.dmaRead(0, mapped.busAddress(), 16).status());
            fx.endpoint.dmaWrite(0, mapped.busAddress(), new byte[] {1, 2, 3, 4});
            Await.until(() -> fx.rc.counters().get(Counter.DMA_WRITE_REFUSED) == 1, "write refused");
            assertEquals(0x5A, mapped.segment().get(ValueLayout.JAVA_BYTE, 0), "host memory untouched");
            fx.link.present(true);
            assertEquals(CplStatus.SC, fx.endpoint.dmaRead(0, mapped.busAddress(), 16).status());
        }
    }
}
