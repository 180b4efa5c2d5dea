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
 * <p>Fetching is asynchronous: {@link #fetch} issues the reads and their handler appends the
 * descriptors (handlers come in issue order, so they append in ring order) and then tells the
 * owner. Only descriptors software has posted (the ring's head up to its tail at the time of the
 * fetch) are ever read, so an entry is always one the driver gave the device.
 *
 * <p>The owner invalidates the cache when software rewrites the ring's base, length or head, and
 * consumes entries as it writes descriptors back; a fetch in flight when the cache is invalidated
 * is ignored when it lands. Single-threaded.
 */
public final class RxDescriptorCache {
    private static final int DESC = DescriptorRing.DESCRIPTOR_SIZE;
    /** {@link #descriptorsFor}: the ring does not own enough descriptors yet. */
    public static final int NOT_ENOUGH = -1;
    /** {@link #descriptorsFor}: more descriptors than the cache holds would be needed. */
    public static final int TOO_MANY = -2;
    /** {@link #descriptorsFor}: the ring owns enough, but they are not fetched yet. */
    public static final int NOT_FETCHED = -3;

    private final long[] first;
    private final long[] second;
    private final byte[] bytes;
    private int start;
    private int count;
    /** Descriptors whose read is in flight, to be appended after the {@link #count} held. */
    private int fetching;
    /** Changes on {@link #invalidate}, so a fetch in flight then is ignored when it lands. */
    private int epoch;

    /** The DMA stream of this cache's fetches (see {@link DmaPort}): a transmit failure does not drop them. */
    private final int stream;

    /**
     * @param capacity the most descriptors held at once (the longest frame's descriptors must fit)
     * @param stream the DMA stream its fetches use, distinct from the function's other rings'
     */
    public RxDescriptorCache(int capacity, int stream) {
        if (capacity < 1) throw new IllegalArgumentException("descriptor cache of " + capacity);
        this.stream = stream;
        first = new long[capacity];
        second = new long[capacity];
        bytes = new byte[capacity * DESC];
    }

    public int capacity() { return first.length; }

    /** Descriptors held, from the head on. */
    public int count() { return count; }

    /** Descriptors whose read is in flight. */
    public int fetching() { return fetching; }

    /** Forgets everything, fetches in flight included (the ring registers changed, or a DMA failed). */
    public void invalidate() {
        start = 0;
        count = 0;
        fetching = 0;
        epoch++;
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
     * Issues reads so that the first {@code want} descriptors from the ring's head (at most the
     * capacity and what the ring owns) are held or on their way, one read per contiguous run;
     * {@code done} is called after each read's descriptors are appended, or with the failure (the
     * cache is then invalidated). Returns whether a read was issued.
     */
    public boolean fetch(DmaPort dma, DescriptorRing ring, int want, DmaPort.ReadHandler done) {
        int target = Math.min(Math.min(want, first.length), ring.owned());
        boolean issued = false;
        while (count + fetching < target) {
            int index = ring.advance(ring.head(), count + fetching);
            int n = Math.min(target - count - fetching, ring.count() - index);
            byte[] into = new byte[n * DESC];
            int e = epoch;
            fetching += n;
            issued = true;
            dma.read(stream, ring.address(index), into, 0, n * DESC, failure -> fetched(e, into, n, failure, done));
        }
        return issued;
    }

    private void fetched(int e, byte[] into, int n, DmaException failure, DmaPort.ReadHandler done) {
        if (e != epoch) return;
        if (failure != null) {
            invalidate();
            done.readDone(failure);
            return;
        }
        fetching -= n;
        for (int i = 0; i < n; i++) {
            int s = (start + count) % first.length;
            first[s] = DmaPort.le64(into, i * DESC);
            second[s] = DmaPort.le64(into, i * DESC + 8);
            count++;
        }
        done.readDone(null);
    }

    /**
     * How many descriptors from the head hold {@code buffers} buffers, skipping descriptors whose
     * packet address is 0 (hardware passes over them): {@link #NOT_ENOUGH} if the ring does not own
     * enough yet, {@link #TOO_MANY} if the cache cannot hold that many (the frame can never be
     * written), {@link #NOT_FETCHED} if the ring owns them but they are not all held yet (fetch and
     * try again when the fetch lands).
     */
    public int descriptorsFor(DescriptorRing ring, int buffers) {
        int owned = ring.owned();
        int found = 0;
        int d = 0;
        while (found < buffers) {
            if (d >= first.length) return TOO_MANY;
            if (d >= owned) return NOT_ENOUGH;
            if (d >= count) return NOT_FETCHED;
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
}
