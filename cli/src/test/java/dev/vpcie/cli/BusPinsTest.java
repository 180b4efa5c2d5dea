package dev.vpcie.cli;

import static org.junit.jupiter.api.Assertions.*;

import dev.vpcie.protocol.link.DirectTlpPort;
import dev.vpcie.protocol.transport.MacAddress;
import dev.vpcie.vrc.RootComplex;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code vrc --bus MAC[/INSTANCE]=N}: what it accepts, and which bus an endpoint gets. */
class BusPinsTest {
    private static final MacAddress A = MacAddress.parse("02:00:00:00:00:0a"), B = MacAddress.parse("02:00:00:00:00:0b");

    @Test void pinnedEndpointsGetTheirBusAndTheOthersSkipPinnedBuses() {
        BusPins pins = BusPins.parse(List.of(A + "=1", B + "/2=3"));
        assertEquals(1, pins.pinned(A, 7), "without an instance: any instance at that MAC");
        assertEquals(3, pins.pinned(B, 2));
        assertEquals(0, pins.pinned(B, 1));
        try (RootComplex rc = new RootComplex()) {
            assertEquals(1, pins.busFor(pins.pinned(A, 1), "A", rc, 0));
            assertEquals(2, pins.busFor(0, "other", rc, 0), "bus 01 is pinned: the lowest free and unpinned is 02");
            assertEquals(9, pins.busFor(0, "other", rc, 9), "claim --bus");
            assertThrows(IllegalArgumentException.class, () -> pins.busFor(3, "B", rc, 4), "pinned elsewhere");
            DirectTlpPort[] ports = DirectTlpPort.pair("pin" + System.nanoTime());
            rc.attach(ports[0], 2);
            assertEquals(4, pins.busFor(0, "other", rc, 0), "02 used, 03 pinned");
            IllegalArgumentException taken = assertThrows(IllegalArgumentException.class, () -> pins.busFor(0, "other", rc, 2));
            assertTrue(taken.getMessage().startsWith("bus 02 is taken"), taken.getMessage());
            ports[1].close();
        }
    }

    @Test void badPinsAreRefusedWithTheReason() {
        for (List<String> bad : List.of(List.of("02:00:00:00:00:0a"), List.of("zz=1"), List.of(A + "=0"), List.of(A + "=256"), List.of(A + "=x"),
                List.of(A + "=1", B + "=1"), List.of(A + "=1", A + "=2"), List.of("ff:ff:ff:ff:ff:ff=1")))
            assertThrows(IllegalArgumentException.class, () -> BusPins.parse(bad), bad.toString());
        assertSame(0, BusPins.parse(List.of()).pinned(A, 0));
    }
}
