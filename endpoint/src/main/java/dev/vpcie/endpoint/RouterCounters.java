package dev.vpcie.endpoint;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/** Endpoint-wide {@link RouterEvent} counters; counted from any thread, read with {@link #snapshot()}. */
public final class RouterCounters {
    private final AtomicLongArray values = new AtomicLongArray(RouterEvent.values().length);

    void count(RouterEvent event) { values.incrementAndGet(event.ordinal()); }

    public long get(RouterEvent event) { return values.get(event.ordinal()); }

    /** All counters at one moment (each read atomically; the set not as one transaction). */
    public Snapshot snapshot() {
        EnumMap<RouterEvent, Long> m = new EnumMap<>(RouterEvent.class);
        for (RouterEvent e : RouterEvent.values()) m.put(e, values.get(e.ordinal()));
        return new Snapshot(m);
    }

    /** The counters at one moment. */
    public record Snapshot(Map<RouterEvent, Long> values) {
        public Snapshot {
            values = Map.copyOf(values);
        }

        public long get(RouterEvent event) { return values.getOrDefault(event, 0L); }

        /** The non-zero counters, e.g. {@code MEMORY_READ_UNCLAIMED=2 CONFIG_NO_DEVICE=31}. */
        @Override public String toString() {
            StringBuilder b = new StringBuilder();
            for (RouterEvent e : RouterEvent.values()) {
                long v = get(e);
                if (v != 0) b.append(b.isEmpty() ? "" : " ").append(e).append('=').append(v);
            }
            return b.isEmpty() ? "(none)" : b.toString();
        }
    }
}
