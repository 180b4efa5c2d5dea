package dev.vpcie.devices.nic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.devices.spi.DmaException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RxDescriptorCacheTest {
    private final HostMemory memory = new HostMemory(1 << 16, () -> true);
    private final List<DmaException> landed = new ArrayList<>();

    private DescriptorRing ring(int head, int tail) {
        for (int i = 0; i < 8; i++) {
            memory.put64(0x1000 + 16L * i, i == 3 ? 0 : 0x8000 + 0x100L * i);
            memory.put64(0x1000 + 16L * i + 8, 0x4000 + i);
        }
        return new DescriptorRing(0x1000, 8, head, tail);
    }

    @Test
    void fetchesWhatTheRingOwnsAcrossTheWrapInOneReadPerRun() {
        RxDescriptorCache cache = new RxDescriptorCache(16, 0);
        DescriptorRing r = ring(6, 2);
        assertTrue(cache.fetch(memory, r, 32, landed::add));
        assertEquals(0, cache.count(), "nothing is held before the reads land");
        assertEquals(4, cache.fetching());
        assertFalse(cache.fetch(memory, r, 32, landed::add), "what is on its way is not fetched twice");
        assertEquals(2, memory.dma.completeReads(), "6..7, then 0..1");
        assertEquals(2, landed.size());
        assertNull(landed.get(1));
        assertEquals(4, cache.count(), "only the 4 owned descriptors");
        assertEquals(0x8600, cache.packetAddress(0));
        assertEquals(0x4007, cache.headerAddress(1));
        assertEquals(0x8100, cache.packetAddress(3));
        cache.consume(2);
        assertEquals(0x8000, cache.packetAddress(0));
        assertThrows(IndexOutOfBoundsException.class, () -> cache.packetAddress(2));
    }

    @Test
    void descriptorsForSkipsNullBuffersAndTellsWhyItCannot() {
        RxDescriptorCache cache = new RxDescriptorCache(4, 0);
        assertEquals(RxDescriptorCache.NOT_FETCHED, cache.descriptorsFor(ring(1, 7), 2));
        cache.fetch(memory, ring(1, 7), 4, landed::add);
        memory.dma.completeReads();
        assertEquals(2, cache.descriptorsFor(ring(1, 7), 2), "descriptors 1 and 2 hold the buffers");
        assertEquals(4, cache.descriptorsFor(ring(1, 7), 3), "descriptor 3 has none and is passed over");
        cache.invalidate();
        cache.fetch(memory, ring(0, 2), 4, landed::add);
        memory.dma.completeReads();
        assertEquals(RxDescriptorCache.NOT_ENOUGH, cache.descriptorsFor(ring(0, 2), 3));
        cache.invalidate();
        cache.fetch(memory, ring(0, 7), 8, landed::add);
        memory.dma.completeReads();
        assertEquals(RxDescriptorCache.TOO_MANY, cache.descriptorsFor(ring(0, 7), 5), "more than the cache holds");
    }

    @Test
    void neverHandsOutADescriptorTheDriverHasNotPosted() {
        RxDescriptorCache cache = new RxDescriptorCache(16, 0);
        for (int tail = 0; tail < 8; tail++) {
            cache.invalidate();
            DescriptorRing r = ring(0, tail);
            cache.fetch(memory, r, 16, landed::add);
            memory.dma.completeReads();
            assertEquals(tail, cache.count(), "head 0, tail " + tail);
            int t = tail;
            assertThrows(IndexOutOfBoundsException.class, () -> cache.packetAddress(t), "descriptor " + tail + " is not posted");
        }
        // A fetch that was in flight when the ring changed is ignored when it lands.
        cache.invalidate();
        cache.fetch(memory, ring(0, 4), 16, landed::add);
        cache.invalidate();
        int before = landed.size();
        memory.dma.completeReads();
        assertEquals(0, cache.count());
        assertEquals(before, landed.size(), "a stale fetch tells nobody");
    }

    @Test
    void aFailedFetchEmptiesTheCacheAndSaysWhy() {
        RxDescriptorCache cache = new RxDescriptorCache(16, 0);
        memory.dma.failNext(DmaException.Reason.COMPLETER_ABORT);
        cache.fetch(memory, ring(6, 2), 16, landed::add);
        memory.dma.completeReads();
        assertNotNull(landed.getFirst());
        assertEquals(0, cache.count());
        assertEquals(0, cache.fetching());
    }
}
