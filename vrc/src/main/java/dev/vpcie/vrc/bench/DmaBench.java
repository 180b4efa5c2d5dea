package dev.vpcie.vrc.bench;

import dev.vpcie.protocol.link.Link;
import dev.vpcie.protocol.link.LinkCounters;
import dev.vpcie.vrc.Counter;
import dev.vpcie.vrc.Counters;
import dev.vpcie.vrc.DmaBuffer;
import dev.vpcie.vrc.DmaWindows;
import dev.vpcie.vrc.PcieDevice;
import dev.vpcie.vrc.drivers.DmaTestDriver;
import dev.vpcie.vrc.drivers.DmaTestDriver.Op;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * dmatest bandwidth: for each size, commands are posted back to back (up to the device's queue
 * depth in flight) for a fixed number of bytes, and the time to the last completion gives the
 * rate. "read" is the device reading host memory (READ_TO_DEVICE), "write" the device writing
 * it (WRITE_FROM_DEVICE), "copy" host to host. TLPs/s counts the DMA requests and completions
 * the root complex handled. The raw TLP ping-pong is sampled between sizes in the same run.
 */
public final class DmaBench {
    private DmaBench() {}

    public enum Mode {
        READ(Op.READ_TO_DEVICE), WRITE(Op.WRITE_FROM_DEVICE), COPY(Op.COPY);

        final Op op;

        Mode(Op op) { this.op = op; }
    }

    /**
     * One mode and size. {@code link} is what the VRC's link did meanwhile (frames and TLPs each
     * way, so TLPs per frame shows the coalescing; retransmissions), null when the device is not
     * reached through a {@link Link}.
     */
    public record Row(Mode mode, long size, long commands, double seconds, double gigabytesPerSecond, double tlpsPerSecond,
                      int failed, LinkCounters link) {
        public double gigabitsPerSecond() { return gigabytesPerSecond * 8; }

        /** TLPs per frame the VRC sent, and received; NaN without link counters. */
        public double tlpsPerFrameSent() { return link == null ? Double.NaN : (double) link.tlpsSent() / Math.max(1, link.framesSent()); }

        public double tlpsPerFrameReceived() {
            return link == null ? Double.NaN : (double) link.tlpsReceived() / Math.max(1, link.framesReceived());
        }
    }

    public record Result(List<Row> rows, LatencySummary tlpPingPong) {}

    /** Sizes 64 B, 256 B, 1 KiB ... 1 MiB (powers of four). */
    public static List<Long> defaultSizes() {
        List<Long> sizes = new ArrayList<>();
        for (long s = 64; s <= 1 << 20; s *= 4) sizes.add(s);
        return sizes;
    }

    /**
     * Moves about {@code bytesPerSize} bytes (at least 16 commands) per mode and size.
     * Sizes above the device memory are skipped for the modes that use it.
     */
    public static Result run(DmaTestDriver driver, List<Mode> modes, List<Long> sizes, long bytesPerSize, long timeoutNanos) {
        return run(driver, modes, sizes, bytesPerSize, Long.MAX_VALUE, timeoutNanos);
    }

    /**
     * Like {@link #run(DmaTestDriver, List, List, long, long)}, but a size also ends after
     * {@code nanosPerSize} (once 16 commands are done), so small sizes on a slow link do not
     * take minutes.
     */
    public static Result run(DmaTestDriver driver, List<Mode> modes, List<Long> sizes, long bytesPerSize, long nanosPerSize,
                             long timeoutNanos) {
        return run(driver, modes, sizes, bytesPerSize, nanosPerSize, timeoutNanos, row -> { });
    }

    /** Like the others, and hands each row to {@code onRow} as soon as it is measured (a long run shows its progress). */
    public static Result run(DmaTestDriver driver, List<Mode> modes, List<Long> sizes, long bytesPerSize, long nanosPerSize,
                             long timeoutNanos, java.util.function.Consumer<Row> onRow) {
        PcieDevice d = driver.device();
        Counters counters = d.rootComplex().counters();
        long max = sizes.stream().mapToLong(Long::longValue).max().orElse(64);
        DmaBuffer src = d.rootComplex().hostMemory().allocate(max), dst = d.rootComplex().hostMemory().allocate(max);
        src.segment().fill((byte) 0x5A);
        DmaWindows.Mapping ms = d.mapDma(src), md = d.mapDma(dst);
        Histogram ping = new Histogram(3_600_000_000_000L, 3);
        List<Row> rows = new ArrayList<>();
        long devmem = driver.deviceMemorySize();
        try {
            for (Mode mode : modes) {
                for (long size : sizes) {
                    if (mode != Mode.COPY && size > devmem) continue;
                    for (int i = 0; i < 20; i++) {
                        long rtt = d.rootComplex().tlpRoundTrip(d.link());
                        if (rtt > 0) ping.recordValue(rtt);
                    }
                    Row row = measure(driver, counters, mode, size, src, dst, bytesPerSize, nanosPerSize, timeoutNanos);
                    rows.add(row);
                    onRow.accept(row);
                }
            }
        } finally {
            d.unmapDma(ms);
            d.unmapDma(md);
            d.rootComplex().hostMemory().free(src);
            d.rootComplex().hostMemory().free(dst);
        }
        return new Result(rows, LatencySummary.of(ping));
    }

    private static Row measure(DmaTestDriver driver, Counters counters, Mode mode, long size, DmaBuffer src, DmaBuffer dst,
                               long bytesPerSize, long nanosPerSize, long timeoutNanos) {
        long commands = Math.max(16, bytesPerSize / size);
        int depth = Math.max(1, Math.min(driver.queueDepth(), 64));
        long srcAddr = mode == Mode.WRITE ? 0 : src.busAddress();
        long dstAddr = mode == Mode.READ ? 0 : dst.busAddress();
        // one warm-up command
        driver.run(mode.op, srcAddr, dstAddr, size, 0, timeoutNanos);
        long tlps0 = tlps(counters);
        LinkCounters link0 = linkCounters(driver.device());
        int failed = 0;
        int[] inFlight = new int[depth];
        long t0 = System.nanoTime();
        long submitted = 0;
        for (; submitted < commands; submitted++) {
            int slot = (int) (submitted % depth);
            if (submitted >= depth) {
                DmaTestDriver.Completion c = driver.await(inFlight[slot], timeoutNanos);
                if (c == null) throw new IllegalStateException("dmatest command " + inFlight[slot] + " did not complete");
                if (!c.ok()) failed++;
                if (submitted >= 16 && System.nanoTime() - t0 > nanosPerSize) break;
            }
            inFlight[slot] = driver.submit(mode.op, srcAddr, dstAddr, size);
        }
        for (long i = Math.max(0, submitted - depth); i < submitted; i++) {
            DmaTestDriver.Completion c = driver.await(inFlight[(int) (i % depth)], timeoutNanos);
            if (c == null) throw new IllegalStateException("dmatest command did not complete");
            if (!c.ok()) failed++;
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        double bytes = (double) submitted * size;
        LinkCounters link1 = linkCounters(driver.device());
        return new Row(mode, size, submitted, seconds, bytes / seconds / 1e9, (tlps(counters) - tlps0) / seconds, failed,
                link0 == null || link1 == null ? null : minus(link1, link0));
    }

    private static LinkCounters linkCounters(PcieDevice d) {
        return d.link().port() instanceof Link l ? l.counters() : null;
    }

    private static LinkCounters minus(LinkCounters a, LinkCounters b) {
        return new LinkCounters(a.framesSent() - b.framesSent(), a.framesReceived() - b.framesReceived(), a.tlpsSent() - b.tlpsSent(),
                a.tlpsReceived() - b.tlpsReceived(), a.retransmits() - b.retransmits(), a.timeouts() - b.timeouts(),
                a.naksSent() - b.naksSent(), a.naksReceived() - b.naksReceived(), a.acksSent() - b.acksSent(),
                a.keepalivesSent() - b.keepalivesSent(), a.duplicates() - b.duplicates(), a.outOfWindow() - b.outOfWindow(),
                a.malformedFrames() - b.malformedFrames(), a.malformedTlps() - b.malformedTlps(), a.foreignFrames() - b.foreignFrames(),
                a.resetsSent() - b.resetsSent(), a.sessionsUp() - b.sessionsUp(), a.sessionsDown() - b.sessionsDown(),
                a.handlerErrors() - b.handlerErrors(), a.srttNanos());
    }

    private static long tlps(Counters c) {
        return c.get(Counter.DMA_READ) + c.get(Counter.DMA_READ_COMPLETION) + c.get(Counter.DMA_WRITE);
    }
}
