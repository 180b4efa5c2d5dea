package dev.vpcie.protocol.trace;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Turns a trace's marks into the time between consecutive points of a frame's way. A chain starts
 * at a path's first point and takes, for each next point, the first mark of it after the previous
 * one; a new start abandons a chain left unfinished. Meant for one frame at a time in flight (a
 * ping), where that pairing is exact.
 */
public final class PointChains {
    /** A frame passed {@code point} at {@code nanoTime}. */
    public record Mark(TracePoint point, long nanoTime) {}

    /** A way through the interconnect: its title and its points in order (two or more). */
    public record Path(String title, List<TracePoint> points) {
        public Path {
            points = List.copyOf(points);
            if (points.size() < 2) throw new IllegalArgumentException("a path has two points or more: " + points);
        }
    }

    private PointChains() {}

    /**
     * The nanoseconds of each step of {@code path} in every complete chain: element {@code i} holds
     * the times from point {@code i} to point {@code i + 1}; the last element the whole path's.
     */
    public static long[][] steps(List<Mark> marks, Path path) {
        List<TracePoint> points = path.points();
        List<Mark> sorted = new ArrayList<>(marks);
        sorted.sort(Comparator.comparingLong(Mark::nanoTime));
        List<long[]> chains = new ArrayList<>();
        long[] times = null;
        int next = 0;
        for (Mark m : sorted) {
            if (m.point() == points.getFirst()) {
                times = new long[points.size()];
                times[0] = m.nanoTime();
                next = 1;
            } else if (times != null && m.point() == points.get(next)) {
                times[next++] = m.nanoTime();
                if (next == points.size()) {
                    chains.add(times);
                    times = null;
                }
            }
        }
        long[][] steps = new long[points.size()][chains.size()];
        for (int c = 0; c < chains.size(); c++) {
            long[] t = chains.get(c);
            for (int i = 0; i + 1 < points.size(); i++) steps[i][c] = t[i + 1] - t[i];
            steps[points.size() - 1][c] = t[points.size() - 1] - t[0];
        }
        return steps;
    }

    /** A table of the median and p99 of each step of each path, in µs; a path with no complete chain prints its title only. */
    public static String summary(List<Mark> marks, List<Path> paths) {
        StringBuilder b = new StringBuilder();
        for (Path path : paths) {
            List<TracePoint> points = path.points();
            long[][] steps = steps(marks, path);
            int n = steps[0].length;
            b.append(String.format(Locale.ROOT, "%s: %d frames (median / p99 in µs)%n", path.title(), n));
            if (n == 0) continue;
            for (int i = 0; i + 1 < points.size(); i++)
                b.append(line(points.get(i).label() + " -> " + points.get(i + 1).label(), steps[i]));
            b.append(line("total, " + points.getFirst().label() + " -> " + points.getLast().label(), steps[points.size() - 1]));
        }
        return b.toString();
    }

    private static String line(String what, long[] ns) {
        long[] s = ns.clone();
        Arrays.sort(s);
        return String.format(Locale.ROOT, "  %-52s %8.1f %8.1f%n", what, percentile(s, 50) / 1e3, percentile(s, 99) / 1e3);
    }

    /** The {@code p}th percentile (nearest rank) of sorted {@code s}. */
    static long percentile(long[] s, int p) {
        int rank = (int) Math.ceil(p / 100.0 * s.length);
        return s[Math.max(0, Math.min(s.length - 1, rank - 1))];
    }
}
