package dev.vpcie.vrc.bench;

import dev.vpcie.vrc.Outcome;
import dev.vpcie.vrc.PcieDevice;
import java.util.EnumMap;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * MMIO read round trip against the link's raw TLP ping-pong, measured interleaved in the same
 * run so both see the same machine load: each iteration is one 4-byte MMIO read (MRd to the
 * device, CplD back through the device's function host) and one configuration read of an
 * empty slot, which the endpoint's router answers with UR without any device code.
 */
public final class MmioBench {
    private MmioBench() {}

    /**
     * {@code failures}: the reads that ended other than with success, by how they ended (timeout,
     * UR, CA, link down), warm-up included; {@code made}: the reads made, warm-up included. Failed
     * reads are left out of the histogram: a failed read's all-ones answer is
     * not a latency, and counting it made a dead endpoint look fast.
     */
    public record Result(LatencySummary mmioRead, LatencySummary tlpPingPong, Map<Outcome, Long> failures, long made) {
        public Result {
            failures = Map.copyOf(failures);
        }

        /** Of {@code planned} reads (warm-up included), those not made because the link went down: the run stops there. */
        public long notMade(long planned) { return planned - made; }

        /** Reads that failed, whatever the reason. */
        public long failed() { return failures.values().stream().mapToLong(Long::longValue).sum(); }

        /** MMIO median over ping-pong median: the target is at most 2. */
        public double ratio() { return mmioRead.medianMicros() / tlpPingPong.medianMicros(); }
    }

    /** Times {@code iterations} reads after {@code warmup} untimed ones; stops early when the link goes down. */
    public static Result run(PcieDevice device, int bar, long offset, int warmup, int iterations) {
        Histogram mmio = new Histogram(3_600_000_000_000L, 3), ping = new Histogram(3_600_000_000_000L, 3);
        Map<Outcome, Long> failures = new EnumMap<>(Outcome.class);
        long made = 0;
        for (int i = 0; i < warmup + iterations; i++) {
            long t0 = System.nanoTime();
            Outcome outcome = device.mmioRead(bar, offset, 4).outcome();
            long t1 = System.nanoTime();
            long rtt = device.rootComplex().tlpRoundTrip(device.link());
            made++;
            if (!outcome.ok()) failures.merge(outcome, 1L, Long::sum); // warm-up reads too: a failure is one wherever it falls
            if (outcome == Outcome.LINK_DOWN && !device.link().isUp()) break; // a dead endpoint: nothing left to measure
            if (i < warmup) continue;
            if (outcome.ok()) mmio.recordValue(Math.max(1, t1 - t0));
            if (rtt > 0) ping.recordValue(rtt);
        }
        return new Result(LatencySummary.of(mmio), LatencySummary.of(ping), failures, made);
    }
}
