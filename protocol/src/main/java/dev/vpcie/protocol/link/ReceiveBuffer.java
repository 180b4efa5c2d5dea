package dev.vpcie.protocol.link;

import dev.vpcie.protocol.encap.Seq;

/**
 * The receiver's ring of TLPs by sequence number. {@code deliver} is the next TLP to hand to the
 * handler, {@code next} the first one missing (the cumulative ACK); slots between them are in
 * order but not yet delivered (no handler yet), slots after {@code next} hold TLPs that arrived
 * ahead of a gap. The window offered to the peer ends at {@code deliver + capacity}, so
 * undelivered TLPs shrink it and memory stays bounded. Agent thread only.
 */
final class ReceiveBuffer {
    /** Stands in a slot for a TLP that TlpCodec rejected: its sequence number is used up, nothing is delivered. */
    static final Object MALFORMED = new Object();

    enum Arrival { NEW, DUPLICATE, BEYOND_WINDOW }

    private final Object[] slots;
    private final int mask;
    private int deliver, next, highest;

    ReceiveBuffer(int capacity) {
        slots = new Object[capacity];
        mask = capacity - 1;
    }

    int capacity() { return slots.length; }

    void reset(int initialSequence) {
        clear();
        deliver = next = highest = initialSequence;
    }

    void clear() {
        java.util.Arrays.fill(slots, null);
        deliver = next = highest;
    }

    /** The cumulative acknowledgement: every TLP before it has arrived. */
    int next() { return next; }

    /** Credits offered to the peer: TLPs from {@link #next()} on that fit. */
    int window() { return Seq.diff(Seq.add(deliver, slots.length), next); }

    Arrival classify(int seq) {
        if (Seq.lessThan(seq, next)) return Arrival.DUPLICATE;
        if (!Seq.lessThan(seq, Seq.add(deliver, slots.length))) return Arrival.BEYOND_WINDOW;
        return slots[seq & mask] != null ? Arrival.DUPLICATE : Arrival.NEW;
    }

    /** Stores a TLP (or {@link #MALFORMED}) classified {@link Arrival#NEW} and moves {@code next} over what is now contiguous. */
    void store(int seq, Object tlp) {
        slots[seq & mask] = tlp;
        if (Seq.greaterOrEqual(seq, highest)) highest = Seq.next(seq);
        while (next != highest && slots[next & mask] != null) next = Seq.next(next);
    }

    boolean hasDeliverable() { return deliver != next; }

    /** Takes the next in-order TLP (or {@link #MALFORMED}); only when {@link #hasDeliverable()}. */
    Object take() {
        int i = deliver & mask;
        Object o = slots[i];
        slots[i] = null;
        deliver = Seq.next(deliver);
        return o;
    }

    /** Some TLP after a missing one has arrived. */
    boolean hasGap() { return next != highest; }

    /** The first sequence number after the gap that starts at {@link #next()}: the end of the range to NAK. */
    int gapEnd() {
        int s = Seq.next(next);
        while (s != highest && slots[s & mask] == null) s = Seq.next(s);
        return s;
    }
}
