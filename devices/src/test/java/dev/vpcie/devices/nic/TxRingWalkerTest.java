package dev.vpcie.devices.nic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vpcie.devices.spi.DmaException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The host threshold (TXDCTL.HTHRESH on the 82576) as the walk honours it. */
class TxRingWalkerTest {
    private static final long RING = 0x1000;
    private static final int COUNT = 64;

    private final HostMemory memory = new HostMemory(1 << 16, () -> true);
    private final List<Integer> processed = new ArrayList<>();
    private int tail;
    private int hthresh;
    private int batch = 4;

    private record Desc(long bufferAddress, int bufferLength, int upperDword, boolean reportStatus) implements TxBufferDescriptor {}

    private final TxRingWalker.Queue<Desc> queue = new TxRingWalker.Queue<>() {
        @Override public DescriptorRing ring() { return new DescriptorRing(RING, COUNT, 0, tail); }

        @Override public boolean enabled() { return true; }

        @Override public int batch() { return batch; }

        @Override public int hostThreshold() { return hthresh; }

        @Override public Desc decode(byte[] raw, int off) { return new Desc(0, 0, 0, false); } // no buffers: only descriptor reads

        @Override public void process(Desc d, long at, byte[] buffer) { processed.add((int) ((at - RING) / 16)); }

        @Override public void headMoved(int head) {}

        @Override public void caughtUp(int n) {}

        @Override public void failed(DmaException e) { throw new AssertionError(e); }
    };

    private final TxRingWalker<Desc> walker = new TxRingWalker<>(memory, 0, queue);

    private void post(int n) {
        tail += n;
        walker.kick();
    }

    @Test
    void anEmptyBufferFetchesWhateverIsPostedWhateverHthreshSays() {
        hthresh = 8;
        post(1);
        assertEquals(1, memory.dma.inFlight(), "one posted descriptor is fetched at once into an empty buffer");
        memory.dma.completeReads();
        assertEquals(List.of(0), processed);
    }

    @Test
    void whileFetchedDescriptorsWaitTheNextFetchWaitsForHthreshPosted() {
        hthresh = 8;
        post(2);
        assertEquals(1, memory.dma.inFlight());
        post(3);
        post(4);
        assertEquals(1, memory.dma.inFlight(), "7 posted behind descriptors still on chip: below HTHRESH, no fetch");
        post(1);
        assertEquals(1 + 2, memory.dma.inFlight(), "8 posted: fetched, in batches of 4");
        memory.dma.completeReads();
        assertEquals(10, processed.size(), "everything posted is processed in ring order");
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), processed);
    }

    @Test
    void fewerThanHthreshPostedAreFetchedOnceTheBufferEmpties() {
        hthresh = 16;
        post(2);
        post(3);
        assertEquals(1, memory.dma.inFlight(), "3 posted behind 2 on chip wait");
        memory.dma.completeReads(); // the first 2 are processed; the buffer is empty, so the 3 are fetched
        assertEquals(List.of(0, 1), processed);
        assertEquals(1, memory.dma.inFlight(), "no stall: an empty buffer fetches the 3");
        memory.dma.completeReads();
        assertEquals(List.of(0, 1, 2, 3, 4), processed);
    }

    @Test
    void withoutHthreshEveryTailWriteFetches() {
        hthresh = 0;
        post(2);
        post(1);
        post(1);
        assertEquals(3, memory.dma.inFlight(), "each tail write fetches what it posted");
        memory.dma.completeReads();
        assertEquals(List.of(0, 1, 2, 3), processed);
    }
}
