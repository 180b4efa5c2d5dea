package dev.vpcie.protocol.transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;

/**
 * Wraps any {@link FrameTransport} and damages the frames it receives with a seeded, repeatable
 * model: loss, duplication, reordering (a frame is held back and released after {@code depth}
 * later frames or after {@code hold}, whichever comes first) and a fixed delay. Sending is left
 * alone, so wrap both ends to damage both directions. Built for tests and for rehearsing faults
 * from the command line ({@link Faults#parse}); all the model's state belongs to the receiving
 * thread, so the same seed gives the same damage to the same arrivals.
 */
public final class FaultInjectingTransport implements FrameTransport {
    /** Frames the reorder and delay stages hold at most; more are dropped and counted, like a full queue. */
    static final int MAX_HELD = 16_384;

    private final FrameTransport inner;
    private final Faults faults;
    private final LongSupplier clock;
    private final SplittableRandom random;
    private final ByteBuffer scratch;

    private final ArrayDeque<Delayed> delayed = new ArrayDeque<>();
    private final ArrayDeque<Held> held = new ArrayDeque<>();
    private final ArrayDeque<byte[]> ready = new ArrayDeque<>();
    private long delivered;

    private volatile long received, dropped, duplicated, reordered, overflowed;

    private record Delayed(byte[] frame, long dueNs) {}

    private record Held(byte[] frame, long releaseAfter, long deadlineNs) {}

    /** The fault model. Percentages are 0..100; durations are in nanoseconds. */
    public record Faults(double lossPercent, double duplicatePercent, double reorderPercent, int reorderDepth,
                         long reorderHoldNanos, long delayNanos, long seed) {
        public static final Faults NONE = new Faults(0, 0, 0, 3, 1_000_000, 0, 0);

        public Faults {
            checkPercent("loss", lossPercent);
            checkPercent("dup", duplicatePercent);
            checkPercent("reorder", reorderPercent);
            if (reorderDepth < 1 || reorderDepth > 1024) throw new IllegalArgumentException("depth must be 1..1024: " + reorderDepth);
            if (reorderHoldNanos < 0 || delayNanos < 0) throw new IllegalArgumentException("durations must not be negative");
        }

        public Faults withLoss(double percent) {
            return new Faults(percent, duplicatePercent, reorderPercent, reorderDepth, reorderHoldNanos, delayNanos, seed);
        }

        public Faults withDuplicates(double percent) {
            return new Faults(lossPercent, percent, reorderPercent, reorderDepth, reorderHoldNanos, delayNanos, seed);
        }

        public Faults withReorder(double percent, int depth) {
            return new Faults(lossPercent, duplicatePercent, percent, depth, reorderHoldNanos, delayNanos, seed);
        }

        public Faults withDelay(long nanos) {
            return new Faults(lossPercent, duplicatePercent, reorderPercent, reorderDepth, reorderHoldNanos, nanos, seed);
        }

        public Faults withSeed(long seed) {
            return new Faults(lossPercent, duplicatePercent, reorderPercent, reorderDepth, reorderHoldNanos, delayNanos, seed);
        }

        /**
         * Parses {@code key=value} pairs separated by commas, for example
         * {@code loss=5,dup=1,reorder=2,delay=200us,seed=42}. Keys: {@code loss}, {@code dup},
         * {@code reorder} (percent), {@code depth} (frames a reordered frame is held for, default 3),
         * {@code hold} (longest a reordered frame is held, default 1ms), {@code delay} (added to
         * every frame), {@code seed}. Durations take a unit: ns, us, ms or s. An empty spec or
         * {@code none} means no faults.
         */
        public static Faults parse(String spec) {
            Faults f = NONE;
            String s = spec == null ? "" : spec.trim();
            if (s.isEmpty() || s.equalsIgnoreCase("none")) return f;
            double loss = 0, dup = 0, reorder = 0;
            int depth = f.reorderDepth;
            long hold = f.reorderHoldNanos, delay = 0, seed = 0;
            for (String part : s.split(",")) {
                int eq = part.indexOf('=');
                if (eq <= 0 || eq == part.length() - 1)
                    throw new IllegalArgumentException("fault spec '" + spec + "': expected key=value, got '" + part.trim() + "'");
                String key = part.substring(0, eq).trim().toLowerCase(Locale.ROOT), value = part.substring(eq + 1).trim();
                switch (key) {
                    case "loss" -> loss = percent(spec, key, value);
                    case "dup" -> dup = percent(spec, key, value);
                    case "reorder" -> reorder = percent(spec, key, value);
                    case "depth" -> depth = (int) number(spec, key, value);
                    case "hold" -> hold = duration(spec, key, value);
                    case "delay" -> delay = duration(spec, key, value);
                    case "seed" -> seed = number(spec, key, value);
                    default -> throw new IllegalArgumentException("fault spec '" + spec + "': unknown key '" + key
                            + "' (known: loss, dup, reorder, depth, hold, delay, seed)");
                }
            }
            try {
                return new Faults(loss, dup, reorder, depth, hold, delay, seed);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("fault spec '" + spec + "': " + e.getMessage());
            }
        }

        /** The spec that {@link #parse} turns back into this model. */
        @Override public String toString() {
            return "loss=" + num(lossPercent) + ",dup=" + num(duplicatePercent) + ",reorder=" + num(reorderPercent)
                    + ",depth=" + reorderDepth + ",hold=" + reorderHoldNanos + "ns,delay=" + delayNanos + "ns,seed=" + seed;
        }

        private static String num(double d) {
            return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
        }

        private static void checkPercent(String what, double p) {
            if (!(p >= 0 && p <= 100)) throw new IllegalArgumentException(what + " must be 0..100 percent: " + p);
        }

        private static double percent(String spec, String key, String value) {
            try {
                return Double.parseDouble(value.endsWith("%") ? value.substring(0, value.length() - 1) : value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("fault spec '" + spec + "': " + key + " is not a percentage: '" + value + "'");
            }
        }

        private static long number(String spec, String key, String value) {
            try {
                return Long.parseLong(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("fault spec '" + spec + "': " + key + " is not a whole number: '" + value + "'");
            }
        }

        private static long duration(String spec, String key, String value) {
            int split = 0;
            while (split < value.length() && (Character.isDigit(value.charAt(split)) || value.charAt(split) == '.')) split++;
            long unit = switch (value.substring(split).toLowerCase(Locale.ROOT)) {
                case "ns" -> 1L;
                case "us", "µs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                default -> throw new IllegalArgumentException("fault spec '" + spec + "': " + key
                        + " needs a unit (ns, us, ms, s): '" + value + "'");
            };
            try {
                return Math.round(Double.parseDouble(value.substring(0, split)) * unit);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("fault spec '" + spec + "': " + key + " is not a duration: '" + value + "'");
            }
        }
    }

    /** What the model did so far. */
    public record Stats(long received, long dropped, long duplicated, long reordered, long overflowed) {}

    public FrameTransport inner() { return inner; }

    public FaultInjectingTransport(FrameTransport inner, Faults faults) {
        this(inner, faults, System::nanoTime);
    }

    /** With an injected clock, so tests that pass time in get the same delays every run. */
    public FaultInjectingTransport(FrameTransport inner, Faults faults, LongSupplier clock) {
        this.inner = inner;
        this.faults = faults;
        this.clock = clock;
        this.random = new SplittableRandom(faults.seed());
        this.scratch = ByteBuffer.allocateDirect(Math.max(inner.mtu(), 9216) + 64);
    }

    public Faults faults() { return faults; }

    public Stats stats() { return new Stats(received, dropped, duplicated, reordered, overflowed); }

    @Override public MacAddress address() { return inner.address(); }

    @Override public int mtu() { return inner.mtu(); }

    @Override public String name() { return inner.name() + "+faults(" + faults + ")"; }

    @Override public void send(ByteBuffer frame) throws IOException { inner.send(frame); }

    @Override public void queue(ByteBuffer frame) throws IOException { inner.queue(frame); }

    @Override public void flush() throws IOException { inner.flush(); }

    @Override public int receive(ByteBuffer dst, long timeoutNanos) throws IOException {
        long start = clock.getAsLong();
        while (true) {
            long now = clock.getAsLong();
            promote(now);
            byte[] out = ready.poll();
            if (out != null) return deliver(out, dst);
            long wait = timeoutNanos <= 0 ? 0 : Math.max(0, start + timeoutNanos - now);
            wait = Math.min(wait, Math.max(0, nextInternalDeadline(now) - now));
            int n = inner.receive(scratch, wait);
            if (n > 0) {
                arrive(n, clock.getAsLong());
                continue;
            }
            long after = clock.getAsLong();
            boolean internalDue = !delayed.isEmpty() && delayed.peek().dueNs() <= after
                    || !held.isEmpty() && earliestHold() <= after;
            if (internalDue) continue;
            // Either our own time ran out or wakeup() cut the wait short.
            return 0;
        }
    }

    @Override public void wakeup() { inner.wakeup(); }

    @Override public void close() { inner.close(); }

    private void arrive(int n, long now) {
        received++;
        if (chance(faults.lossPercent())) {
            dropped++;
            return;
        }
        byte[] frame = new byte[n];
        scratch.get(0, frame, 0, n);
        if (faults.delayNanos() > 0) {
            if (delayed.size() >= MAX_HELD) {
                overflowed++;
                return;
            }
            delayed.add(new Delayed(frame, now + faults.delayNanos()));
        } else {
            afterDelay(frame, now);
        }
    }

    private void afterDelay(byte[] frame, long now) {
        if (chance(faults.reorderPercent()) && held.size() < MAX_HELD) {
            reordered++;
            held.add(new Held(frame, delivered + faults.reorderDepth(), now + faults.reorderHoldNanos()));
        } else {
            ready.add(frame);
        }
        if (chance(faults.duplicatePercent())) {
            duplicated++;
            ready.add(frame.clone());
        }
    }

    private void promote(long now) {
        while (!delayed.isEmpty() && delayed.peek().dueNs() <= now) afterDelay(delayed.poll().frame(), now);
        for (Iterator<Held> it = held.iterator(); it.hasNext(); ) {
            Held h = it.next();
            if (h.releaseAfter() <= delivered || h.deadlineNs() <= now) {
                ready.add(h.frame());
                it.remove();
            }
        }
    }

    private int deliver(byte[] frame, ByteBuffer dst) {
        delivered++;
        int n = Math.min(frame.length, dst.capacity());
        dst.put(0, frame, 0, n);
        return n;
    }

    private long nextInternalDeadline(long now) {
        long next = Long.MAX_VALUE;
        if (!delayed.isEmpty()) next = delayed.peek().dueNs();
        if (!held.isEmpty()) next = Math.min(next, earliestHold());
        return next == Long.MAX_VALUE ? now + Long.MAX_VALUE / 4 : next;
    }

    private long earliestHold() {
        long e = Long.MAX_VALUE;
        for (Held h : held) e = Math.min(e, h.deadlineNs());
        return e;
    }

    private boolean chance(double percent) {
        return percent > 0 && random.nextDouble() * 100 < percent;
    }
}
