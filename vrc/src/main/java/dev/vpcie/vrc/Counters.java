package dev.vpcie.vrc;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/** Thread-safe event counters of one root complex, indexed by {@link Counter}. */
public final class Counters {
    private final AtomicLongArray values = new AtomicLongArray(Counter.values().length);

    public void increment(Counter c) { values.incrementAndGet(c.ordinal()); }

    public long get(Counter c) { return values.get(c.ordinal()); }

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
