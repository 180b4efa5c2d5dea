package dev.vpcie.devices.spi;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemoryEthernetWireTest {
    private final ArrayDeque<Runnable> deliveriesB = new ArrayDeque<>();
    private final MemoryEthernetWire wire = new MemoryEthernetWire(1514, Runnable::run, deliveriesB::add);
    private final List<byte[]> atB = new ArrayList<>();
    private final List<byte[]> atA = new ArrayList<>();

    private static ByteBuffer frame(int len, int seed) {
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) b[i] = (byte) (seed + i);
        return ByteBuffer.wrap(b);
    }

    private void receivers() {
        wire.endA().setReceiver(f -> atA.add(copy(f)));
        wire.endB().setReceiver(f -> atB.add(copy(f)));
    }

    private static byte[] copy(ByteBuffer f) {
        byte[] b = new byte[f.remaining()];
        f.get(b);
        return b;
    }

    private void deliverB() { while (!deliveriesB.isEmpty()) deliveriesB.poll().run(); }

    @Test
    void framesCrossByteIdenticalThroughTheReceiversExecutor() {
        receivers();
        ByteBuffer f = frame(60, 7);
        assertTrue(wire.endA().send(f));
        assertEquals(f.limit(), f.position(), "send consumes the frame");
        assertTrue(atB.isEmpty(), "delivery waits for B's thread");
        deliverB();
        assertEquals(1, atB.size());
        assertArrayEquals(frame(60, 7).array(), atB.get(0));

        assertTrue(wire.endB().send(frame(1514, 1)));
        assertEquals(1, atA.size(), "A's executor runs inline");
        assertArrayEquals(frame(1514, 1).array(), atA.get(0));
    }

    @Test
    void theSenderMayReuseItsBufferAtOnce() {
        receivers();
        ByteBuffer f = frame(64, 0);
        wire.endA().send(f);
        f.array()[0] = 99;
        deliverB();
        assertEquals(0, atB.get(0)[0]);
    }

    @Test
    void oversizeFramesAndFramesOnADownLinkAreDroppedAndCounted() {
        receivers();
        assertFalse(wire.endA().send(frame(1515, 0)));
        wire.setLinkUp(false);
        assertFalse(wire.endB().send(frame(100, 0)));
        assertEquals(2, wire.dropped());
        assertTrue(atA.isEmpty());
    }

    @Test
    void framesWithoutAReceiverAreDroppedAndCounted() {
        wire.endB().send(frame(100, 0));
        assertEquals(1, wire.dropped());
    }

    @Test
    void linkChangesReachBothEnds() {
        List<String> events = new ArrayList<>();
        wire.endA().setLinkListener(up -> events.add("A" + up));
        wire.endB().setLinkListener(up -> events.add("B" + up));
        assertTrue(wire.endA().linkUp());
        wire.setLinkUp(false);
        deliverB();
        wire.setLinkUp(false);
        wire.setLinkUp(true);
        deliverB();
        assertEquals(List.of("Afalse", "Bfalse", "Atrue", "Btrue"), events);
        assertEquals(1514, wire.endA().maxFrameSize());
    }

    @Test
    void tooSmallMaximumIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new MemoryEthernetWire(59, Runnable::run, Runnable::run));
    }
}
