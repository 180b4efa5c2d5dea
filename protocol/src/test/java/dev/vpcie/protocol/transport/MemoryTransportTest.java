package dev.vpcie.protocol.transport;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MemoryTransportTest {
    static ByteBuffer frame(int n, int length) {
        ByteBuffer b = ByteBuffer.allocate(length);
        b.put(0, (byte) n);
        return b;
    }

    @Test void endsHaveDistinctLocallyAdministeredUnicastMacs() {
        try (MemoryTransport.Pair p = MemoryTransport.pair()) {
            assertNotEquals(p.a().address(), p.b().address());
            for (MacAddress m : new MacAddress[] {p.a().address(), p.b().address()}) {
                assertFalse(m.isMulticast());
                assertEquals(0x02, (m.bits() >>> 40) & 0x03, "locally administered, unicast: " + m);
            }
            assertEquals(1500, p.a().mtu());
            assertTrue(p.a().name().startsWith("memory:"));
        }
    }

    @Test void framesCrossInOrderAndNeverComeBack() throws IOException {
        try (MemoryTransport.Pair p = MemoryTransport.pair()) {
            for (int i = 0; i < 5; i++) p.a().send(frame(i, 60));
            ByteBuffer dst = ByteBuffer.allocate(2000);
            for (int i = 0; i < 5; i++) {
                assertEquals(60, p.b().receive(dst, 0));
                assertEquals(i, dst.get(0));
            }
            assertEquals(0, p.b().receive(dst, 0));
            assertEquals(0, p.a().receive(dst, 0), "a transport never delivers its own frames");
        }
    }

    @Test void aFullQueueDropsAndCounts() throws IOException {
        try (MemoryTransport.Pair p = MemoryTransport.pair(1500, 2)) {
            for (int i = 0; i < 5; i++) p.a().send(frame(i, 60));
            assertEquals(3, p.b().overflowDrops());
        }
    }

    @Test void oversizedFramesAreRefusedAndLongOnesTruncatedToTheBuffer() throws IOException {
        try (MemoryTransport.Pair p = MemoryTransport.pair()) {
            assertThrows(IOException.class, () -> p.a().send(frame(0, 1500 + 18 + 1)));
            p.a().send(frame(7, 1518));
            ByteBuffer small = ByteBuffer.allocate(100);
            assertEquals(100, p.b().receive(small, 0));
        }
    }

    @Test void wakeupIsStickyAndCutsAWaitShort() throws Exception {
        try (MemoryTransport.Pair p = MemoryTransport.pair()) {
            ByteBuffer dst = ByteBuffer.allocate(2000);
            p.b().wakeup(); // nobody waiting yet: the next receive returns at once
            assertEquals(0, p.b().receive(dst, TimeUnit.SECONDS.toNanos(30)));
            Thread waker = Thread.ofPlatform().start(() -> p.b().wakeup());
            assertEquals(0, p.b().receive(dst, TimeUnit.SECONDS.toNanos(30)));
            waker.join();
        }
    }

    @Test void closedEndsRefuse() {
        MemoryTransport.Pair p = MemoryTransport.pair();
        p.close();
        assertThrows(IOException.class, () -> p.a().send(frame(0, 60)));
        assertThrows(IOException.class, () -> p.b().receive(ByteBuffer.allocate(100), 0));
    }
}
