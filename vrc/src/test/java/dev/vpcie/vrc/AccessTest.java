package dev.vpcie.vrc;

import static org.junit.jupiter.api.Assertions.*;

import dev.vpcie.testsupport.Await;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AccessTest {

    @Test void configReadsAndWritesAtEveryWidth() throws Exception {
        try (Fixture fx = Fixture.nic()) {
            PcieDevice d = fx.enumerateOne();
            assertEquals(0x86, d.configRead(0x00, 1).value());
            assertEquals(0x80, d.configRead(0x01, 1).value());
            assertEquals(0x10C9, d.configRead(0x02, 2).value());
            assertEquals(0x10C9_8086L, d.configRead(0x00, 4).value());
            assertEquals(0x0200_0001L | (long) d.configRead(0x0C, 4).value() << 32, d.configRead(0x08, 8).value());
            // MSI message data is a writable 16-bit register at 0x5C; upper address a DW at 0x58.
            d.configWrite(0x5C, 2, 0xBEEF);
            assertEquals(0xBEEF, d.configRead(0x5C, 2).value());
            d.configWrite(0x5D, 1, 0x12);
            assertEquals(0x12EF, d.configRead(0x5C, 2).value());
            d.configWrite(0x54, 8, 0x1122_3344_5566_7788L);
            assertEquals(0x1122_3344_5566_7788L, d.configRead(0x54, 8).value());
            assertThrows(IllegalArgumentException.class, () -> d.configRead(0x01, 2).value(), "misaligned");
            assertThrows(IllegalArgumentException.class, () -> d.configRead(0x1000, 1).value(), "past 4 KiB");
            assertThrows(IllegalArgumentException.class, () -> d.configRead(0, 3).value());
        }
    }

    @Test void mmioRoundTripsAtWidths1248AndEveryAlignment() throws Exception {
        for (boolean split : new boolean[] {false, true}) {
            try (Fixture fx = Fixture.nic()) {
                fx.endpoint.splitCompletions = split;
                PcieDevice d = fx.enumerateOne();
                byte[] bar = fx.endpoint.functions[0].barMemory[0];
                for (int width : new int[] {1, 2, 4, 8}) {
                    for (int offset = 0x100; offset < 0x108; offset++) {
                        long value = 0x0123_4567_89AB_CDEFL * (offset + width) & DwAccess.allOnes(width);
                        d.mmioWrite(0, offset, width, value);
                        assertEquals(value, d.mmioRead(0, offset, width).value(), "width " + width + " offset 0x" + Integer.toHexString(offset));
                        for (int i = 0; i < width; i++)
                            assertEquals((byte) (value >>> (8 * i)), bar[offset + i], "byte " + i + " lands little-endian");
                    }
                }
                // A 64-bit read that crosses an RCB boundary mid-way (split=true: one completion per DW).
                d.mmioWrite(4, 0x3C, 8, 0xA5A5_5A5A_0F0F_F0F0L);
                assertEquals(0xA5A5_5A5A_0F0F_F0F0L, d.mmioRead(4, 0x3C, 8).value());
                assertEquals(0, fx.rc.counters().get(Counter.UNEXPECTED_COMPLETION));
            }
        }
    }

    @Test void writesLeaveNeighbouringBytesAlone() throws Exception {
        try (Fixture fx = Fixture.nic()) {
            PcieDevice d = fx.enumerateOne();
            d.mmioWrite(0, 0x200, 8, -1L);
            d.mmioWrite(0, 0x203, 1, 0);
            assertEquals(0xFFFF_FFFF_00FF_FFFFL, d.mmioRead(0, 0x200, 8).value());
        }
    }

    @Test void ioBarAccesses() throws Exception {
        try (Fixture fx = Fixture.nic()) {
            PcieDevice d = fx.enumerateOne();
            d.mmioWrite(2, 4, 4, 0xDEAD_BEEFL);
            assertEquals(0xDEAD_BEEFL, d.mmioRead(2, 4, 4).value());
            d.mmioWrite(2, 6, 2, 0x1234);
            assertEquals(0x1234_BEEFL, d.mmioRead(2, 4, 4).value());
            assertEquals(0x34, d.mmioRead(2, 6, 1).value());
        }
    }

    @Test void accessesOutsideABarAreRejected() throws Exception {
        try (Fixture fx = Fixture.nic()) {
            PcieDevice d = fx.enumerateOne();
            assertThrows(IllegalArgumentException.class, () -> d.mmioRead(0, 128 << 10, 4).value());
            assertThrows(IllegalArgumentException.class, () -> d.mmioRead(0, (128 << 10) - 2, 4).value());
            assertThrows(IllegalArgumentException.class, () -> d.mmioRead(1, 0, 4).value(), "BAR 1 is unimplemented");
            assertThrows(IllegalArgumentException.class, () -> d.mmioRead(0, 0, 3).value());
        }
    }

    @Test void unassignedAddressReadsAllOnesAndIsCounted() throws Exception {
        try (Fixture fx = Fixture.nic()) {
            fx.enumerateOne();
            assertEquals(0xFFFF_FFFFL, fx.rc.memRead(0xEF00_0000L, 4).value());
            fx.rc.memWrite(0xEF00_0000L, 4, 1);
            assertEquals(2, fx.rc.counters().get(Counter.MASTER_ABORT));
            assertEquals(0xFFFF_FFFFL, fx.rc.configRead(0x0900, 0, 4).value(), "no endpoint on bus 9");
        }
    }

    @Test void stoppedEndpointReadsAllOnesWithinTheTimeoutAndIsCounted() throws Exception {
        try (Fixture fx = new Fixture(Duration.ofMillis(20), FakeFunction.nic(0, false))) {
            PcieDevice d = fx.enumerateOne();
            fx.endpoint.stopped = true;
            long t0 = System.nanoTime();
            assertEquals(0xFFL, d.mmioRead(0, 0, 1).value());
            assertEquals(-1L, d.mmioRead(0, 0, 8).value());
            assertEquals(0xFFFF_FFFFL, d.configRead(0, 4).value());
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("three reads of a stopped endpoint returned all-ones after " + ms + " ms (timeout 20 ms each)");
            assertEquals(3, fx.rc.counters().get(Counter.COMPLETION_TIMEOUT));
            assertEquals(0, fx.link.tracker().outstanding(), "timed-out tags are freed");
            // Once the endpoint answers again, so does the function.
            fx.endpoint.stopped = false;
            d.mmioWrite(0, 0, 4, 7);
            assertEquals(7, d.mmioRead(0, 0, 4).value());
        }
    }

    @Test void linkDownFailsReadsAtOnceAndDropsWrites() throws Exception {
        try (Fixture fx = new Fixture(Duration.ofSeconds(30), FakeFunction.nic(0, false))) {
            PcieDevice d = fx.enumerateOne();
            fx.ports[0].goDown("test");
            Await.until(() -> !fx.link.isUp(), "link down");
            // With a 30 s timeout, these return at once only because the link is known down.
            assertEquals(0xFFFF_FFFFL, d.mmioRead(0, 0, 4).value());
            d.mmioWrite(0, 0, 4, 1);
            assertEquals(2, fx.rc.counters().get(Counter.LINK_DOWN_FAILURE));
        }
    }

    @Test void outstandingReadFailsWhenTheLinkGoesDown() throws Exception {
        try (Fixture fx = new Fixture(Duration.ofSeconds(30), FakeFunction.nic(0, false))) {
            PcieDevice d = fx.enumerateOne();
            fx.endpoint.stopped = true;
            long[] result = new long[1];
            Thread reader = Thread.ofVirtual().start(() -> result[0] = d.mmioRead(0, 0, 4).value());
            Await.until(() -> fx.link.tracker().outstanding() == 1, "read outstanding");
            fx.ports[0].goDown("peer silent");
            reader.join(5000);
            assertFalse(reader.isAlive());
            assertEquals(0xFFFF_FFFFL, result[0]);
            assertEquals(1, fx.rc.counters().get(Counter.LINK_DOWN_FAILURE));
        }
    }

    @Test void tlpRoundTripIsAnsweredByTheEndpointWithoutADevice() throws Exception {
        try (Fixture fx = Fixture.nic()) {
            fx.enumerateOne();
            assertTrue(fx.rc.tlpRoundTrip(fx.link) > 0);
            assertEquals(0, fx.rc.counters().get(Counter.UNSUPPORTED_REQUEST));
        }
    }
}
