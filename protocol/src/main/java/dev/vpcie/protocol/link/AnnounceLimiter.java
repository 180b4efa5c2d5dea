package dev.vpcie.protocol.link;

import dev.vpcie.protocol.transport.MacAddress;

/**
 * Decides which DISCOVERs get an ANNOUNCE. The answer goes unicast to the DISCOVER's source MAC,
 * which anyone can forge: unlimited, the endpoint would be a reflector that sends a kilobyte to a
 * victim for every small frame a stranger sends. So each source gets at most one answer per
 * {@link #PER_SOURCE_NS} (a discovery round asks three times, a third of a round apart), and all
 * sources together at most {@link #PER_SECOND} a second, however many sources a flood forges.
 * Memory is fixed: sources are remembered in a small table by hash, a collision forgets one.
 * Agent thread only.
 */
final class AnnounceLimiter {
    static final long PER_SOURCE_NS = 10_000_000L;
    static final int PER_SECOND = 200;
    private static final int SLOTS = 256;
    private static final long SECOND_NS = 1_000_000_000L;

    private final long[] sources = new long[SLOTS];
    private final long[] lastNs = new long[SLOTS];
    private long budgetSinceNs = Long.MIN_VALUE;
    private int budgetUsed;

    /** Whether to answer a DISCOVER from {@code source} at {@code nowNs}; records the answer if so. */
    boolean allow(MacAddress source, long nowNs) {
        long key = source.bits() + 1; // 0 marks an empty slot
        int slot = (int) (Long.hashCode(key * 0x9E3779B97F4A7C15L) & (SLOTS - 1));
        if (sources[slot] == key && nowNs - lastNs[slot] < PER_SOURCE_NS) return false;
        if (budgetSinceNs == Long.MIN_VALUE || nowNs - budgetSinceNs >= SECOND_NS) {
            budgetSinceNs = nowNs;
            budgetUsed = 0;
        }
        if (budgetUsed >= PER_SECOND) return false;
        budgetUsed++;
        sources[slot] = key;
        lastNs[slot] = nowNs;
        return true;
    }
}
