package dev.vpcie.endpoint;

import dev.vpcie.devices.config.ConfigSpace;
import dev.vpcie.devices.spi.EthernetPort;
import dev.vpcie.devices.spi.PcieFunction;
import dev.vpcie.protocol.agent.AgentLoop;
import dev.vpcie.protocol.agent.AgentWork;
import dev.vpcie.protocol.link.LinkDownException;
import dev.vpcie.protocol.link.LinkEndpoint;
import dev.vpcie.protocol.link.TlpHandler;
import dev.vpcie.protocol.link.TlpPort;
import dev.vpcie.protocol.tlp.Completions;
import dev.vpcie.protocol.tlp.Tlp;
import dev.vpcie.protocol.trace.PointEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The endpoint: up to eight functions (device 0, functions 0..7, as behind one ExpEther bridge)
 * served to one VRC at a time.
 *
 * <h2>Ownership</h2>
 * Any number of ports may be {@linkplain #attach attached} (one per VRC that opened a link), but
 * the endpoint belongs to the first one whose session comes up, until that session ends. While it
 * is owned, another port whose session comes up is refused: the endpoint closes it (over a real
 * link the VRC sees its session refused and retries later), and any TLP that still arrives on it is
 * answered UR if non-posted and dropped if posted ({@link RouterEvent#NOT_OWNER}). A device cannot
 * serve two masters: each would program BARs and MSI addresses the other knows nothing about.
 *
 * <h2>Session end = hot reset</h2>
 * When the owner's session ends (link down, or the VRC restarted, which the link reports as a
 * session ending and a new one starting), the DMA reads in flight are forgotten, every function
 * gets {@code reset(ResetKind.HOT)}, which also forgets the captured Routing ID, and the endpoint
 * is free for the next owner — which may be the same VRC again, and must enumerate again.
 *
 * <h2>One agent thread</h2>
 * Everything the functions do runs on one {@link AgentLoop} (given to the {@link Builder}, or the
 * endpoint's own): the endpoint is one {@link AgentWork} of it, whose duty cycle sends what waits
 * for the link's window, hands back finished DMA reads and runs the functions' timers. When the
 * link runs on the same loop ({@code LinkEndpoint.start(transport, config, loop)}) its TLPs are
 * routed and served inline, with no hand-off; from any other thread (an in-memory test port)
 * they are handed to the loop, stamped with the session they arrived in.
 *
 * <h2>More agents for more cores</h2>
 * {@link Builder#agents} spreads the functions over N agent loops, round-robin by function number
 * (never a thread per function beyond that): function {@code i} runs on agent {@code i % N}, the
 * first agent being the one above, where the link and the router run. Each further agent has its
 * own duty cycle for its functions (timers, DMA deadlines, wires) and its own backlog towards the
 * link ({@link Upstream#lane}); requests and completions for its functions are handed to it in
 * arrival order, so each function still sees everything in order on one thread.
 *
 * <p>Thread-safe. Link callbacks never block here.
 */
public final class Endpoint implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Endpoint.class);

    /** Hears sessions come and go (on the thread that delivers the link's events: do not block). */
    public interface SessionListener {
        /** {@code port} now owns the endpoint; {@code epoch} is the peer's session epoch (0 if unknown). */
        default void up(TlpPort port, long epoch) {}

        /** The owner's session ended; the functions are being reset. */
        default void down(TlpPort port, String reason) {}

        /** {@code port} came up while another owned the endpoint, and was closed. */
        default void refused(TlpPort port, TlpPort owner) {}
    }

    private final List<FunctionHost> hosts;
    private final FunctionHost[] byNumber = new FunctionHost[8];
    private final Upstream upstream = new Upstream();
    private final RouterCounters counters = new RouterCounters();
    private final TlpRouter router;
    private final AgentLoop loop;
    private final boolean ownsLoop;
    /** The further agents' loops (with {@link Builder#agents} above 1), owned by the endpoint. */
    private final List<AgentLoop> extraLoops = new ArrayList<>();
    private final LongSupplier clock;
    /** One duty cycle per agent: the first is on {@link #loop}, the others on {@link #extraLoops} in order. */
    private final List<Work> works = new ArrayList<>();
    private final List<SessionListener> listeners = new CopyOnWriteArrayList<>();
    private TlpPort owner; // guarded by this
    private volatile boolean closed;
    /** See {@link #displaceIdleOwnerAfter}; 0 = never. */
    private volatile long idleOwnerTimeoutNs;
    /** When the owner last sent a TLP (or took the endpoint). */
    private volatile long ownerActiveNs;

    private Endpoint(Builder b) {
        if (b.functions.isEmpty()) throw new IllegalArgumentException("an endpoint needs at least one function");
        PointEvent.load(); // here, not on the agent thread at the first frame (see load())
        boolean multi = b.functions.size() > 1;
        this.ownsLoop = b.loop == null;
        this.loop = ownsLoop ? AgentLoop.start("vpcie-endpoint", b.spin) : b.loop;
        this.clock = b.clock;
        int agents = Math.min(b.agents, b.functions.size());
        works.add(new Work(loop, upstream));
        for (int k = 1; k < agents; k++) {
            AgentLoop extra = AgentLoop.start("vpcie-endpoint-" + k, b.spin);
            extraLoops.add(extra);
            works.add(new Work(extra, upstream.lane()));
        }
        List<FunctionHost> list = new ArrayList<>();
        for (int i = 0; i < b.functions.size(); i++) {
            Work w = works.get(i % agents);
            FunctionHost h = new FunctionHost(b.functions.get(i), i, multi, w.upstream, b.config, counters, b.clock, b.ethernetPorts.get(i), w.loop);
            w.hosts.add(h);
            list.add(h);
            byNumber[i] = h;
        }
        this.hosts = List.copyOf(list);
        this.router = new TlpRouter(byNumber, upstream, counters);
        for (Work w : works) w.loop.add(w);
    }

    public static Builder builder() { return new Builder(); }

    /** The functions, by function number. */
    public List<FunctionHost> functions() { return hosts; }

    /** The function with number {@code n}. */
    public FunctionHost function(int n) {
        FunctionHost h = n >= 0 && n < 8 ? byNumber[n] : null;
        if (h == null) throw new IllegalArgumentException("no function " + n + " (this endpoint has " + hosts.size() + ")");
        return h;
    }

    /** The way out to the owner (for tests and status). */
    Upstream upstream() { return upstream; }

    /** The agent loop the link and the router run on, and the functions unless spread over more agents. */
    public AgentLoop loop() { return loop; }

    /** Every agent loop the endpoint runs on: {@link #loop()} first, then those {@code agents(N)} added. */
    public List<AgentLoop> loops() {
        List<AgentLoop> all = new ArrayList<>(1 + extraLoops.size());
        all.add(loop);
        all.addAll(extraLoops);
        return all;
    }

    /** How many agent loops the functions run on. */
    public int agents() { return works.size(); }

    /** Counters of what the router refused, dropped or ignored. */
    public RouterCounters counters() { return counters; }

    /** The port that owns the endpoint now, if a session is up. */
    public synchronized Optional<TlpPort> owner() { return Optional.ofNullable(owner); }

    public void addListener(SessionListener l) { listeners.add(Objects.requireNonNull(l)); }

    public void removeListener(SessionListener l) { listeners.remove(l); }

    /**
     * Takes TLPs and session events from {@code port} (it becomes the port's handler). A port that
     * is up already is treated as a session that just came up (epoch unknown).
     */
    public void attach(TlpPort port) {
        if (closed) throw new IllegalStateException("endpoint is closed");
        PortHandler h = new PortHandler(port);
        port.handler(h);
        if (port.isUp()) h.onLinkUp(0);
    }

    /**
     * Attaches {@code port} unless the endpoint is owned now, in which case it returns false and the
     * caller refuses the link (a VRC refused at session set-up retries slowly, where one whose
     * session is closed after it came up would retry at once).
     */
    public boolean offer(TlpPort port) {
        TlpPort idle;
        synchronized (this) {
            if (closed) return false;
            idle = owner;
            if (idle != null && !ownerIdle()) return false;
        }
        if (idle != null) {
            log.warn("{} sent no TLP for {} s and {} asks for the endpoint: the idle owner loses it", idle.describe(),
                    idleOwnerTimeoutNs / 1_000_000_000L, port.describe());
            sessionDown(idle, "displaced: no TLP for " + idleOwnerTimeoutNs / 1_000_000_000L + " s while another VRC asked");
            idle.close();
        }
        attach(port);
        return true;
    }

    /**
     * Without a group key anyone on the segment can open a session and hold the endpoint with
     * nothing but keepalives (docs/security.md): an owner that sent no TLP for {@code timeout}
     * loses the endpoint when another VRC asks for it. Zero (the default) keeps an owner as long
     * as its session lasts.
     */
    public void displaceIdleOwnerAfter(java.time.Duration timeout) {
        if (timeout.isNegative()) throw new IllegalArgumentException("idle-owner timeout must not be negative: " + timeout);
        idleOwnerTimeoutNs = timeout.toNanos();
    }

    private boolean ownerIdle() {
        long t = idleOwnerTimeoutNs;
        return t > 0 && clock.getAsLong() - ownerActiveNs >= t;
    }

    /**
     * Serves the VRCs of {@code links}' group: answers discovery with {@link #announcement()} (kept
     * current as owners come and go) and takes the links VRCs open, refusing them at session set-up
     * while another VRC owns the endpoint (so the refused VRC's link layer retries slowly).
     */
    public void serve(LinkEndpoint links) {
        links.announce(announcement().getBytes(StandardCharsets.UTF_8));
        addListener(new SessionListener() {
            @Override public void up(TlpPort port, long epoch) { links.announce(announcement().getBytes(StandardCharsets.UTF_8)); }

            @Override public void down(TlpPort port, String reason) { links.announce(announcement().getBytes(StandardCharsets.UTF_8)); }
        });
        links.onAccept(link -> {
            if (!offer(link)) link.close();
        });
    }

    /**
     * What the endpoint says about itself in answer to discovery: a line of {@code key=value} fields,
     * e.g. {@code vpcie-endpoint functions="00.0 dmatest [1af4:10f0] class 088000" owner=none}.
     */
    public String announcement() {
        String who = owner().map(TlpPort::describe).orElse("none");
        return "vpcie-endpoint functions=\"" + describeFunctions() + "\" owner=" + who.replace(' ', '_');
    }

    /**
     * One line describing the functions, e.g. {@code 00.0 dmatest [1af4:10f0] class 088000}; used in
     * status lines and the discovery announcement.
     */
    public String describeFunctions() {
        StringBuilder b = new StringBuilder();
        for (FunctionHost h : hosts) {
            ConfigSpace c = h.function().config();
            if (!b.isEmpty()) b.append(", ");
            b.append(String.format("00.%d %s [%04x:%04x] class %06x", h.number(), h.function().name(), c.vendorId(), c.deviceId(),
                    c.classCode()));
        }
        return b.toString();
    }

    /**
     * Stops serving (the endpoint's own loop stops; a shared one keeps running without it). The
     * ports stay the caller's to close; TLPs that still arrive on them are dropped unanswered.
     */
    @Override public void close() {
        synchronized (this) {
            if (closed) return;
            closed = true;
            owner = null;
        }
        upstream.down();
        for (AgentLoop extra : extraLoops) extra.close();
        if (ownsLoop) loop.close();
        else loop.remove(works.getFirst());
    }

    /** Runs {@code r} on the agent thread: now when called there, else in its next cycle. */
    private void onLoop(Runnable r) {
        if (loop.inLoop()) {
            r.run();
        } else {
            try {
                loop.execute(r);
            } catch (IllegalStateException e) {
                // the loop is closed: the endpoint is too, and drops what still arrives
            }
        }
    }

    /** The endpoint's part of one agent's duty cycle: that agent's functions and its way out. */
    private final class Work implements AgentWork {
        final AgentLoop loop;
        final Upstream upstream;
        final List<FunctionHost> hosts = new ArrayList<>();

        Work(AgentLoop loop, Upstream upstream) {
            this.loop = loop;
            this.upstream = upstream;
        }

        @Override public int doWork(long nowNs) {
            int n = upstream.drain();
            long now = clock.getAsLong();
            boolean holdBack = upstream.congested();
            for (FunctionHost h : hosts) n += h.doWork(now, holdBack);
            return n + upstream.drain();
        }

        @Override public long nextDeadlineNs() {
            long d = Long.MAX_VALUE;
            boolean holdBack = upstream.congested();
            for (FunctionHost h : hosts) d = Math.min(d, h.nextDeadlineNs(holdBack));
            return d;
        }
    }

    // ------------------------------------------------------------------ link threads

    private void sessionUp(TlpPort port, long epoch) {
        TlpPort current;
        synchronized (this) {
            if (closed) return;
            current = owner;
            if (current == null) {
                owner = port;
                ownerActiveNs = clock.getAsLong();
                upstream.up(port, epoch);
            }
        }
        if (current == null) {
            log.info("owned by {} (epoch {})", port.describe(), Long.toHexString(epoch));
            for (SessionListener l : listeners) l.up(port, epoch);
        } else if (current != port) {
            log.warn("refused {}: the endpoint belongs to {}", port.describe(), current.describe());
            for (SessionListener l : listeners) l.refused(port, current);
            port.close();
        }
        // current == port: the same session reported twice (attach raced onLinkUp); nothing changes.
    }

    private void sessionDown(TlpPort port, String reason) {
        synchronized (this) {
            if (owner != port) return;
            owner = null;
            upstream.down();
        }
        log.info("session with {} ended ({}): hot reset of {} function(s)", port.describe(), reason, hosts.size());
        onLoop(() -> {
            for (FunctionHost h : hosts) h.sessionEnded(); // each on its own agent
        });
        for (SessionListener l : listeners) l.down(port, reason);
    }

    /** A TLP from {@code port}: routed on the agent thread in the session it arrived in. */
    private void fromPort(TlpPort port, Tlp tlp) {
        if (closed) return; // a closed endpoint is a stopped process: nothing answers
        Upstream.Session s = upstream.session();
        if (s != null && s.port() == port) {
            if (idleOwnerTimeoutNs > 0) ownerActiveNs = clock.getAsLong();
            // The host is talking to us (a doorbell, a completion of our DMA read): the next TLP of
            // this exchange follows within a round trip, so the loop stays awake for it.
            loop.stayAwake();
            int generation = s.generation();
            onLoop(() -> router.route(tlp, generation));
            return;
        }
        counters.count(RouterEvent.NOT_OWNER);
        if (tlp.nonPosted()) {
            try {
                if (!port.trySend(Completions.unsupportedRequest(tlp, 0))) counters.count(RouterEvent.BACKLOG_FULL);
            } catch (LinkDownException e) {
                counters.count(RouterEvent.SEND_FAILED_LINK_DOWN);
            }
        }
    }

    /** The handler of one attached port. */
    private final class PortHandler implements TlpHandler {
        private final TlpPort port;

        PortHandler(TlpPort port) { this.port = port; }

        @Override public void onTlp(Tlp tlp) { fromPort(port, tlp); }

        @Override public void onLinkUp(long peerEpoch) { sessionUp(port, peerEpoch); }

        @Override public void onLinkDown(String reason) { sessionDown(port, reason); }
    }

    /** Builds an endpoint; {@link #build} starts serving on the agent loop. */
    public static final class Builder {
        private final List<PcieFunction> functions = new ArrayList<>();
        private final List<List<EthernetPort>> ethernetPorts = new ArrayList<>();
        private EndpointConfig config = EndpointConfig.defaults();
        private LongSupplier clock = System::nanoTime;
        private AgentLoop loop;
        private java.time.Duration spin = AgentLoop.DEFAULT_SPIN;
        private int agents = 1;

        private Builder() {}

        /**
         * Spreads the functions over {@code n} agent threads (1..8, default 1), round-robin by
         * function number; more agents than functions are not started.
         */
        public Builder agents(int n) {
            if (n < 1 || n > 8) throw new IllegalArgumentException("agents must be 1..8: " + n);
            this.agents = n;
            return this;
        }

        /** Runs the endpoint on {@code l} (the loop its LinkEndpoint runs on) instead of a loop of its own. */
        public Builder loop(AgentLoop l) { this.loop = Objects.requireNonNull(l); return this; }

        /** How long the endpoint's own loop spins after its last work before it blocks. */
        public Builder spin(java.time.Duration d) { this.spin = Objects.requireNonNull(d); return this; }

        /** Adds the next function (numbers are given in order from 0). */
        public Builder function(PcieFunction f) { return function(f, List.of()); }

        /** Adds the next function with its Ethernet ports (a NIC's wires). */
        public Builder function(PcieFunction f, List<EthernetPort> ports) {
            if (functions.size() == 8) throw new IllegalArgumentException("device 0 has at most 8 functions");
            functions.add(Objects.requireNonNull(f));
            ethernetPorts.add(List.copyOf(ports));
            return this;
        }

        public Builder config(EndpointConfig c) { this.config = Objects.requireNonNull(c); return this; }

        /** The host clock for timers and DMA deadlines (monotonic nanoseconds). */
        public Builder clock(LongSupplier c) { this.clock = Objects.requireNonNull(c); return this; }

        public Endpoint build() { return new Endpoint(this); }
    }
}
