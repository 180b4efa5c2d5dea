package dev.vpcie.protocol.link;

import dev.vpcie.protocol.encap.Seq;
import dev.vpcie.protocol.tlp.Tlp;

/**
 * The sender's copy of every TLP sent and not yet acknowledged, as PCIe's data link layer keeps
 * a replay buffer: a ring indexed by sequence number, from {@code una} (oldest unacknowledged)
 * up to {@code nxt} (the next number to assign). Its capacity is the window, so it never grows.
 * Agent thread only.
 */
final class ReplayBuffer {
    private final Tlp[] tlps;
    private final long[] sentNs;
    private final int[] sends;
    private final int mask;
    private int una, nxt;

    ReplayBuffer(int capacity) {
        tlps = new Tlp[capacity];
        sentNs = new long[capacity];
        sends = new int[capacity];
        mask = capacity - 1;
    }

    void reset(int initialSequence) {
        clear();
        una = nxt = initialSequence;
    }

    void clear() {
        for (int s = una; s != nxt; s++) tlps[s & mask] = null;
        una = nxt;
    }

    int una() { return una; }

    int nxt() { return nxt; }

    int size() { return Seq.diff(nxt, una); }

    boolean isEmpty() { return una == nxt; }

    boolean isFull() { return size() == tlps.length; }

    /** Adds a TLP under the next sequence number, which it returns. */
    int add(Tlp tlp) {
        if (isFull()) throw new IllegalStateException("replay buffer full");
        int s = nxt;
        int i = s & mask;
        tlps[i] = tlp;
        sends[i] = 0;
        nxt = Seq.next(s);
        return s;
    }

    boolean holds(int seq) { return Seq.inRange(seq, una, nxt); }

    Tlp tlp(int seq) { return tlps[seq & mask]; }

    long sentNs(int seq) { return sentNs[seq & mask]; }

    int sends(int seq) { return sends[seq & mask]; }

    void markSent(int seq, long nowNs) {
        int i = seq & mask;
        sentNs[i] = nowNs;
        sends[i]++;
    }

    /** Drops everything before {@code ack} (which must be in (una, nxt]); returns how many TLPs that freed. */
    int ackTo(int ack) {
        int n = Seq.diff(ack, una);
        for (int s = una; s != ack; s++) tlps[s & mask] = null;
        una = ack;
        return n;
    }
}
