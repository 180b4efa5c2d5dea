package dev.vpcie.cli;

import dev.vpcie.cli.control.ControlJson;
import dev.vpcie.protocol.link.Link;
import dev.vpcie.protocol.link.LinkConfig;
import dev.vpcie.protocol.link.LinkCounters;
import dev.vpcie.protocol.tlp.Bdf;
import dev.vpcie.protocol.transport.FrameStats;
import dev.vpcie.vrc.Bar;
import dev.vpcie.vrc.Counter;
import dev.vpcie.vrc.DmaWindows;
import dev.vpcie.vrc.EndpointLink;
import dev.vpcie.vrc.FunctionCounters;
import dev.vpcie.vrc.PcieDevice;
import dev.vpcie.vrc.RootComplex;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code vrc status}: a snapshot of a VRC taken on its agent loop (so that it is consistent with
 * what the loop does), as a table or as JSON: per link its session and counters, per function
 * its IDs, BARs, interrupts and counters, the DMA windows, and the root complex's events.
 */
record VrcStatus(String where, String socket, long uptimeSeconds, int window, FrameStats.Snapshot frames, String capture,
                 List<LinkRow> links, List<FunctionRow> functions, List<DmaWindows.Mapping> dmaWindows, Map<Counter, Long> events) {

    /** One endpoint link; {@code counters} is null for a link that is not a vpcie link (tests' in-memory ports). */
    record LinkRow(int bus, String peer, boolean up, LinkCounters counters) {}

    record FunctionRow(int bdf, int vendorId, int deviceId, int classCode, String interrupts, List<Bar> bars, FunctionCounters.Snapshot counters) {}

    /** How long the snapshot may take: the loop answers within a cycle unless it is stuck. */
    static final long TIMEOUT_SECONDS = 5;

    /** Takes the snapshot on {@code rc}'s loop; a loop that does not answer in time is an exception saying so. */
    static VrcStatus of(RootComplex rc, VrcService.Served s) throws Exception {
        try {
            return rc.loop().call(() -> collect(rc, s)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("the VRC's loop did not answer within " + TIMEOUT_SECONDS + " s");
        }
    }

    private static VrcStatus collect(RootComplex rc, VrcService.Served s) {
        Interconnect net = s.connection() == null ? null : s.connection().interconnect();
        List<LinkRow> links = new ArrayList<>();
        for (EndpointLink l : rc.links())
            links.add(new LinkRow(l.bus(), l.describe(), l.isUp(), l.port() instanceof Link link ? link.counters() : null));
        List<FunctionRow> functions = new ArrayList<>();
        for (PcieDevice d : rc.devices())
            functions.add(new FunctionRow(d.bdf(), d.vendorId(), d.deviceId(), d.classCode(), interrupts(d), d.bars(),
                    rc.counters().function(d.bdf())));
        RuntimeCapture capture = s.capture();
        RuntimeCapture.Summary running = capture == null ? null : capture.running();
        return new VrcStatus(net != null ? net.describe() : s.where(), s.socket() == null ? null : s.socket().toString(),
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - s.startedNs()), LinkConfig.defaults().window(),
                net == null ? null : net.frameStats(), running == null ? null : running.spec().file() + " (" + running.frames() + " frames)",
                links, functions, rc.dmaWindows().mappings(), rc.counters().snapshot());
    }

    private static String interrupts(PcieDevice d) {
        return switch (d.interruptMode()) {
            case NONE -> "none";
            case INTX -> "INTx";
            case MSI -> "MSI x" + d.vectors();
            case MSIX -> "MSI-X x" + d.vectors();
        };
    }

    // ------------------------------------------------------------------ table

    String table() {
        StringBuilder s = new StringBuilder();
        s.append("VRC ").append(where).append(socket == null ? ", own session (no VRC runs here)" : ", control socket " + socket)
                .append(", up ").append(uptimeSeconds).append(" s\n");
        if (frames != null)
            s.append(String.format(Locale.ROOT, "interconnect: frames tx %d rx %d, DATA frames tx %d rx %d, TLPs/frame tx %.2f rx %.2f, bytes tx %d rx %d%n",
                    frames.sent().frames(), frames.received().frames(), frames.sent().dataFrames(), frames.received().dataFrames(),
                    frames.sent().tlpsPerFrame(), frames.received().tlpsPerFrame(), frames.sent().bytes(), frames.received().bytes()));
        if (capture != null) s.append("capture: ").append(capture).append('\n');
        s.append('\n').append(String.format("%-3s %-38s %-4s %-9s %-21s %-21s %-6s %-7s %-8s %-10s %-9s %s%n", "BUS", "LINK", "UP",
                "SESSIONS", "FRAMES TX/RX", "TLPS TX/RX", "TLP/FR", "RETRANS", "TIMEOUTS", "NAKS TX/RX", "RTT", "WINDOW"));
        for (LinkRow l : links) {
            LinkCounters c = l.counters();
            if (c == null) {
                s.append(String.format("%02x  %-38s %-4s (no link counters: not a vpcie link)%n", l.bus(), l.peer(), l.up() ? "up" : "down"));
                continue;
            }
            s.append(String.format(Locale.ROOT, "%02x  %-38s %-4s %-9s %-21s %-21s %-6s %-7d %-8d %-10s %-9s %d%n", l.bus(), l.peer(),
                    l.up() ? "up" : "down", c.sessionsUp() + "/" + c.sessionsDown(), c.framesSent() + "/" + c.framesReceived(),
                    c.tlpsSent() + "/" + c.tlpsReceived(), ratio(c), c.retransmits(), c.timeouts(), c.naksSent() + "/" + c.naksReceived(),
                    c.srttNanos() == 0 ? "-" : String.format(Locale.ROOT, "%.1fus", c.srttNanos() / 1000.0), window));
        }
        s.append('\n').append(String.format("%-8s %-9s %-6s %-9s %-19s %-23s %-10s %s%n", "FUNCTION", "ID", "CLASS", "IRQ",
                "MMIO READS/WRITES", "DMA BYTES READ/WRITTEN", "INTERRUPTS", "REFUSED (DMA/UR)"));
        for (FunctionRow f : functions) {
            FunctionCounters.Snapshot c = f.counters();
            s.append(String.format("%-8s %04x:%04x %06x %-9s %-19s %-23s %-10d %s%n", Bdf.toString(f.bdf()), f.vendorId(), f.deviceId(),
                    f.classCode(), f.interrupts(), c.mmioReads() + "/" + c.mmioWrites(), c.dmaBytesRead() + "/" + c.dmaBytesWritten(),
                    c.interrupts(), c.dmaRefused() + "/" + c.unsupported()));
            for (Bar b : f.bars())
                s.append(String.format("         BAR%d %s at 0x%x, %s%n", b.index(), b.kind() == Bar.Kind.IO ? "I/O" : "memory", b.address(), size(b.size())));
        }
        s.append("\nDMA WINDOWS\n");
        if (dmaWindows.isEmpty()) s.append("  none\n");
        for (DmaWindows.Mapping m : dmaWindows)
            s.append(String.format("  %s 0x%x-0x%x (%s)%n", Bdf.toString(m.requester()), m.busAddress(), m.end() - 1, size(m.length())));
        s.append("\nROOT COMPLEX EVENTS\n");
        if (events.isEmpty()) s.append("  none\n");
        events.forEach((c, v) -> s.append("  ").append(c.description).append(": ").append(v).append('\n'));
        return s.toString();
    }

    private static String ratio(LinkCounters c) {
        return c.framesSent() == 0 ? "-" : String.format(Locale.ROOT, "%.2f", (double) c.tlpsSent() / c.framesSent());
    }

    private static String size(long bytes) {
        if (bytes >= 1 << 20 && bytes % (1 << 20) == 0) return (bytes >> 20) + " MiB";
        if (bytes >= 1 << 10 && bytes % (1 << 10) == 0) return (bytes >> 10) + " KiB";
        return bytes + " bytes";
    }

    // ------------------------------------------------------------------ JSON

    String json() {
        StringBuilder s = new StringBuilder("{");
        s.append("\"where\":").append(ControlJson.quote(where)).append(",\"socket\":").append(socket == null ? "null" : ControlJson.quote(socket))
                .append(",\"uptime_seconds\":").append(uptimeSeconds).append(",\"capture\":").append(capture == null ? "null" : ControlJson.quote(capture));
        if (frames != null)
            s.append(",\"frames\":{\"tx\":").append(direction(frames.sent())).append(",\"rx\":").append(direction(frames.received())).append('}');
        s.append(",\"links\":[");
        for (int i = 0; i < links.size(); i++) {
            LinkRow l = links.get(i);
            s.append(i == 0 ? "" : ",").append("{\"bus\":").append(l.bus()).append(",\"peer\":").append(ControlJson.quote(l.peer()))
                    .append(",\"up\":").append(l.up()).append(",\"window\":").append(window);
            LinkCounters c = l.counters();
            if (c != null)
                s.append(",\"sessions_up\":").append(c.sessionsUp()).append(",\"sessions_down\":").append(c.sessionsDown())
                        .append(",\"frames_tx\":").append(c.framesSent()).append(",\"frames_rx\":").append(c.framesReceived())
                        .append(",\"tlps_tx\":").append(c.tlpsSent()).append(",\"tlps_rx\":").append(c.tlpsReceived())
                        .append(",\"retransmits\":").append(c.retransmits()).append(",\"timeouts\":").append(c.timeouts())
                        .append(",\"naks_tx\":").append(c.naksSent()).append(",\"naks_rx\":").append(c.naksReceived())
                        .append(",\"rtt_ns\":").append(c.srttNanos());
            s.append('}');
        }
        s.append("],\"functions\":[");
        for (int i = 0; i < functions.size(); i++) {
            FunctionRow f = functions.get(i);
            FunctionCounters.Snapshot c = f.counters();
            s.append(i == 0 ? "" : ",").append("{\"bdf\":").append(ControlJson.quote(Bdf.toString(f.bdf())))
                    .append(",\"vendor_id\":").append(f.vendorId()).append(",\"device_id\":").append(f.deviceId())
                    .append(",\"class\":").append(f.classCode()).append(",\"interrupt_mode\":").append(ControlJson.quote(f.interrupts()))
                    .append(",\"mmio_reads\":").append(c.mmioReads()).append(",\"mmio_writes\":").append(c.mmioWrites())
                    .append(",\"dma_bytes_read\":").append(c.dmaBytesRead()).append(",\"dma_bytes_written\":").append(c.dmaBytesWritten())
                    .append(",\"interrupts\":").append(c.interrupts()).append(",\"dma_refused\":").append(c.dmaRefused())
                    .append(",\"unsupported_requests\":").append(c.unsupported()).append(",\"bars\":[");
            for (int j = 0; j < f.bars().size(); j++) {
                Bar b = f.bars().get(j);
                s.append(j == 0 ? "" : ",").append("{\"index\":").append(b.index()).append(",\"kind\":").append(ControlJson.quote(b.kind().name()))
                        .append(",\"address\":").append(b.address()).append(",\"size\":").append(b.size()).append('}');
            }
            s.append("]}");
        }
        s.append("],\"dma_windows\":[");
        for (int i = 0; i < dmaWindows.size(); i++) {
            DmaWindows.Mapping m = dmaWindows.get(i);
            s.append(i == 0 ? "" : ",").append("{\"bdf\":").append(ControlJson.quote(Bdf.toString(m.requester())))
                    .append(",\"address\":").append(m.busAddress()).append(",\"length\":").append(m.length()).append('}');
        }
        s.append("],\"events\":{");
        int i = 0;
        for (Map.Entry<Counter, Long> e : events.entrySet())
            s.append(i++ == 0 ? "" : ",").append(ControlJson.quote(e.getKey().name().toLowerCase(Locale.ROOT))).append(':').append(e.getValue());
        return s.append("}}\n").toString();
    }

    private static String direction(FrameStats.Direction d) {
        return "{\"frames\":" + d.frames() + ",\"data_frames\":" + d.dataFrames() + ",\"tlps\":" + d.tlps() + ",\"bytes\":" + d.bytes() + "}";
    }
}
