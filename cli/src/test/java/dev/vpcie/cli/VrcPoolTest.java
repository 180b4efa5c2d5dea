package dev.vpcie.cli;

import static org.junit.jupiter.api.Assertions.*;

import dev.vpcie.protocol.tlp.Bdf;
import dev.vpcie.vrc.RootComplex;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link VrcPool#release}: what a client attached on the bus is detached first, the functions the
 * VRC's own command drives are never released under it, and the VRC's end detaches the rest.
 */
class VrcPoolTest {

    @Test void releaseDetachesWhatAClientAttachedAndRefusesWhatTheCommandItselfDrives() throws Exception {
        VrcTestEndpoint endpoint = new VrcTestEndpoint();
        try (RootComplex rc = new RootComplex()) {
            rc.attach(endpoint, 1);
            rc.enumerate();
            int bdf = Bdf.of(1, 0, 0);
            VrcPool pool = new VrcPool(rc, VrcConnector.Connection.of(List.of(endpoint), 1400), BusPins.NONE, Duration.ofSeconds(1));

            pool.hold(bdf);
            IllegalArgumentException held = assertThrows(IllegalArgumentException.class, () -> pool.release(bdf));
            assertTrue(held.getMessage().contains("driven by the command that runs this VRC"), held.getMessage());
            assertEquals(1, rc.devices().size(), "nothing released");

            VrcPool served = new VrcPool(rc, VrcConnector.Connection.of(List.of(endpoint), 1400), BusPins.NONE, Duration.ofSeconds(1));
            AtomicInteger detached = new AtomicInteger();
            served.attach(bdf, new VrcPool.Attachment("nic0", detached::incrementAndGet));
            assertThrows(IllegalStateException.class, () -> served.attach(bdf, new VrcPool.Attachment("nic1", () -> { })));
            assertTrue(served.attached(bdf));
            List<String> lines = served.release(bdf);
            assertEquals(1, detached.get(), "the NIC was detached");
            assertEquals("01:00.0: detached: NIC reset, nic0 removed", lines.getFirst());
            assertTrue(lines.get(1).startsWith("released bus 01 (01:00.0): session with "), lines.toString());
            assertEquals(List.of(), rc.devices());
            assertFalse(served.attached(bdf));
            assertThrows(IllegalArgumentException.class, () -> served.release(bdf), "gone already");
            assertThrows(UnsupportedOperationException.class, () -> served.free(Duration.ofMillis(1)), "in-memory ports have no pool");

            AtomicInteger atEnd = new AtomicInteger();
            served.attach(Bdf.of(2, 0, 0), new VrcPool.Attachment("nic2", atEnd::incrementAndGet));
            served.close();
            assertEquals(1, atEnd.get(), "the VRC's end detaches what is still attached");
        }
    }
}
