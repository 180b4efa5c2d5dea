package dev.vpcie.devices.nic;

import dev.vpcie.devices.spi.DmaException;
import dev.vpcie.devices.spi.DmaPort;

/**
 * The receive descriptors a NIC has fetched ahead of need, as the chips do: a tail write lets the
 * device read a batch of descriptors in one DMA read, so a frame that arrives later is written
 * without a round trip to host memory first. Holds, for descriptors from the ring's head on, the
 * two quadwords software wrote (the packet buffer address, and the header buffer address of the
 * 82576's advanced format, or the legacy format's second half).
 *
 * <p>The owner invalidates the cache when software rewrites the ring's base, length or head, and
 * consumes entries as it writes descriptors back. Single-threaded.
 */
public final class RxDescriptorCache {
    private static final int DESC = DescriptorRing.DESCRIPTOR_SIZE;
    /** {@link #descriptorsFor}: the ring does not own enough descriptors yet. */
    public static final int NOT_ENOUGH = -1;
    /** {@link #descriptorsFor}: more descriptors than the cache holds would be needed. */
    public static final int TOO_MANY = -2;

    private final long[] first;
    private final long[] second;
    private final byte[] bytes;
    private int start;
    private int count;

    /** @param capacity the most descriptors held at once (the longest frame's descriptors must fit) */
    public RxDescriptorCache(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("descriptor cache of " + capacity);
        first = new long[capacity];
        second = new long[capacity];
        bytes = new byte[capacity * DESC];
    }

    public int capacity() { return first.length; }

    /** Descriptors held, from the head on. */
    public int count() { return count; }

    /** Forgets everything (the ring registers changed, or a DMA failed). */
    public void invalidate() {
        start = 0;
        count = 0;
    }

    /** Quadword 0 (bytes 0-7: the packet buffer address) of the {@code i}-th descriptor from the head. */
    public long packetAddress(int i) { return first[slot(i)]; }

    /** Quadword 1 (bytes 8-15: the header buffer address in the advanced format) of the {@code i}-th descriptor. */
    public long headerAddress(int i) { return second[slot(i)]; }

    private int slot(int i) {
        if (i < 0 || i >= count) throw new IndexOutOfBoundsException("descriptor " + i + " of " + count + " cached");
        return (start + i) % first.length;
    }

    /**
     * Makes sure the first {@code want} descriptors from the ring's head are held (at most the
     * capacity and what the ring owns), reading the missing ones in one DMA read per contiguous run.
     */
    public void fetch(DmaPort dma, DescriptorRing ring, int want) throws DmaException {
        int target = Math.min(Math.min(want, first.length), ring.owned());
        while (count < target) {
            int index = ring.advance(ring.head(), count);
            int n = Math.min(target - count, ring.count() - index);
            dma.read(ring.address(index), bytes, 0, n * DESC);
            for (int i = 0; i < n; i++) {
                int s = (start + count) % first.length;
                first[s] = le64(bytes, i * DESC);
                second[s] = le64(bytes, i * DESC + 8);
                count++;
            }
        }
    }

    /**
     * How many descriptors from the head hold {@code buffers} buffers, skipping descriptors whose
     * packet address is 0 (hardware passes over them), fetching as needed with batches of at least
     * {@code batch}; {@link #NOT_ENOUGH} if the ring does not own enough yet, {@link #TOO_MANY} if
     * the cache cannot hold that many (the frame can never be written).
     */
    public int descriptorsFor(DmaPort dma, DescriptorRing ring, int buffers, int batch) throws DmaException {
        int owned = ring.owned();
        int found = 0;
        int d = 0;
        while (found < buffers) {
            if (d >= first.length) return TOO_MANY;
            if (d >= owned) return NOT_ENOUGH;
            if (d >= count) fetch(dma, ring, Math.max(d + 1, batch));
            if (packetAddress(d) != 0) found++;
            d++;
        }
        return d;
    }

    /** Drops the first {@code n} descriptors (written back; the head moved past them). */
    public void consume(int n) {
        if (n < 0 || n > count) throw new IllegalArgumentException("consume " + n + " of " + count);
        start = (start + n) % first.length;
        count -= n;
    }

    private static long le64(byte[] b, int at) {
        long v = 0;
        for (int i = 7; i >= 0; i--) v = v << 8 | (b[at + i] & 0xFF);
        return v;
    }
}
