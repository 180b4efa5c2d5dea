package dev.vpcie.devices.trace;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Turns a trace's hop marks into the time between consecutive hops of a frame's way: out
 * (tail write → descriptors fetched → buffer in → frame on wire) and in (wire frame in → data
 * written → interrupt sent). A chain starts at a path's first hop and takes, for each next hop, the
 * first mark of it after the previous one; a new start abandons a chain left unfinished. Meant for
 * one frame at a time in flight (a ping), where that pairing is exact.
 */
public final class HopChains {
    /** The way out of the host through a NIC. */
    public static final List<Hop> TX = List.of(Hop.TX_TAIL, Hop.TX_DESCRIPTORS, Hop.TX_BUFFER, Hop.TX_WIRE);
    /** The way in from the NIC's wire. */
    public static final List<Hop> RX = List.of(Hop.RX_WIRE, Hop.RX_WRITTEN, Hop.INTERRUPT);

    /** A frame passed {@code hop} at {@code nanoTime}. */
    public record Mark(Hop hop, long nanoTime) {}

    private HopChains() {}

    /**
     * The nanoseconds of each step of {@code path} in every complete chain: element {@code i} holds
     * the times from hop {@code i} to hop {@code i + 1}; the last element the whole path's.
     */
    public static long[][] steps(List<Mark> marks, List<Hop> path) {
        List<Mark> sorted = new ArrayList<>(marks);
        sorted.sort(Comparator.comparingLong(Mark::nanoTime));
        List<long[]> chains = new ArrayList<>();
        long[] times = null;
        int next = 0;
        for (Mark m : sorted) {
            if (m.hop() == path.getFirst()) {
                times = new long[path.size()];
                times[0] = m.nanoTime();
                next = 1;
            } else if (times != null && m.hop() == path.get(next)) {
                times[next++] = m.nanoTime();
                if (next == path.size()) {
                    chains.add(times);
                    times = null;
                }
            }
        }
        long[][] steps = new long[path.size()][chains.size()];
        for (int c = 0; c < chains.size(); c++) {
            long[] t = chains.get(c);
            for (int i = 0; i + 1 < path.size(); i++) steps[i][c] = t[i + 1] - t[i];
            steps[path.size() - 1][c] = t[path.size() - 1] - t[0];
        }
        return steps;
    }

    /** A table of the median and p99 of each step of both paths, in µs. */
    public static String summary(List<Mark> marks) {
        StringBuilder b = new StringBuilder();
        for (List<Hop> path : List.of(TX, RX)) {
            long[][] steps = steps(marks, path);
            int n = steps[0].length;
            b.append(String.format(Locale.ROOT, "%s: %d frames (median / p99 in µs)%n", path == TX ? "out through the NIC" : "in from the wire", n));
            if (n == 0) continue;
            for (int i = 0; i + 1 < path.size(); i++)
                b.append(line(path.get(i).label() + " -> " + path.get(i + 1).label(), steps[i]));
            b.append(line("total, " + path.getFirst().label() + " -> " + path.getLast().label(), steps[path.size() - 1]));
        }
        return b.toString();
    }

    private static String line(String what, long[] ns) {
        long[] s = ns.clone();
        Arrays.sort(s);
        return String.format(Locale.ROOT, "  %-48s %8.1f %8.1f%n", what, percentile(s, 50) / 1e3, percentile(s, 99) / 1e3);
    }

    /** The {@code p}th percentile (nearest rank) of sorted {@code s}. */
    static long percentile(long[] s, int p) {
        int rank = (int) Math.ceil(p / 100.0 * s.length);
        return s[Math.max(0, Math.min(s.length - 1, rank - 1))];
    }
}
