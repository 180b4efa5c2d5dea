package dev.vpcie.protocol.link;

import dev.vpcie.protocol.encap.CloseReason;
import dev.vpcie.protocol.encap.EthernetHeader;
import dev.vpcie.protocol.encap.FrameCodec;
import dev.vpcie.protocol.encap.FrameHeader;
import dev.vpcie.protocol.encap.FrameType;
import dev.vpcie.protocol.encap.MalformedFrameException;
import dev.vpcie.protocol.link.Counters.C;
import dev.vpcie.protocol.tlp.MalformedTlpException;
import dev.vpcie.protocol.transport.FrameTransport;
import dev.vpcie.protocol.transport.MacAddress;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single-threaded agent that owns every link on one transport: it reads frames, runs each
 * peer's session, sends what is due and fires timers, all from {@link #doWork(long)} with the
 * time passed in. Nothing here blocks or reads a clock, so a test can drive two agents step by
 * step with a fake clock; {@link LinkEndpoint} runs one on a thread. Other threads reach it only
 * through queues: {@link #connect}, {@link Link#send}, {@link Link#close}, {@link #startDiscovery}.
 *
 * <p>Links are told apart by the peer's MAC address and host-instance ID.
 */
public final class LinkAgent {
    private static final Logger log = LoggerFactory.getLogger(LinkAgent.class);
    /** Frames read per {@link #doWork} before the agent turns to sending, so ACKs are not starved. */
    private static final int RECEIVE_BATCH = 64;
    private static final long WARN_INTERVAL_NS = 1_000_000_000L;
    /** Largest self-description {@link #announce} takes. */
    public static final int MAX_ANNOUNCEMENT = 1024;

    final LinkConfig config;
    final long keepaliveNs, linkDownTimeoutNs, initialRtoNs, minRtoNs, maxRtoNs, ackDelayNs;
    /** A receiver acknowledges at once after this many new TLPs, without waiting for the ACK delay. */
    final int ackEvery;
    /** DATA frames one peer may send per {@link #doWork} before the agent reads again. */
    final int burstFrames = 32;

    private final FrameTransport transport;
    private final RandomGenerator random;
    private final FrameWriter out;
    /** Checks and makes the seals of frames when the group has a key; null otherwise. */
    final FrameAuthenticator auth;
    private final Counters counters = new Counters();
    private final ByteBuffer rxNio;
    private final ByteBuf rx;

    private final ConcurrentHashMap<Long, Link> links = new ConcurrentHashMap<>();
    private final HashMap<Long, Peer> peers = new HashMap<>();
    private final ArrayList<Peer> peerList = new ArrayList<>();
    private final ConcurrentLinkedQueue<Runnable> commands = new ConcurrentLinkedQueue<>();
    private final ArrayList<Discovery> discoveries = new ArrayList<>();
    private final AnnounceLimiter announceLimiter = new AnnounceLimiter();
    private volatile Consumer<Link> acceptor;
    private volatile byte[] announcement;
    private volatile Thread agentThread;
    private volatile boolean sleeping;
    private volatile Runnable waker;
    private int stashedFrame;
    private long now;
    private boolean resetSent, warned;
    private long lastResetNs, lastWarnNs;
    private volatile LinkCounters retired = new Counters().snapshot();

    public LinkAgent(FrameTransport transport, LinkConfig config) {
        this(transport, config, new SecureRandom());
    }

    /** With a chosen random source for epochs and nonces (seeded in tests). */
    public LinkAgent(FrameTransport transport, LinkConfig config, RandomGenerator random) {
        this.transport = transport;
        this.config = config;
        this.random = random;
        int mtu = config.mtu() == 0 ? transport.mtu() : Math.min(config.mtu(), transport.mtu());
        if (mtu < FrameCodec.LINK_HEADER_LENGTH + FrameCodec.TLP_RECORD_PREFIX + FrameCodec.MIN_TLP_LENGTH + 16)
            throw new IllegalArgumentException(transport.name() + ": MTU " + mtu + " is too small for the link");
        this.keepaliveNs = config.keepaliveInterval().toNanos();
        this.linkDownTimeoutNs = config.linkDownTimeout().toNanos();
        this.initialRtoNs = config.initialRto().toNanos();
        this.minRtoNs = config.minRto().toNanos();
        this.maxRtoNs = config.maxRto().toNanos();
        this.ackDelayNs = config.ackDelay().toNanos();
        this.ackEvery = Math.max(1, config.window() / 4);
        this.auth = config.groupKey() == null ? null : new FrameAuthenticator(config.groupKey(), config.group(), config.etherType());
        this.out = new FrameWriter(transport, config, mtu, counters, auth);
        this.rxNio = ByteBuffer.allocateDirect(Math.max(transport.mtu(), 9216) + 64);
        this.rx = Unpooled.wrappedBuffer(rxNio);
    }

    static long key(MacAddress mac, int instance) { return mac.bits() << 16 | instance; }

    // ---- any thread ----

    public MacAddress address() { return transport.address(); }

    public int hostInstance() { return config.hostInstance(); }

    public LinkConfig config() { return config; }

    String transportName() { return transport.name(); }

    /** The largest encoded TLP a link on this agent carries (the MTU's limit). */
    public int maxTlpLength() { return out.maxTlpLength(); }

    /**
     * The link to a peer, opening sessions to it from now on (and again after each one ends)
     * until it is closed. Returns at once; see {@link Link#awaitUp}. Connecting to a peer that
     * already has a link (say it connected to us first) returns that link.
     */
    public Link connect(MacAddress peer, int peerInstance) {
        if (peerInstance < 0 || peerInstance >= FrameCodec.ANY_INSTANCE)
            throw new IllegalArgumentException("host instance must be 0..65534: " + peerInstance);
        if (peer.isMulticast()) throw new IllegalArgumentException("cannot connect to a multicast address: " + peer);
        if (peer.equals(address()) && peerInstance == config.hostInstance())
            throw new IllegalArgumentException("cannot connect to itself: " + peer + "/" + peerInstance);
        long k = key(peer, peerInstance);
        while (true) {
            Link link = links.computeIfAbsent(k, x -> new Link(this, peer, peerInstance));
            if (link.closed) {
                links.remove(k, link);
                continue;
            }
            link.wantsToConnect = true;
            commands.add(() -> adopt(link));
            signal();
            return link;
        }
    }

    /**
     * Who gets the links peers open to us; without one, HELLOs are refused. It runs on the agent
     * thread when a new peer's first HELLO arrives, before the session is up: set the link's handler
     * there (its {@code onLinkUp} follows at once) and send from {@code onLinkUp} on. Closing the
     * link inside the acceptor refuses the peer (it gets a CLOSE with reason REFUSED).
     */
    public void onAccept(Consumer<Link> acceptor) { this.acceptor = acceptor; }

    /** What to answer a DISCOVER with (at most {@value #MAX_ANNOUNCEMENT} bytes); null stops answering. */
    public void announce(byte[] info) {
        if (info != null && info.length > Math.min(MAX_ANNOUNCEMENT, out.maxTlpLength()))
            throw new IllegalArgumentException("announcement of " + info.length + " bytes is too long (at most "
                    + Math.min(MAX_ANNOUNCEMENT, out.maxTlpLength()) + ")");
        this.announcement = info == null ? null : info.clone();
    }

    /** Starts a round of discovery in the group; the returned handle fills as ANNOUNCEs arrive. */
    public Discovery startDiscovery(Duration duration) { return startDiscovery(duration, (mac, instance) -> true); }

    /** A round of discovery that keeps only the answers of peers {@code wanted} accepts (called on the agent thread). */
    public Discovery startDiscovery(Duration duration, java.util.function.BiPredicate<MacAddress, Integer> wanted) {
        if (duration.isNegative() || duration.isZero()) throw new IllegalArgumentException("discovery needs a positive duration");
        int nonce = java.util.concurrent.ThreadLocalRandom.current().nextInt(); // any thread: not the agent's generator
        Discovery d = new Discovery(nonce, duration.toNanos(), wanted);
        commands.add(() -> {
            d.begin(now);
            discoveries.add(d);
        });
        signal();
        return d;
    }

    /** Counters of the whole agent: every link's (including closed ones) plus the endpoint-wide ones. */
    public LinkCounters counters() {
        LinkCounters sum = retired;
        for (Link l : links.values()) sum = sum.plus(l.counters());
        LinkCounters mine = counters.snapshot();
        return new LinkCounters(mine.framesSent(), mine.framesReceived(), sum.tlpsSent(), sum.tlpsReceived(),
                sum.retransmits(), sum.timeouts(), sum.naksSent(), sum.naksReceived(), sum.acksSent(),
                sum.keepalivesSent(), sum.duplicates(), sum.outOfWindow(), mine.malformedFrames(), sum.malformedTlps(),
                mine.foreignFrames(), mine.resetsSent(), sum.sessionsUp(), sum.sessionsDown(), sum.handlerErrors(),
                sum.srttNanos());
    }

    /** What the agent refused as possible attacks (docs/security.md). */
    public SecurityCounters securityCounters() { return counters.security(); }

    /** The links this agent has now (connected, accepted, up or down). */
    public List<Link> links() { return List.copyOf(links.values()); }

    void requestClose(Link link) {
        commands.add(() -> closeLink(link));
        signal();
    }

    /** Wakes the agent thread if it is blocked waiting for frames. */
    void signal() {
        Runnable w = waker;
        if (w != null) {
            w.run();
        } else if (sleeping) {
            sleeping = false;
            transport.wakeup();
        }
    }

    /**
     * How other threads wake the thread that runs this agent when it sleeps somewhere other than
     * {@link #park} (an {@link dev.vpcie.protocol.agent.AgentLoop}'s ppoll); null: through the transport.
     */
    public void waker(Runnable w) { this.waker = w; }

    boolean isAgentThread() { return Thread.currentThread() == agentThread; }

    // ---- agent thread ----

    /**
     * Does everything due at {@code nowNs}: commands from other threads, frames waiting in the
     * transport (read without blocking), sending, timers. Returns how much work it did; 0 means
     * idle until {@link #nextDeadline()} or until a frame or a command arrives.
     */
    public int doWork(long nowNs) {
        if (agentThread == null) agentThread = Thread.currentThread();
        now = nowNs;
        int work = 0;
        for (Runnable c; (c = commands.poll()) != null; work++) c.run();
        if (stashedFrame > 0) {
            onFrame(stashedFrame);
            stashedFrame = 0;
            work++;
        }
        for (int i = 0; i < RECEIVE_BATCH; i++) {
            int n = receive(0);
            if (n <= 0) break;
            onFrame(n);
            work++;
        }
        for (int i = 0; i < peerList.size(); i++) work += peerList.get(i).service(nowNs);
        work += serviceDiscoveries(nowNs);
        out.flush(nowNs); // this cycle's frames (ACKs coalesced per peer by service) leave together
        return work;
    }

    /** The earliest time a timer needs {@link #doWork}, or {@code Long.MAX_VALUE}. */
    public long nextDeadline() {
        long d = Long.MAX_VALUE;
        for (int i = 0; i < peerList.size(); i++) d = Math.min(d, peerList.get(i).nextDeadline());
        for (int i = 0; i < discoveries.size(); i++) {
            Discovery disc = discoveries.get(i);
            d = Math.min(d, disc.sendsLeft > 0 ? disc.nextSendNs : disc.endNs);
        }
        return d;
    }

    /**
     * Blocks in the transport for up to {@code timeoutNs} unless there is work already; a frame
     * that arrives is kept for the next {@link #doWork}. Other threads' {@link #signal} cuts the
     * wait short.
     */
    public void park(long timeoutNs) {
        sleeping = true;
        if (!commands.isEmpty() || hasImmediateWork()) {
            sleeping = false;
            return;
        }
        int n = receive(timeoutNs);
        sleeping = false;
        if (n > 0) stashedFrame = n;
    }

    private boolean hasImmediateWork() {
        for (int i = 0; i < peerList.size(); i++) if (peerList.get(i).hasImmediateWork()) return true;
        return false;
    }

    /** Ends every session with a CLOSE to its peer; the agent keeps no links afterwards. */
    public void closeAll(String why) {
        for (Peer p : List.copyOf(peerList)) {
            p.close(CloseReason.CLOSED, why, now);
            forget(p);
        }
        out.flush(now);
        for (Discovery d : discoveries) d.finish();
        discoveries.clear();
    }

    /** The transport failed: every session ends without a goodbye. */
    void failAll(String why) {
        for (Peer p : List.copyOf(peerList)) {
            p.end(why, now);
            forget(p);
        }
    }

    private int receive(long timeoutNs) {
        try {
            return transport.receive(rxNio, timeoutNs);
        } catch (IOException e) {
            throw new UncheckedIOException(transport.name() + ": receive failed", e);
        }
    }

    private void onFrame(int length) {
        rx.setIndex(0, Math.min(length, rx.capacity()));
        EthernetHeader eth;
        FrameHeader h;
        ByteBuf payload;
        try {
            eth = FrameCodec.readEthernet(rx);
            if (eth.etherType() != config.etherType()) return; // not vpcie at all (a raw socket sees everything)
            counters.inc(C.FRAMES_RECEIVED);
            if (eth.group() != config.group()) {
                counters.inc(C.FOREIGN_FRAMES);
                counters.inc(C.OTHER_GROUP); // groups isolate VRCs: another group's frame is never looked into
                return;
            }
            if (!eth.destination().equals(address()) && !eth.destination().equals(MacAddress.BROADCAST)) {
                counters.inc(C.FOREIGN_FRAMES);
                return;
            }
            if (auth != null && !authenticate(eth)) return;
            h = FrameCodec.readHeader(rx, auth != null ? FrameCodec.VERSION_AUTHENTICATED : FrameCodec.VERSION);
            payload = rx.readSlice(h.payloadLength());
        } catch (MalformedFrameException e) {
            counters.inc(C.MALFORMED_FRAMES);
            if (log.isDebugEnabled()) log.debug("{}: dropped a malformed frame: {}", transport.name(), e.getMessage());
            return;
        }
        if (h.type() == FrameType.DISCOVER) {
            answerDiscover(eth.source(), h);
            return;
        }
        if (eth.destination().equals(MacAddress.BROADCAST) || h.dstInstance() != config.hostInstance()) {
            counters.inc(C.FOREIGN_FRAMES);
            return;
        }
        long k = key(eth.source(), h.srcInstance());
        Peer p = peers.get(k);
        if (p != null) p.link.counters.inc(C.FRAMES_RECEIVED);
        switch (h.type()) {
            case HELLO -> onHello(p, eth.source(), h);
            case HELLO_ACK -> {
                if (p != null) p.acceptHelloAck(h, now);
                else counters.inc(C.FOREIGN_FRAMES);
            }
            case CLOSE -> {
                if (p != null) p.onClose(h, now);
                else counters.inc(C.FOREIGN_FRAMES);
            }
            case ANNOUNCE -> onAnnounce(eth.source(), h, payload);
            case DATA, ACK, NAK, KEEPALIVE -> {
                if (p != null && p.state == Peer.State.UP && h.dstEpoch() == p.localEpoch && h.srcEpoch() == p.peerEpoch) {
                    p.onSessionFrame(h, payload, now);
                    return;
                }
                counters.inc(C.FOREIGN_FRAMES);
                if (p != null && p.state == Peer.State.UP) counters.inc(C.WRONG_TAG);
                // Our epoch on it means a session we are still setting up (its HELLO_ACK is on the
                // way): not stale. Anything else belongs to a session we do not have: say so, so the
                // peer ends it now instead of at its link-down timeout.
                boolean ours = p != null && p.state != Peer.State.DOWN && h.dstEpoch() == p.localEpoch;
                if (!ours) reset(eth.source(), h.srcInstance(), h.srcEpoch());
            }
            case DISCOVER -> throw new AssertionError("handled above");
        }
    }

    /**
     * A keyed agent's first look at a frame: its seal is checked before anything in it is
     * believed, reading only what says which key to use (Version, Type, the epochs). Frames
     * without a seal, naming no session of ours, or with a seal that does not verify, are
     * dropped and counted, and never answered.
     */
    private boolean authenticate(EthernetHeader eth) {
        int at = rx.readerIndex();
        if (rx.readableBytes() < FrameCodec.LINK_HEADER_LENGTH) {
            counters.inc(C.MALFORMED_FRAMES);
            return false;
        }
        if (rx.getUnsignedByte(at) != FrameCodec.VERSION_AUTHENTICATED) {
            counters.inc(C.UNAUTHENTICATED);
            return false;
        }
        int type = rx.getUnsignedByte(at + 1);
        long srcEpoch = rx.getLong(at + 8), dstEpoch = rx.getLong(at + 16);
        javax.crypto.Mac key = auth.keyFor(type, srcEpoch, dstEpoch);
        if (key == null && type == FrameType.HELLO_ACK.code()) {
            // the answer to our HELLO: its session has no key yet (derived only for a HELLO we sent)
            Peer p = peers.get(key(eth.source(), rx.getUnsignedShort(at + 4)));
            if (p != null && p.state == Peer.State.CONNECTING && p.localEpoch == dstEpoch && srcEpoch != 0)
                key = auth.pendingSessionKey(srcEpoch, dstEpoch);
        }
        if (key == null) {
            counters.inc(C.WRONG_TAG);
            return false;
        }
        if (!auth.verify(rx, at, key)) {
            counters.inc(C.BAD_ICV);
            return false;
        }
        return true;
    }

    private void onHello(Peer p, MacAddress mac, FrameHeader h) {
        if (p == null) {
            Consumer<Link> acc = acceptor;
            if (acc == null || peers.size() >= config.maxLinks()) {
                refuse(mac, h, acc == null ? "no acceptor" : "too many links (" + config.maxLinks() + ")");
                return;
            }
            long k = key(mac, h.srcInstance());
            Link link = links.computeIfAbsent(k, x -> new Link(this, mac, h.srcInstance()));
            if (link.closed) {
                refuse(mac, h, "link closing");
                return;
            }
            p = add(link);
            link.counters.inc(C.FRAMES_RECEIVED);
            if (!link.wantsToConnect) {
                try {
                    acc.accept(link);
                } catch (RuntimeException e) {
                    counters.inc(C.HANDLER_ERRORS);
                    warn("acceptor failed for " + link.describe(), e);
                }
                if (link.closed) {
                    forget(p);
                    refuse(mac, h, "refused by the acceptor");
                    return;
                }
            }
        }
        p.acceptHello(h, now);
    }

    private void refuse(MacAddress mac, FrameHeader h, String why) {
        counters.inc(C.FOREIGN_FRAMES);
        if (!resetAllowed()) return;
        log.debug("{}: refusing a session from {}/{}: {}", transport.name(), mac, h.srcInstance(), why);
        out.control(mac, h.srcInstance(), FrameType.CLOSE, 0, h.srcEpoch(), 0, 0, 0, CloseReason.REFUSED.code(), null, now);
    }

    /** CLOSEs that answer stray frames go out at most once per minimum RTO, so a flood cannot turn into one. */
    private boolean resetAllowed() {
        if (resetSent && now - lastResetNs < minRtoNs) return false;
        resetSent = true;
        lastResetNs = now;
        return true;
    }

    /**
     * Answers a frame of a session we do not have. Source Epoch is 0: the answer goes to whatever
     * MAC the frame claimed, so it must never reveal a verification tag of a live session.
     */
    private void reset(MacAddress mac, int instance, long peerEpoch) {
        if (!resetAllowed()) return;
        out.control(mac, instance, FrameType.CLOSE, 0, peerEpoch, 0, 0, 0, CloseReason.RESET.code(), null, now);
        counters.inc(C.RESETS_SENT);
    }

    private void answerDiscover(MacAddress from, FrameHeader h) {
        byte[] info = announcement;
        if (info == null) return;
        if (!announceLimiter.allow(from, now)) {
            counters.inc(C.ANNOUNCES_LIMITED);
            return;
        }
        out.control(from, h.srcInstance(), FrameType.ANNOUNCE, 0, 0, 0, h.seq(), 0, 0, info, now);
    }

    private void onAnnounce(MacAddress from, FrameHeader h, ByteBuf payload) {
        for (int i = 0; i < discoveries.size(); i++) {
            Discovery d = discoveries.get(i);
            if (d.nonce == h.ack()) {
                byte[] info = new byte[payload.readableBytes()];
                payload.readBytes(info);
                d.add(from, h.srcInstance(), info);
                return;
            }
        }
        counters.inc(C.FOREIGN_FRAMES);
    }

    private int serviceDiscoveries(long nowNs) {
        int work = 0;
        for (int i = discoveries.size() - 1; i >= 0; i--) {
            Discovery d = discoveries.get(i);
            if (d.sendsLeft > 0 && nowNs >= d.nextSendNs) {
                out.control(MacAddress.BROADCAST, FrameCodec.ANY_INSTANCE, FrameType.DISCOVER, 0, 0, d.nonce, 0, 0, 0, null, nowNs);
                d.sendsLeft--;
                d.nextSendNs = nowNs + d.intervalNs;
                work++;
            }
            if (nowNs >= d.endNs) {
                d.finish();
                discoveries.remove(i);
                work++;
            }
        }
        return work;
    }

    private void adopt(Link link) {
        if (link.closed) return;
        Peer p = peers.get(link.key);
        if (p == null) p = add(link);
        if (p.state == Peer.State.DOWN && link.wantsToConnect) p.startConnecting(now);
    }

    private void closeLink(Link link) {
        Peer p = peers.get(link.key);
        if (p != null && p.link == link) {
            p.close(CloseReason.CLOSED, "closed", now);
            forget(p);
        }
        links.remove(link.key, link);
    }

    private Peer add(Link link) {
        Peer p = new Peer(this, link, out);
        peers.put(link.key, p);
        peerList.add(p);
        return p;
    }

    private void forget(Peer p) {
        peers.remove(p.link.key, p);
        peerList.remove(p);
        if (links.remove(p.link.key, p.link)) retired = retired.plus(p.link.counters());
    }

    // ---- called by peers ----

    void countSecurity(C c) { counters.inc(c); }

    /**
     * How long a challenged peer has to answer before it counts as gone: a few round trips, at
     * least a keepalive interval (a busy peer may be slow to answer), at most the link-down
     * timeout (a peer silent that long is gone anyway).
     */
    long challengeTimeoutNs(long rtoNs) {
        return Math.min(linkDownTimeoutNs, Math.max(keepaliveNs, 4 * rtoNs));
    }

    void logTakeoverRefused(Peer p) {
        if (warnAllowed()) log.warn("{}: a HELLO claimed this peer restarted, but the peer answered the challenge: "
                + "session kept, HELLO ignored (a stranger with its addresses?)", p.link.describe());
    }

    long newEpoch() {
        long e;
        do e = random.nextLong(); while (e == 0);
        return e;
    }

    void linkUp(Peer p) {
        TlpHandler h = p.link.handler;
        if (h == null) return; // reported once a handler is set (Peer.serviceUp)
        log.info("{}: link up (peer epoch {})", p.link.describe(), Long.toHexString(p.peerEpoch));
        p.upReported = true;
        try {
            h.onLinkUp(p.peerEpoch);
        } catch (RuntimeException e) {
            p.link.counters.inc(C.HANDLER_ERRORS);
            warn("onLinkUp failed on " + p.link.describe(), e);
        }
    }

    void linkDown(Peer p, String reason) {
        log.info("{}: link down: {}", p.link.describe(), reason);
        TlpHandler h = p.link.handler;
        if (h == null) return;
        try {
            h.onLinkDown(reason);
        } catch (RuntimeException e) {
            p.link.counters.inc(C.HANDLER_ERRORS);
            warn("onLinkDown failed on " + p.link.describe(), e);
        }
    }

    void logRefused(Peer p, CloseReason reason) {
        if (warnAllowed()) {
            log.warn("{}: peer answered our HELLO with {}; retrying every {} ms", p.link.describe(), reason, maxRtoNs / 1_000_000);
        }
    }

    void logMalformedTlp(Peer p, MalformedTlpException e) {
        if (log.isDebugEnabled()) log.debug("{}: skipped a malformed TLP: {}", p.link.describe(), e.getMessage());
    }

    void logHandlerError(Peer p, RuntimeException e) {
        warn("TLP handler failed on " + p.link.describe(), e);
    }

    private void warn(String what, RuntimeException e) {
        if (warnAllowed()) log.warn("{}", what, e);
    }

    /** At most one warning a second, so a misbehaving peer or handler cannot flood the log. */
    private boolean warnAllowed() {
        if (warned && now - lastWarnNs < WARN_INTERVAL_NS) return false;
        warned = true;
        lastWarnNs = now;
        return true;
    }
}
