package dev.vpcie.protocol.link;

import dev.vpcie.protocol.agent.AgentLoop;
import dev.vpcie.protocol.agent.AgentWork;
import dev.vpcie.protocol.agent.Blocker;
import dev.vpcie.protocol.transport.FrameTransport;
import dev.vpcie.protocol.transport.MacAddress;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.function.BiPredicate;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link LinkAgent} run by an {@link AgentLoop} over one transport: the object both the endpoint
 * and the VRC hold. Typical use:
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
 * <h2>Its loop</h2>
 * {@link #start(FrameTransport, LinkConfig)} gives the link a loop of its own that spins for
 * {@link LinkConfig#busyPoll()} after the last work, then blocks on the transport.
 * {@link #start(FrameTransport, LinkConfig, AgentLoop)} runs it as one work of a loop that also
 * serves other sources (device models, wires, drivers, TAPs): the transport's descriptor is polled
 * with theirs, and the links' {@link TlpHandler}s are called on that loop's thread, so work in the
 * same loop acts on a TLP directly, with no hand-off. There, use {@link Link#trySend} (the loop must
 * never wait for the window) and keep what does not fit for a later cycle.
 *
 * <p>Closing the endpoint closes every link (peers get a CLOSE) but not the transport, which
 * belongs to the caller, nor a loop it was given.
 */
public final class LinkEndpoint implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LinkEndpoint.class);
    /** Longest a discovery waits past its own duration for the loop to finish it. */
    private static final long DISCOVERY_GRACE_NS = TimeUnit.MILLISECONDS.toNanos(100);

    private final LinkAgent agent;
    private final FrameTransport transport;
    private final AgentLoop loop;
    private final boolean ownsLoop;
    private final Work work = new Work();
    private final int pollFd;
    private volatile boolean running = true;
    private volatile String failure;

    private LinkEndpoint(FrameTransport transport, LinkConfig config, AgentLoop loop, boolean ownsLoop) {
        this.transport = transport;
        this.agent = new LinkAgent(transport, config);
        this.loop = loop;
        this.ownsLoop = ownsLoop;
        this.pollFd = transport.pollFd();
        agent.waker(loop::wakeup);
        if (pollFd >= 0) {
            loop.watch(pollFd);
        } else {
            loop.blockWith(new Blocker() {
                @Override public void block(long timeoutNs) { agent.park(timeoutNs); }

                @Override public void wakeup() { transport.wakeup(); }
            });
        }
        loop.add(work);
    }

    /** Starts the link on a loop of its own; the transport stays the caller's to close (after this). */
    public static LinkEndpoint start(FrameTransport transport, LinkConfig config) {
        AgentLoop loop = AgentLoop.start("vpcie-link " + transport.name(), config.busyPoll());
        try {
            return new LinkEndpoint(transport, config, loop, true);
        } catch (RuntimeException e) {
            loop.close();
            throw e;
        }
    }

    /**
     * Starts the link as one work of {@code loop}; TLP handlers then run on the loop's thread.
     * The loop stays the caller's to close (after this).
     */
    public static LinkEndpoint start(FrameTransport transport, LinkConfig config, AgentLoop loop) {
        return new LinkEndpoint(transport, config, loop, false);
    }

    /** The loop this link runs on. */
    public AgentLoop loop() { return loop; }

    /** See {@link LinkAgent#connect}. */
    public Link connect(MacAddress peer, int peerInstance) {
        checkRunning();
        return agent.connect(peer, peerInstance);
    }

    /** See {@link LinkAgent#onAccept}: called on the loop thread with each link a new peer opens; set its handler there. */
    public void onAccept(Consumer<Link> acceptor) { agent.onAccept(acceptor); }

    /** See {@link LinkAgent#announce}. */
    public void announce(byte[] info) { agent.announce(info); }

    /** Broadcasts DISCOVER in the group and returns who answered within {@code wait}. Not on the loop thread. */
    public List<Announcement> discover(Duration wait) throws InterruptedException { return discover(wait, (mac, instance) -> true); }

    /**
     * Discovery that keeps only the answers from peers {@code wanted} accepts: a round keeps at
     * most {@link Discovery#MAX_RESULTS} answers, so a VRC that knows whom it wants must not let
     * strangers' answers crowd that one out.
     */
    public List<Announcement> discover(Duration wait, BiPredicate<MacAddress, Integer> wanted) throws InterruptedException {
        checkRunning();
        if (loop.inLoop()) throw new IllegalStateException("discover() waits for the loop: call it from another thread");
        Discovery d = agent.startDiscovery(wait, wanted);
        d.await(wait.toNanos() + DISCOVERY_GRACE_NS, TimeUnit.NANOSECONDS);
        return d.results();
    }

    public LinkCounters counters() { return agent.counters(); }

    /** What the link refused as possible attacks (docs/security.md). */
    public SecurityCounters securityCounters() { return agent.securityCounters(); }

    public List<Link> links() { return agent.links(); }

    public MacAddress address() { return agent.address(); }

    public int hostInstance() { return agent.hostInstance(); }

    /** The largest encoded TLP the links carry, from the MTU. */
    public int maxTlpLength() { return agent.maxTlpLength(); }

    /** Why the link stopped on its own (the transport failed), or null. */
    public String failure() { return failure; }

    /** Closes every link (peers get a CLOSE) and stops serving the transport. */
    @Override public void close() {
        if (!running) {
            if (ownsLoop) loop.close();
            return;
        }
        running = false;
        if (loop.inLoop()) {
            agent.closeAll("link endpoint closed");
        } else {
            try {
                loop.call(() -> {
                    agent.closeAll("link endpoint closed");
                    return null;
                }).get(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                log.debug("{}: closing the links on the loop failed: {}", transport.name(), e.toString());
            }
        }
        detach();
        if (ownsLoop) loop.close();
    }

    private void detach() {
        agent.waker(null);
        loop.remove(work);
        if (pollFd >= 0) loop.unwatch(pollFd);
        else loop.blockWith(null);
    }

    private void checkRunning() {
        if (!running) throw new IllegalStateException("link endpoint on " + transport.name() + " is closed"
                + (failure != null ? ": " + failure : ""));
    }

    /** The link agent as one work of the loop. */
    private final class Work implements AgentWork {
        @Override public int doWork(long nowNs) {
            if (!running) return 0;
            try {
                return agent.doWork(nowNs);
            } catch (UncheckedIOException e) {
                failure = e.getMessage() + ": " + e.getCause().getMessage();
                running = false;
                if (!isClosedTransport(e)) log.error("{}: link stopped: {}", transport.name(), failure);
                agent.failAll("transport failed: " + failure);
                detach();
                return 1;
            } catch (RuntimeException | Error e) {
                failure = e.toString();
                running = false;
                log.error("{}: link failed", transport.name(), e);
                agent.failAll("link failed: " + e);
                detach();
                return 1;
            }
        }

        @Override public long nextDeadlineNs() { return running ? agent.nextDeadline() : Long.MAX_VALUE; }

        @Override public void onClose() {
            if (!running) return;
            running = false;
            agent.closeAll("link endpoint closed");
        }
    }

    private static boolean isClosedTransport(UncheckedIOException e) {
        return e.getCause() instanceof java.nio.channels.ClosedChannelException
                || String.valueOf(e.getCause().getMessage()).contains("closed");
    }
}
