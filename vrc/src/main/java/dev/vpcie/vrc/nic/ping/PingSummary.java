package dev.vpcie.vrc.nic.ping;

import java.util.Arrays;
import java.util.Locale;

/**
 * What a ping run ended with, and the two summary lines {@code ping} prints, plus a third with
 * median and 99th percentile.
 *
 * @param rttNanos the round-trip time of every reply that arrived, in arrival order
 */
public record PingSummary(String destination, int transmitted, int received, int duplicates, long elapsedNanos, long[] rttNanos) {

    public PingSummary {
        rttNanos = rttNanos.clone();
    }

    public double lossPercent() {
        return transmitted == 0 ? 0 : 100.0 * (transmitted - received) / transmitted;
    }

    public long minNanos() { return Arrays.stream(rttNanos).min().orElse(0); }

    public long maxNanos() { return Arrays.stream(rttNanos).max().orElse(0); }

    public double avgNanos() { return Arrays.stream(rttNanos).average().orElse(0); }

    /** Mean deviation as ping computes it: sqrt(mean(x^2) - mean(x)^2). */
    public double mdevNanos() {
        if (rttNanos.length == 0) return 0;
        double avg = avgNanos(), sq = 0;
        for (long r : rttNanos) sq += (double) r * r;
        return Math.sqrt(Math.max(0, sq / rttNanos.length - avg * avg));
    }

    /** The {@code p}-th percentile (0 < p <= 100) by nearest rank. */
    public long percentileNanos(double p) {
        if (rttNanos.length == 0) return 0;
        long[] sorted = rttNanos.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    public long medianNanos() { return percentileNanos(50); }

    /** The lines ping prints after its statistics header. */
    public String format() {
        StringBuilder sb = new StringBuilder();
        sb.append("--- ").append(destination).append(" ping statistics ---\n");
        sb.append(transmitted).append(" packets transmitted, ").append(received).append(" received");
        if (duplicates > 0) sb.append(", +").append(duplicates).append(" duplicates");
        sb.append(", ").append(formatLoss()).append("% packet loss, time ").append(elapsedNanos / 1_000_000).append("ms\n");
        if (rttNanos.length > 0) {
            sb.append(String.format(Locale.ROOT, "rtt min/avg/max/mdev = %s/%s/%s/%s ms%n", ms(minNanos()), ms(avgNanos()), ms(maxNanos()),
                    ms(mdevNanos())));
            sb.append(String.format(Locale.ROOT, "rtt median/p99 = %s/%s ms%n", ms(medianNanos()), ms(percentileNanos(99))));
        }
        return sb.toString();
    }

    private String formatLoss() {
        double loss = lossPercent();
        return loss == Math.rint(loss) ? Long.toString((long) loss) : String.format(Locale.ROOT, "%.3g", loss);
    }

    /** Milliseconds with three decimals, as ping prints RTTs. */
    static String ms(double nanos) {
        return String.format(Locale.ROOT, "%.3f", nanos / 1e6);
    }

    @Override public boolean equals(Object o) {
        return o instanceof PingSummary p && destination.equals(p.destination) && transmitted == p.transmitted && received == p.received
                && duplicates == p.duplicates && elapsedNanos == p.elapsedNanos && Arrays.equals(rttNanos, p.rttNanos);
    }

    @Override public int hashCode() { return 31 * destination.hashCode() + Arrays.hashCode(rttNanos); }

    @Override public String toString() { return format(); }
}
