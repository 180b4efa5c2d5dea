package dev.vpcie.devices.nic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vpcie.devices.spi.DmaException;
import org.junit.jupiter.api.Test;

class RxDescriptorCacheTest {
    private final HostMemory memory = new HostMemory(1 << 16, () -> true);

    private DescriptorRing ring(int head, int tail) {
        for (int i = 0; i < 8; i++) {
            memory.put64(0x1000 + 16L * i, i == 3 ? 0 : 0x8000 + 0x100L * i);
            memory.put64(0x1000 + 16L * i + 8, 0x4000 + i);
        }
        return new DescriptorRing(0x1000, 8, head, tail);
    }

    @Test
    void fetchesWhatTheRingOwnsAcrossTheWrapInOneReadPerRun() throws DmaException {
        RxDescriptorCache cache = new RxDescriptorCache(16);
        DescriptorRing r = ring(6, 2);
        long reads = memory.dma.reads;
        cache.fetch(memory, r, 32);
        assertEquals(4, cache.count(), "only the 4 owned descriptors");
        assertEquals(2, memory.dma.reads - reads, "6..7, then 0..1");
        assertEquals(0x8600, cache.packetAddress(0));
        assertEquals(0x4007, cache.headerAddress(1));
        assertEquals(0x8100, cache.packetAddress(3));
        cache.consume(2);
        assertEquals(0x8000, cache.packetAddress(0));
        assertThrows(IndexOutOfBoundsException.class, () -> cache.packetAddress(2));
    }

    @Test
    void descriptorsForSkipsNullBuffersAndTellsWhyItCannot() throws DmaException {
        RxDescriptorCache cache = new RxDescriptorCache(4);
        assertEquals(2, cache.descriptorsFor(memory, ring(1, 7), 2, 1), "descriptors 1 and 2 hold the buffers");
        assertEquals(4, cache.descriptorsFor(memory, ring(1, 7), 3, 1), "descriptor 3 has none and is passed over");
        cache.invalidate();
        assertEquals(RxDescriptorCache.NOT_ENOUGH, cache.descriptorsFor(memory, ring(0, 2), 3, 1));
        cache.invalidate();
        assertEquals(RxDescriptorCache.TOO_MANY, cache.descriptorsFor(memory, ring(0, 7), 5, 8), "more than the cache holds");
    }
}
