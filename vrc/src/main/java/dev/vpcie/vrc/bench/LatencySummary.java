package dev.vpcie.vrc.bench;

import org.HdrHistogram.Histogram;

/** Median, 99th percentile and maximum of a latency histogram recorded in nanoseconds, in microseconds. */
public record LatencySummary(long count, double medianMicros, double p99Micros, double maxMicros) {
    public static LatencySummary of(Histogram h) {
        return new LatencySummary(h.getTotalCount(), h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0,
                h.getMaxValue() / 1000.0);
    }

    @Override public String toString() {
        return String.format("median %.1f µs, p99 %.1f µs, max %.1f µs (%d samples)", medianMicros, p99Micros, maxMicros, count);
    }
}
