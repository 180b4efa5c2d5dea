package dev.vpcie.vrc;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;

/** Thread-safe event counters of one root complex, indexed by {@link Counter}. */
public final class Counters {
    private final AtomicLongArray values = new AtomicLongArray(Counter.values().length);
    /** Per Routing ID; at most one entry per 16-bit ID, and only IDs of requests a link accepted as its bus's. */
    private final Map<Integer, FunctionCounters> functions = new ConcurrentHashMap<>();

    public void increment(Counter c) { values.incrementAndGet(c.ordinal()); }

    public long get(Counter c) { return values.get(c.ordinal()); }

    /** Counts {@code n} of {@code e} for function {@code bdf}. */
    void add(int bdf, FunctionCounters.Event e, long n) {
        functions.computeIfAbsent(bdf & 0xFFFF, b -> new FunctionCounters()).add(e, n);
    }

    /** Function {@code bdf}'s counters (all zero when nothing was counted for it). */
    public FunctionCounters.Snapshot function(int bdf) {
        FunctionCounters f = functions.get(bdf & 0xFFFF);
        return f == null ? FunctionCounters.Snapshot.NONE : f.snapshot();
    }

    /** A snapshot of every non-zero counter, in declaration order. */
    public Map<Counter, Long> snapshot() {
        Map<Counter, Long> out = new EnumMap<>(Counter.class);
        for (Counter c : Counter.values()) if (get(c) != 0) out.put(c, get(c));
        return out;
    }

    @Override public String toString() {
        StringBuilder sb = new StringBuilder();
        snapshot().forEach((c, v) -> sb.append(sb.isEmpty() ? "" : ", ").append(c.description).append('=').append(v));
        return sb.isEmpty() ? "no events" : sb.toString();
    }
}
