package dev.vpcie.devices.nic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The room a receiver reports: its packet buffer plus what its fetched descriptors take of a burst's first frames. */
class FlowControlTest {
    private final NicStatistics stats = new NicStatistics();
    private final FlowControl flow = new FlowControl(stats);
    private final PacketBuffer buffer = new PacketBuffer(10_000);

    @Test
    void fetchedDescriptorsTakeTheBurstsFirstFramesWhateverTheirBuffersCouldHold() {
        // 40 segments of 590 bytes: 10 go through the descriptors, 17 700 bytes would wait in a 10 000-byte buffer.
        assertFalse(flow.accepts(40, 40 * 590, buffer, 10, 2048, 32), "not 10 full-size frames' worth");
        // 16 of them: 6 × 590 wait.
        assertTrue(flow.accepts(16, 16 * 590, buffer, 10, 2048, 32));
    }

    @Test
    void framesWaitingInTheBufferGoFirstSoTheDescriptorsCountForNothingNew() {
        buffer.offer(new byte[9_000]);
        assertFalse(flow.accepts(2, 2 * 1514, buffer, 10, 2048, 32), "1 000 bytes free; the descriptors are the waiting frame's");
        assertTrue(flow.accepts(1, 1_000, buffer, 10, 2048, 32));
    }

    @Test
    void pausesAndResumesAreCountedOnceEach() {
        buffer.offer(new byte[10_000]);
        assertFalse(flow.accepts(1, 60, buffer, 0, 2048, 32));
        assertFalse(flow.accepts(1, 60, buffer, 0, 2048, 32));
        assertEquals(1, stats.peek(Statistic.XOFFTXC), "one XOFF for the whole pause");
        buffer.poll();
        assertTrue(flow.accepts(1, 60, buffer, 0, 2048, 32));
        assertEquals(1, stats.peek(Statistic.XONTXC));
        assertTrue(flow.off());
        assertEquals(1, stats.peek(Statistic.XONTXC), "no pause in force: nothing to end");
    }

    @Test
    void aBurstLargerThanTheReceiverCouldEverHoldGoesWhenItIsEmptyAndFetchedAhead() {
        assertFalse(flow.accepts(200, 200 * 1514, buffer, 10, 2048, 32), "more descriptors may come");
        assertTrue(flow.accepts(200, 200 * 1514, buffer, 32, 2048, 32), "as much room as it ever has: taken, the rest dropped");
    }
}
