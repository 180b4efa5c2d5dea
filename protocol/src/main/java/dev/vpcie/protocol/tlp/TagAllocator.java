package dev.vpcie.protocol.tlp;

/**
 * Hands out the Tags of one requester's outstanding non-posted requests (PCIe base spec
 * 2.2.6.2). The 8-bit space is tags 0..255; the 10-bit space is 256..1023, because a 10-bit
 * tag with Tag[9:8] = 00b must not be generated (a completer without 10-bit support would
 * return exactly those). An allocator can be capped below its space to bound the outstanding
 * requests.
 *
 * <p>Thread-safe: requesters on several threads may allocate and the thread that receives
 * completions frees. Allocation is round-robin from after the last tag handed out, so a tag
 * is reused as late as possible and a stale completion is unlikely to match a new request.
 * Never blocks: a full allocator answers {@link #NONE} and the caller applies back-pressure.
 */
public final class TagAllocator {
    /** What {@link #allocate()} returns when every tag is in use. */
    public static final int NONE = -1;

    private final int first, size, limit;
    private final long[] inUse;
    private int next, outstanding;

    private TagAllocator(int first, int size, int limit) {
        if (limit < 1 || limit > size) throw new IllegalArgumentException("outstanding limit must be 1.." + size + ": " + limit);
        this.first = first;
        this.size = size;
        this.limit = limit;
        this.inUse = new long[(size + 63) / 64];
    }

    /** Tags 0..255. */
    public static TagAllocator eightBit() { return new TagAllocator(0, 256, 256); }

    /** Tags 256..1023 (768 tags). */
    public static TagAllocator tenBit() { return new TagAllocator(256, 768, 768); }

    /** The 8-bit or 10-bit space with at most {@code maxOutstanding} tags in use at once. */
    public static TagAllocator of(boolean tenBitTags, int maxOutstanding) {
        return tenBitTags ? new TagAllocator(256, 768, maxOutstanding) : new TagAllocator(0, 256, maxOutstanding);
    }

    /** A free tag, now in use, or {@link #NONE} when the limit is reached. */
    public synchronized int allocate() {
        if (outstanding == limit) return NONE;
        for (int i = 0; i < size; i++) {
            int index = (next + i) % size;
            if ((inUse[index >>> 6] & 1L << index) == 0) {
                inUse[index >>> 6] |= 1L << index;
                outstanding++;
                next = (index + 1) % size;
                return first + index;
            }
        }
        throw new IllegalStateException("tag bitmap disagrees with the outstanding count " + outstanding);
    }

    /** Returns {@code tag}; freeing a tag that is not in use is a bug in the caller and throws. */
    public synchronized void free(int tag) {
        int index = tag - first;
        if (index < 0 || index >= size) throw new IllegalArgumentException("tag " + tag + " is outside " + first + ".." + (first + size - 1));
        if ((inUse[index >>> 6] & 1L << index) == 0) throw new IllegalStateException("tag " + tag + " is not in use");
        inUse[index >>> 6] &= ~(1L << index);
        outstanding--;
    }

    /** Whether {@code tag} is currently allocated (for matching a completion to a request). */
    public synchronized boolean inUse(int tag) {
        int index = tag - first;
        return index >= 0 && index < size && (inUse[index >>> 6] & 1L << index) != 0;
    }

    public synchronized int outstanding() { return outstanding; }

    /** How many tags may be in use at once. */
    public int capacity() { return limit; }
}
