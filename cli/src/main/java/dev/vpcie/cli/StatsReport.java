package dev.vpcie.cli;

import dev.vpcie.endpoint.Endpoint;
import dev.vpcie.endpoint.FunctionHost;
import dev.vpcie.protocol.capture.QueuedCapture;
import dev.vpcie.protocol.link.Link;
import dev.vpcie.protocol.link.LinkCounters;
import dev.vpcie.protocol.transport.FrameStats;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The counters of a running command, printed every {@code --stats-interval}: per link sessions,
 * frames and TLPs each way, TLPs per frame, retransmits, timeouts, NAKs and the smoothed RTT;
 * per endpoint function its DMA bytes, interrupts and other events; the endpoint's refusals.
 * Lines start with {@code stats} so they are easy to grep out of the status output.
 */
final class StatsReport implements AutoCloseable {
    private final ScheduledExecutorService timer;

    private StatsReport(ScheduledExecutorService timer) { this.timer = timer; }

    /** Prints {@code lines} every {@code interval} on a daemon thread until closed; null interval: nothing. */
    static StatsReport start(Duration interval, Supplier<List<String>> lines, PrintWriter out) {
        if (interval == null) return new StatsReport(null);
        // Off the data path on purpose: printing to a terminal or a pipe may block, which the agent
        // loop must never do; the counters it reads are snapshots safe to take from any thread.
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("vpcie-stats").unstarted(r));
        timer.scheduleAtFixedRate(() -> {
            for (String line : lines.get()) out.println(line);
            out.flush();
        }, interval.toNanos(), interval.toNanos(), TimeUnit.NANOSECONDS);
        return new StatsReport(timer);
    }

    static List<String> lines(Interconnect net, Endpoint endpoint) {
        String now = "stats " + LocalTime.now().truncatedTo(ChronoUnit.SECONDS) + " ";
        List<String> lines = new ArrayList<>();
        if (net != null) {
            FrameStats.Snapshot f = net.frameStats();
            if (f != null)
                lines.add(now + net.transport().name() + ": frames tx " + f.sent().frames() + " rx " + f.received().frames()
                        + ", DATA frames tx " + f.sent().dataFrames() + " rx " + f.received().dataFrames()
                        + ", TLPs/frame tx " + ratio(f.sent().tlpsPerFrame()) + " rx " + ratio(f.received().tlpsPerFrame())
                        + ", bytes tx " + f.sent().bytes() + " rx " + f.received().bytes());
            QueuedCapture c = net.capture();
            if (c != null)
                lines.add(now + "capture " + c.spec().file() + ": frames " + c.frames() + ", dropped " + c.dropped()
                        + " (writer behind " + c.queueDrops() + ")");
            long otherGroup = net.links().securityCounters().otherGroup();
            if (otherGroup > 0) lines.add(now + net.transport().name() + ": frames of other groups refused " + otherGroup);
            for (Link l : net.links().links()) lines.add(now + "link " + l.describe() + (l.isUp() ? " (up)" : " (down)") + ": " + link(l.counters()));
        }
        if (endpoint != null) {
            for (FunctionHost fn : endpoint.functions()) {
                StringBuilder s = new StringBuilder(now + "fn " + fn.number() + " " + fn.name() + ":");
                Map<String, Long> counts = fn.counters().snapshot();
                counts.forEach((k, v) -> { if (v != 0) s.append(' ').append(k).append('=').append(v); });
                if (counts.values().stream().allMatch(v -> v == 0)) s.append(" no events");
                lines.add(s.toString());
            }
            lines.add(now + "refused or dropped: " + endpoint.counters().snapshot());
        }
        return lines;
    }

    /** One link's counters, e.g. {@code sessions up 1 down 0, frames tx 12 rx 11, TLPs tx 5 rx 5, ...}. */
    static String link(LinkCounters c) {
        return "sessions up " + c.sessionsUp() + " down " + c.sessionsDown()
                + ", frames tx " + c.framesSent() + " rx " + c.framesReceived()
                + ", TLPs tx " + c.tlpsSent() + " rx " + c.tlpsReceived()
                + ", retransmits " + c.retransmits() + ", timeouts " + c.timeouts()
                + ", NAKs tx " + c.naksSent() + " rx " + c.naksReceived()
                + ", RTT " + (c.srttNanos() == 0 ? "-" : String.format(Locale.ROOT, "%.1f us", c.srttNanos() / 1000.0));
    }

    private static String ratio(double r) { return String.format(Locale.ROOT, "%.2f", r); }

    @Override public void close() {
        if (timer != null) timer.shutdownNow();
    }
}
