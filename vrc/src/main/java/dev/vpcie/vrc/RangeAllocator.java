package dev.vpcie.vrc;

import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * First-fit allocation of aligned ranges from one address window, with frees coalesced. Used
 * for host-memory DMA buffers and for BAR assignment from the MMIO and I/O windows. Not
 * thread-safe: owners synchronize.
 */
final class RangeAllocator {
    /** Free ranges: start → end (exclusive). */
    private final TreeMap<Long, Long> free = new TreeMap<>();
    private final TreeMap<Long, Long> used = new TreeMap<>();

    RangeAllocator(long start, long end) {
        if (end <= start) throw new IllegalArgumentException("empty range");
        free.put(start, end);
    }

    /** The start of a new range of {@code length} bytes aligned to {@code alignment} (a power of two), if one fits. */
    OptionalLong allocate(long length, long alignment) {
        if (length <= 0) throw new IllegalArgumentException("length must be positive: " + length);
        if (alignment <= 0 || Long.bitCount(alignment) != 1)
            throw new IllegalArgumentException("alignment must be a power of two: " + alignment);
        for (Map.Entry<Long, Long> e : free.entrySet()) {
            long start = (e.getKey() + alignment - 1) & -alignment;
            if (start >= e.getKey() && start + length <= e.getValue() && start + length > start) {
                long rangeStart = e.getKey(), rangeEnd = e.getValue();
                free.remove(rangeStart);
                if (start > rangeStart) free.put(rangeStart, start);
                if (start + length < rangeEnd) free.put(start + length, rangeEnd);
                used.put(start, start + length);
                return OptionalLong.of(start);
            }
        }
        return OptionalLong.empty();
    }

    /** Returns the range starting at {@code start}; throws if none was allocated there. */
    void free(long start) {
        Long end = used.remove(start);
        if (end == null) throw new IllegalArgumentException("nothing allocated at 0x" + Long.toHexString(start));
        long from = start, to = end;
        Map.Entry<Long, Long> before = free.floorEntry(from);
        if (before != null && before.getValue() == from) {
            from = before.getKey();
            free.remove(from);
        }
        Long after = free.remove(to);
        if (after != null) to = after;
        free.put(from, to);
    }

    /** Length of the range allocated at {@code start}, or -1. */
    long lengthAt(long start) {
        Long end = used.get(start);
        return end == null ? -1 : end - start;
    }

    long usedBytes() {
        long sum = 0;
        for (Map.Entry<Long, Long> e : used.entrySet()) sum += e.getValue() - e.getKey();
        return sum;
    }
}
