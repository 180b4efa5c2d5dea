package dev.vpcie.protocol.link;

import dev.vpcie.protocol.transport.FrameTransport;
import dev.vpcie.protocol.transport.MacAddress;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link LinkAgent} running on its own platform thread over one transport: the object both the
 * endpoint and the VRC hold. Typical use:
 *
 * <pre>{@code
 * try (var endpoint = LinkEndpoint.start(transport, LinkConfig.defaults().withGroup(7))) {
 *     // VRC side: find endpoints, connect, wait for the session
 *     Announcement a = endpoint.discover(Duration.ofMillis(300)).getFirst();
 *     Link link = endpoint.connect(a.address(), a.instance());
 *     link.handler(myHandler);
 *     link.awaitUp(Duration.ofSeconds(2));
 *     link.send(tlp);
 *     // endpoint side instead: endpoint.announce(info); endpoint.onAccept(l -> l.handler(h));
 * }
 * }</pre>
 *
 * The thread spins for {@link LinkConfig#busyPoll()} after the last work (keeping round trips
 * short), then blocks in the transport's receive until a frame arrives, a timer is due or a
 * sender wakes it. Closing the endpoint closes every link (peers get a CLOSE) but not the
 * transport, which belongs to the caller.
 */
public final class LinkEndpoint implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LinkEndpoint.class);
    /** Longest the thread blocks without a timer due: bounds how late a stop request is seen. */
    private static final long MAX_PARK_NS = TimeUnit.MILLISECONDS.toNanos(100);

    private final LinkAgent agent;
    private final FrameTransport transport;
    private final Thread thread;
    private final long busyPollNs;
    private volatile boolean running = true;
    private volatile String failure;

    private LinkEndpoint(FrameTransport transport, LinkConfig config) {
        this.transport = transport;
        this.agent = new LinkAgent(transport, config);
        this.busyPollNs = config.busyPoll().toNanos();
        this.thread = Thread.ofPlatform().daemon().name("vpcie-link " + transport.name()).unstarted(this::run);
    }

    /** Starts the agent thread on a transport; the transport stays the caller's to close (after this). */
    public static LinkEndpoint start(FrameTransport transport, LinkConfig config) {
        LinkEndpoint e = new LinkEndpoint(transport, config);
        e.thread.start();
        return e;
    }

    /** See {@link LinkAgent#connect}. */
    public Link connect(MacAddress peer, int peerInstance) {
        checkRunning();
        return agent.connect(peer, peerInstance);
    }

    /** See {@link LinkAgent#onAccept}: called on the link thread with each link a new peer opens; set its handler there. */
    public void onAccept(Consumer<Link> acceptor) { agent.onAccept(acceptor); }

    /** See {@link LinkAgent#announce}. */
    public void announce(byte[] info) { agent.announce(info); }

    /** Broadcasts DISCOVER in the group and returns who answered within {@code wait}. */
    public List<Announcement> discover(Duration wait) throws InterruptedException {
        checkRunning();
        Discovery d = agent.startDiscovery(wait);
        d.await(wait.toNanos() + MAX_PARK_NS, TimeUnit.NANOSECONDS);
        return d.results();
    }

    public LinkCounters counters() { return agent.counters(); }

    public List<Link> links() { return agent.links(); }

    public MacAddress address() { return agent.address(); }

    public int hostInstance() { return agent.hostInstance(); }

    /** The largest encoded TLP the links carry, from the MTU. */
    public int maxTlpLength() { return agent.maxTlpLength(); }

    /** Why the agent thread stopped on its own (the transport failed), or null. */
    public String failure() { return failure; }

    /** Closes every link (peers get a CLOSE) and stops the thread. */
    @Override public void close() {
        if (!running) return;
        running = false;
        transport.wakeup();
        if (Thread.currentThread() == thread) return; // closed from a handler: the loop ends after this call
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void checkRunning() {
        if (!running) throw new IllegalStateException("link endpoint on " + transport.name() + " is closed"
                + (failure != null ? ": " + failure : ""));
    }

    private void run() {
        long lastWork = System.nanoTime();
        try {
            while (running) {
                long now = System.nanoTime();
                if (agent.doWork(now) > 0) {
                    lastWork = now;
                    continue;
                }
                if (now - lastWork < busyPollNs) {
                    // Yield rather than spin: on a machine with few cores the thread we wait for
                    // (a sender, the peer's agent) may need this core to produce our work.
                    Thread.yield();
                    continue;
                }
                long wait = Math.min(MAX_PARK_NS, agent.nextDeadline() - now);
                if (wait > 0) agent.park(wait);
            }
            agent.closeAll("link endpoint closed");
        } catch (UncheckedIOException e) {
            failure = e.getMessage() + ": " + e.getCause().getMessage();
            running = false;
            if (!isClosedTransport(e)) log.error("{}: link thread stopped: {}", transport.name(), failure);
            agent.failAll("transport failed: " + failure);
        } catch (RuntimeException | Error e) {
            failure = e.toString();
            running = false;
            log.error("{}: link thread failed", transport.name(), e);
            agent.failAll("link thread failed: " + e);
            throw e;
        }
    }

    private static boolean isClosedTransport(UncheckedIOException e) {
        return e.getCause() instanceof java.nio.channels.ClosedChannelException
                || String.valueOf(e.getCause().getMessage()).contains("closed");
    }
}
