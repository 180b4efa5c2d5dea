package dev.vpcie.protocol.link;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The small parts: RTO estimator, the two ring buffers, configuration checks. */
class LinkPartsTest {
    @Test void rtoFollowsTheMeasuredRoundTripWithinBounds() {
        RttEstimator r = new RttEstimator(5_000_000, 1_000_000, 250_000_000);
        assertEquals(5_000_000, r.rto(), "initial RTO before any sample");
        assertEquals(0, r.srtt());
        r.sample(40_000);
        assertEquals(40_000, r.srtt());
        assertEquals(1_000_000, r.rto(), "clamped to the minimum");
        for (int i = 0; i < 50; i++) r.sample(20_000_000);
        assertTrue(r.srtt() > 19_000_000 && r.srtt() <= 20_000_000, "SRTT converges: " + r.srtt());
        long base = r.rto();
        r.timedOut();
        assertEquals(Math.min(250_000_000, 2 * base), r.rto(), "a timeout doubles the RTO");
        for (int i = 0; i < 40; i++) r.timedOut();
        assertEquals(250_000_000, r.rto(), "never beyond the maximum");
        r.progress();
        assertEquals(base, r.rto(), "progress ends the back-off");
    }

    @Test void replayBufferWrapsAndFrees() {
        ReplayBuffer b = new ReplayBuffer(4);
        b.reset(-2);
        for (int i = 0; i < 4; i++) assertEquals(-2 + i, b.add(Recorder.tlp(i)));
        assertTrue(b.isFull());
        assertThrows(IllegalStateException.class, () -> b.add(Recorder.tlp(9)));
        assertEquals(3, b.ackTo(1));
        assertEquals(1, b.size());
        assertEquals(Recorder.tlp(3), b.tlp(1));
        assertTrue(b.holds(1) && !b.holds(0) && !b.holds(2));
    }

    @Test void receiveBufferReordersAndReportsTheGap() {
        ReceiveBuffer r = new ReceiveBuffer(8);
        r.reset(-1);
        assertEquals(ReceiveBuffer.Arrival.NEW, r.classify(1));
        r.store(1, "b");
        assertTrue(r.hasGap());
        assertEquals(-1, r.next());
        assertEquals(1, r.gapEnd());
        r.store(-1, "x");
        assertEquals(0, r.next());
        assertEquals(1, r.gapEnd());
        r.store(0, "a");
        assertFalse(r.hasGap());
        assertEquals(2, r.next());
        assertEquals(ReceiveBuffer.Arrival.DUPLICATE, r.classify(1));
        assertEquals(ReceiveBuffer.Arrival.BEYOND_WINDOW, r.classify(7));
        assertEquals(5, r.window(), "three held undelivered shrink the window");
        assertEquals("x", r.take());
        assertEquals("a", r.take());
        assertEquals("b", r.take());
        assertFalse(r.hasDeliverable());
        assertEquals(8, r.window());
    }

    @Test void configRejectsNonsense() {
        LinkConfig d = LinkConfig.defaults();
        assertThrows(IllegalArgumentException.class, () -> d.withGroup(4095));
        assertThrows(IllegalArgumentException.class, () -> d.withWindow(1000));
        assertThrows(IllegalArgumentException.class, () -> d.withWindow(65536));
        assertThrows(IllegalArgumentException.class, () -> d.withHostInstance(65535));
        assertThrows(IllegalArgumentException.class, () -> d.withEtherType(0x8100));
        assertThrows(IllegalArgumentException.class, () -> d.withMtu(100));
        assertThrows(IllegalArgumentException.class, () -> d.withKeepalive(Duration.ofSeconds(2), Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> d.withRto(Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(1)));
        assertThrows(IllegalArgumentException.class, () -> d.withAckDelay(Duration.ofNanos(-1)));
        assertEquals(7, d.withGroup(7).group());
    }
}
