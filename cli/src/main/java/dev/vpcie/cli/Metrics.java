package dev.vpcie.cli;

import dev.vpcie.endpoint.Endpoint;
import dev.vpcie.endpoint.FunctionHost;
import dev.vpcie.endpoint.RouterEvent;
import dev.vpcie.protocol.link.Link;
import dev.vpcie.protocol.link.LinkCounters;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.util.List;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * {@code --metrics HOST:PORT}: the counters {@code --stats-interval} prints, served in the
 * Prometheus text format at {@code http://HOST:PORT/metrics} by the Prometheus Java client's
 * HTTP server, for people who run the endpoint as a service. Every value is read when scraped
 * (callback metrics): nothing is counted twice and nothing costs anything between scrapes.
 */
final class Metrics implements AutoCloseable {
    /** One link counter: its metric name (without {@code _total}), help, and where it comes from. */
    private record LinkCounter(String name, String help, ToLongFunction<LinkCounters> value) {}

    private static final List<LinkCounter> LINK_COUNTERS = List.of(
            new LinkCounter("vpcie_link_frames_sent", "link frames handed to the transport", LinkCounters::framesSent),
            new LinkCounter("vpcie_link_frames_received", "link frames received from the peer", LinkCounters::framesReceived),
            new LinkCounter("vpcie_link_tlps_sent", "TLPs sent for the first time", LinkCounters::tlpsSent),
            new LinkCounter("vpcie_link_tlps_received", "TLPs delivered in order", LinkCounters::tlpsReceived),
            new LinkCounter("vpcie_link_retransmits", "TLPs sent again after a NAK or a timeout", LinkCounters::retransmits),
            new LinkCounter("vpcie_link_timeouts", "retransmission timeouts", LinkCounters::timeouts),
            new LinkCounter("vpcie_link_naks_sent", "NAK frames sent", LinkCounters::naksSent),
            new LinkCounter("vpcie_link_naks_received", "NAK frames received", LinkCounters::naksReceived),
            new LinkCounter("vpcie_link_sessions_up", "sessions established", LinkCounters::sessionsUp),
            new LinkCounter("vpcie_link_sessions_down", "sessions ended", LinkCounters::sessionsDown),
            new LinkCounter("vpcie_link_duplicates", "TLPs received twice, dropped", LinkCounters::duplicates));

    private final HTTPServer server;

    private Metrics(HTTPServer server) { this.server = server; }

    /** Serves the metrics of {@code links} and (if not null) {@code endpoint}'s functions; the message of a failure names the address. */
    static Metrics start(String hostPort, Supplier<List<Link>> links, Endpoint endpoint) throws IOException {
        Interconnect.checkHostPort("--metrics", hostPort);
        int colon = hostPort.lastIndexOf(':');
        PrometheusRegistry registry = new PrometheusRegistry();
        for (LinkCounter c : LINK_COUNTERS)
            CounterWithCallback.builder().name(c.name()).help(c.help()).labelNames("peer")
                    .callback(cb -> { for (Link l : links.get()) cb.call(c.value().applyAsLong(l.counters()), peer(l)); }).register(registry);
        GaugeWithCallback.builder().name("vpcie_link_up").help("1 while the link's session is up").labelNames("peer")
                .callback(cb -> { for (Link l : links.get()) cb.call(l.isUp() ? 1 : 0, peer(l)); }).register(registry);
        GaugeWithCallback.builder().name("vpcie_link_rtt_seconds").help("smoothed round-trip time").labelNames("peer")
                .callback(cb -> { for (Link l : links.get()) cb.call(l.counters().srttNanos() / 1e9, peer(l)); }).register(registry);
        if (endpoint != null) {
            CounterWithCallback.builder().name("vpcie_function_events").help("a function's event counters (DMA bytes, interrupts, errors)")
                    .labelNames("function", "event").callback(cb -> {
                        for (FunctionHost fn : endpoint.functions())
                            fn.counters().snapshot().forEach((event, v) -> cb.call(v, fn.number() + " " + fn.name(), event));
                    }).register(registry);
            CounterWithCallback.builder().name("vpcie_endpoint_refused").help("requests the endpoint refused or dropped, by reason")
                    .labelNames("reason").callback(cb -> {
                        for (RouterEvent e : RouterEvent.values()) cb.call(endpoint.counters().get(e), e.name());
                    }).register(registry);
        }
        try {
            return new Metrics(HTTPServer.builder().hostname(hostPort.substring(0, colon)).port(Integer.parseInt(hostPort.substring(colon + 1)))
                    .registry(registry).buildAndStart());
        } catch (IOException e) {
            throw new IOException("cannot serve metrics on " + hostPort + ": " + e.getMessage(), e);
        }
    }

    private static String peer(Link l) { return l.peer() + "/" + l.peerInstance(); }

    /** The port it listens on (for {@code HOST:0}). */
    int port() { return server.getPort(); }

    @Override public void close() { server.close(); }
}
