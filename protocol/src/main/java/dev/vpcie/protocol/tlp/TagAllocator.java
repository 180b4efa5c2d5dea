package dev.vpcie.protocol.tlp;

/**
 * Hands out the Tags of one requester's outstanding non-posted requests (PCIe base spec
 * 2.2.6.2), in one of the spec's tag {@link Space}s. An allocator can be capped below its space
 * to bound the outstanding requests. The endpoint's DMA engine and the VRC's completion tracker
 * both take their tags here.
 *
 * <p>Allocation is round-robin from after the last tag handed out, so a tag is reused as late as
 * possible: a straggling completion for a request that timed out is far more likely to find its
 * tag free (and be counted as unexpected) than taken by a new request it would be mistaken for.
 * Never blocks: a full allocator answers {@link #NONE} and the caller applies back-pressure.
 * Thread-safe (uncontended on the single-threaded loops that use it).
 */
public final class TagAllocator {
    /** What {@link #allocate()} returns when every tag is in use. */
    public static final int NONE = -1;

    /** The Tag values a requester may generate, by what software enabled. */
    public enum Space {
        /** Tags 0..31: neither Extended Tag Field Enable (Device Control) nor 10-Bit Tag Requester Enable set. */
        FIVE_BIT(0, 32),
        /** Tags 0..255: Extended Tag Field Enable set. */
        EIGHT_BIT(0, 256),
        /**
         * Tags 256..1023: 10-Bit Tag Requester Enable set (Device Control 2). A 10-bit tag with
         * Tag[9:8] = 00b must not be generated: a completer without 10-bit support would return exactly those.
         */
        TEN_BIT(256, 768);

        private final int first, size;

        Space(int first, int size) {
            this.first = first;
            this.size = size;
        }

        /** The lowest tag of the space. */
        public int first() { return first; }

        /** How many tags the space holds. */
        public int size() { return size; }
    }

    private final Space space;
    private final int limit;
    private final long[] inUse;
    private int next, outstanding;

    private TagAllocator(Space space, int limit) {
        if (limit < 1 || limit > space.size) throw new IllegalArgumentException("outstanding limit must be 1.." + space.size + ": " + limit);
        this.space = space;
        this.limit = limit;
        this.inUse = new long[(space.size + 63) / 64];
    }

    /** Tags 0..255. */
    public static TagAllocator eightBit() { return of(Space.EIGHT_BIT, 256); }

    /** Tags 256..1023 (768 tags). */
    public static TagAllocator tenBit() { return of(Space.TEN_BIT, 768); }

    /** The tags of {@code space} with at most {@code maxOutstanding} of them in use at once. */
    public static TagAllocator of(Space space, int maxOutstanding) { return new TagAllocator(space, maxOutstanding); }

    /** A free tag, now in use, or {@link #NONE} when the limit is reached. */
    public synchronized int allocate() {
        if (outstanding == limit) return NONE;
        for (int i = 0; i < space.size; i++) {
            int index = (next + i) % space.size;
            if ((inUse[index >>> 6] & 1L << index) == 0) {
                inUse[index >>> 6] |= 1L << index;
                outstanding++;
                next = (index + 1) % space.size;
                return space.first + index;
            }
        }
        throw new IllegalStateException("tag bitmap disagrees with the outstanding count " + outstanding);
    }

    /** Returns {@code tag}; freeing a tag that is not in use is a bug in the caller and throws. */
    public synchronized void free(int tag) {
        int index = tag - space.first;
        if (index < 0 || index >= space.size)
            throw new IllegalArgumentException("tag " + tag + " is outside " + space.first + ".." + (space.first + space.size - 1));
        if ((inUse[index >>> 6] & 1L << index) == 0) throw new IllegalStateException("tag " + tag + " is not in use");
        inUse[index >>> 6] &= ~(1L << index);
        outstanding--;
    }

    /** Whether {@code tag} is currently allocated (for matching a completion to a request). */
    public synchronized boolean inUse(int tag) {
        int index = tag - space.first;
        return index >= 0 && index < space.size && (inUse[index >>> 6] & 1L << index) != 0;
    }

    public synchronized int outstanding() { return outstanding; }

    /** How many tags may be in use at once. */
    public int capacity() { return limit; }

    public Space space() { return space; }
}
