package dev.vpcie.devices.spi;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Named event counters of one function (unknown register accesses, DMA errors, dropped frames...).
 * Written on the function's thread; {@link #snapshot()} may be called from any thread (for a status
 * line or a test).
 */
public final class Counters {
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    /** The counter called {@code name}, created at zero on first use. Keep the handle on hot paths. */
    public Counter counter(String name) {
        return counters.computeIfAbsent(name, Counter::new);
    }

    /** The current value of {@code name} (0 if never used). */
    public long get(String name) {
        Counter c = counters.get(name);
        return c == null ? 0 : c.get();
    }

    /** All counters by name, in name order. */
    public SortedMap<String, Long> snapshot() {
        TreeMap<String, Long> m = new TreeMap<>();
        counters.forEach((k, v) -> m.put(k, v.get()));
        return m;
    }

    /** One counter. */
    public static final class Counter {
        private final String name;
        private final AtomicLong value = new AtomicLong();

        Counter(String name) { this.name = name; }

        public String name() { return name; }

        public void increment() { value.incrementAndGet(); }

        public void add(long n) { value.addAndGet(n); }

        public long get() { return value.get(); }

        @Override
        public String toString() { return name + "=" + get(); }
    }
}
