package dev.vpcie.protocol.link;

import dev.vpcie.protocol.transport.MacAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiPredicate;

/**
 * One round of discovery: DISCOVER broadcast a few times in the group, ANNOUNCE replies collected
 * until the end. Started by {@link LinkAgent#startDiscovery}; the agent fills it, any thread reads it.
 */
public final class Discovery {
    /** How many DISCOVERs a round sends, spread over its first half, so a lost one does not hide a peer. */
    static final int SENDS = 3;
    /**
     * Answers a round keeps at most (more than a root complex has buses): anyone in the group can
     * answer, so what a round collects must be bounded. Later answers are dropped and counted.
     */
    public static final int MAX_RESULTS = 256;

    final int nonce;
    private final long durationNs;
    final long intervalNs;
    long endNs, nextSendNs;
    int sendsLeft = SENDS;
    private final ConcurrentHashMap<Long, Announcement> found = new ConcurrentHashMap<>();
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile int dropped;

    private final BiPredicate<MacAddress, Integer> wanted;

    Discovery(int nonce, long durationNs, BiPredicate<MacAddress, Integer> wanted) {
        this.nonce = nonce;
        this.wanted = wanted;
        this.durationNs = durationNs;
        this.intervalNs = durationNs / (2L * SENDS);
    }

    /** Agent thread: the round starts now, in the agent's clock. */
    void begin(long startNs) {
        nextSendNs = startNs;
        endNs = startNs + durationNs;
    }

    /** Agent thread. */
    void add(MacAddress mac, int instance, byte[] info) {
        if (!wanted.test(mac, instance)) return;
        long k = LinkAgent.key(mac, instance);
        if (found.size() >= MAX_RESULTS && !found.containsKey(k)) {
            dropped++;
            return;
        }
        found.put(k, new Announcement(mac, instance, info));
    }

    /** Answers dropped because the round already had {@link #MAX_RESULTS}. */
    public int dropped() { return dropped; }

    void finish() { done.countDown(); }

    public boolean isDone() { return done.getCount() == 0; }

    /** Waits for the round to end; false if the time ran out first. */
    public boolean await(long timeout, TimeUnit unit) throws InterruptedException { return done.await(timeout, unit); }

    /** The peers that answered so far, one entry per MAC and instance, sorted by MAC then instance. */
    public List<Announcement> results() {
        List<Announcement> list = new ArrayList<>(found.values());
        list.sort(Comparator.comparingLong((Announcement a) -> a.address().bits()).thenComparingInt(Announcement::instance));
        return list;
    }
}
