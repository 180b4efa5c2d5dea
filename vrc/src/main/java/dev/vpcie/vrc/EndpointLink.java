package dev.vpcie.vrc;

import dev.vpcie.protocol.agent.AgentLoop;
import dev.vpcie.protocol.agent.AgentWork;
import dev.vpcie.protocol.link.Link;
import dev.vpcie.protocol.link.LinkDownException;
import dev.vpcie.protocol.link.TlpHandler;
import dev.vpcie.protocol.link.TlpPort;
import dev.vpcie.protocol.tlp.Completion;
import dev.vpcie.protocol.tlp.Tlp;
import java.util.ArrayDeque;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One endpoint as the root complex sees it: the reliable link to it, the bus number behind it and
 * the tracker of requests outstanding on it, all run by the root complex's {@link AgentLoop} as
 * one {@link AgentWork}. Everything that reaches the link from the root complex leaves here on
 * the loop thread, in order: requests (from {@link #submit}), posted writes and the completions
 * for the device's DMA reads. The link's window is never waited for: when it is full
 * ({@link Link#trySend} says no) TLPs queue in a backlog that {@link #doWork} retries each cycle,
 * and later TLPs queue behind them, so they leave in the order they were made. The backlog is
 * bounded by the tags (requests), the posted-write permits of the callers and the device's own
 * tags (completions).
 *
 * <p>TLPs and session events from the port are handled on the loop thread: a link running on
 * this loop calls straight in; any other port (an in-memory pair, a link with a thread of its
 * own) is handed over with {@link AgentLoop#execute}.
 */
public final class EndpointLink implements TlpHandler, AgentWork, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EndpointLink.class);
    /** While TLPs wait for the window of a link that may run on another thread, how often to look again. */
    private static final long BACKLOG_RECHECK_NS = 50_000L;

    /** A TLP waiting for the window: a request to fail if it cannot go, a permit to give back when it went. */
    private record Outgoing(Tlp tlp, CompletionTracker.Request request, Semaphore permit) {}

    private final TlpPort port;
    private final int bus;
    private final CompletionTracker tracker;
    private final Inbound inbound;
    private final AgentLoop loop;
    private final Counters counters;
    private final Link direct;
    private final ArrayDeque<Outgoing> backlog = new ArrayDeque<>();
    private volatile long peerEpoch = -1;
    private volatile boolean restarted;
    private volatile Consumer<EndpointLink> onRestart = l -> {};
    private volatile boolean closing;
    /**
     * Whether the functions behind this link may be reached: false from a surprise removal (the
     * session ended) until the hot insertion that follows has restored them ({@link HotPlug}).
     * Until then memory requests to them and their DMA are refused at once.
     */
    private volatile boolean present = true;
    /** A session was up and ended: the next one is a hot insertion, whatever its epoch. */
    private boolean lost;
    private volatile HotPlug hotPlug;
    /** Sessions seen come up (loop thread writes), and the one the last explicit enumeration ran in. */
    private volatile int sessions, enumeratedSession;
    /** The current session was taken by {@link #catchUpWithLink} before its onLinkUp event ran here. */
    private boolean takenEarly;

    /** What the root complex does with requests and messages arriving from devices (on the loop thread). */
    interface Inbound {
        void onRequest(EndpointLink link, Tlp tlp);
    }

    EndpointLink(TlpPort port, int bus, CompletionTracker tracker, Inbound inbound, AgentLoop loop, Counters counters) {
        this.port = port;
        this.bus = bus;
        this.tracker = tracker;
        this.inbound = inbound;
        this.loop = loop;
        this.counters = counters;
        this.direct = port instanceof Link l ? l : null;
        loop.add(this);
        port.handler(this);
    }

    public int bus() { return bus; }

    public TlpPort port() { return port; }

    public boolean isUp() { return port.isUp(); }

    public String describe() { return port.describe(); }

    /** Whether the functions behind this link are present (not removed by a link loss, or restored since). */
    public boolean present() { return present; }

    void present(boolean on) { present = on; }

    /** How many sessions came up so far: a hot insertion is about the session it counted. */
    int sessions() { return sessions; }

    /** The functions were enumerated in the current session: a hot insertion queued for it has nothing left to do. */
    void enumerated() { enumeratedSession = sessions; }

    int enumeratedSession() { return enumeratedSession; }

    /** Who hears the link go and come back (the root complex's hot-plug controller); set once, at attach. */
    void hotPlug(HotPlug h) { this.hotPlug = h; }

    /** True once the peer came back with a new session epoch; its functions lost their configuration. */
    public boolean restarted() { return restarted; }

    void clearRestarted() { restarted = false; }

    /** Called (on the root complex's loop thread) when the peer restarts; the callback must not block. */
    public void onRestart(Consumer<EndpointLink> callback) { this.onRestart = callback; }

    CompletionTracker tracker() { return tracker; }

    AgentLoop loop() { return loop; }

    // ---- what leaves (loop thread) ----

    /** Opens a non-posted request and sends it, or queues it for a tag (loop thread). */
    void submit(CompletionTracker.Request r) {
        catchUpWithLink();
        if (tracker.open(r, loop.nowNs())) transmit(r);
    }

    /**
     * A request can arrive right after {@link Link#isUp} turned true but before the link's
     * {@code onLinkUp}, handed to this loop, has run here (a command that waited for the session,
     * then enumerates): take the session now instead of refusing the request with LINK_DOWN. The
     * queued event then finds it taken, and a link-down event of the session before it, still
     * queued, is stale and ignored.
     */
    private void catchUpWithLink() {
        if (direct != null && tracker.isDown() && direct.isUp()) {
            long epoch = direct.peerEpoch();
            if (epoch != 0) {
                up(epoch);
                takenEarly = true;
            }
        }
    }

    private void transmit(CompletionTracker.Request r) {
        Tlp tlp;
        try {
            tlp = r.tlp();
        } catch (RuntimeException e) {
            tracker.abandon(r, e);
            return;
        }
        enqueue(new Outgoing(tlp, r, null));
    }

    /** Sends a posted TLP; {@code permit}, if any, is released once it left or was dropped (loop thread). */
    void sendPosted(Tlp tlp, Semaphore permit) { enqueue(new Outgoing(tlp, null, permit)); }

    /** Sends a completion for a device's request (loop thread; never waits). */
    void respond(Tlp completion) { enqueue(new Outgoing(completion, null, null)); }

    private void enqueue(Outgoing o) {
        if (backlog.isEmpty() && tryTransmit(o)) return;
        backlog.add(o);
    }

    /** True when {@code o} left or was dropped for good; false when the window is full. */
    private boolean tryTransmit(Outgoing o) {
        try {
            boolean sent = direct != null ? direct.trySend(o.tlp) : sendOther(o.tlp);
            if (!sent) return false;
        } catch (LinkDownException e) {
            if (o.request != null) {
                tracker.abandon(o.request, e); // counted by whoever waits for it
            } else if (o.permit != null) {
                counters.increment(Counter.LINK_DOWN_FAILURE);
                log.debug("posted request dropped, link to bus {} down: {}", bus, o.tlp);
            } else {
                log.debug("completion dropped, link down: {}", o.tlp);
            }
        } catch (RuntimeException e) {
            log.warn("TLP to bus {} could not be sent: {}", bus, o.tlp, e);
            if (o.request != null) tracker.abandon(o.request, e);
        }
        if (o.permit != null) o.permit.release();
        return true;
    }

    /** A port other than a {@link Link} (an in-memory pair, a test's fake) never waits in send. */
    private boolean sendOther(Tlp tlp) {
        try {
            port.send(tlp);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override public int doWork(long nowNs) {
        int work = 0;
        Outgoing o;
        while ((o = backlog.peek()) != null && tryTransmit(o)) {
            backlog.poll();
            work++;
        }
        CompletionTracker.Request ready;
        while ((ready = tracker.nextReady()) != null) {
            transmit(ready);
            work++;
        }
        return work + tracker.expire(nowNs);
    }

    @Override public long nextDeadlineNs() {
        long next = tracker.nextDeadlineNs();
        return backlog.isEmpty() ? next : Math.min(next, loop.nowNs() + BACKLOG_RECHECK_NS);
    }

    @Override public void onClose() {
        dropBacklog();
        tracker.failAll(new LinkDownException("root complex closed"));
    }

    private void dropBacklog() {
        for (Outgoing o : backlog) if (o.permit != null) o.permit.release();
        backlog.clear();
    }

    // ---- what arrives ----

    @Override public void onTlp(Tlp tlp) { onLoop(() -> handle(tlp)); }

    private void handle(Tlp tlp) {
        loop.stayAwake(); // a device's DMA or interrupt: its exchange goes on, and the loop stays awake for it
        if (tlp instanceof Completion c) tracker.onCompletion(c);
        else inbound.onRequest(this, tlp);
    }

    @Override public void onLinkUp(long epoch) { onLoop(() -> up(epoch)); }

    private void up(long epoch) {
        if (takenEarly && epoch == peerEpoch && !tracker.isDown()) {
            takenEarly = false; // this session was taken by catchUpWithLink already
            return;
        }
        long previous = peerEpoch;
        peerEpoch = epoch;
        sessions++;
        tracker.linkUp();
        log.info("link to bus {} up: {} (epoch {})", bus, port.describe(), epoch);
        boolean inserted = lost || previous != -1 && previous != epoch;
        lost = false;
        if (inserted) {
            // Every new session is a reset of the endpoint's functions (its end starts them afresh).
            restarted = true;
            // At the removal's level: whoever was told of the removal hears of the return.
            log.warn("bus {}: endpoint back (epoch {} -> {}): hot insertion", String.format("%02x", bus), Long.toHexString(previous),
                    Long.toHexString(epoch));
            onRestart.accept(this);
            HotPlug h = hotPlug;
            if (h != null) h.inserted(this);
        }
    }

    @Override public void onLinkDown(String reason) { onLoop(() -> down(reason)); }

    private void down(String reason) {
        if (takenEarly && direct != null && direct.isUp() && direct.peerEpoch() == peerEpoch) {
            log.debug("link to bus {}: a down event of the session before the current one ignored ({})", bus, reason);
            return; // the end of the previous session, queued before the current one's start was taken early
        }
        // TLPs queued when a session ends are dropped, as PCIe drops them on a surprise link down.
        dropBacklog();
        boolean wasUp = !tracker.isDown();
        tracker.linkDown(reason);
        // Our own close is the normal end of a command, not news; anything else is.
        if (closing) {
            log.info("link to bus {} down: {}", bus, reason);
            return;
        }
        log.warn("link to bus {} down: {}", bus, reason);
        if (!wasUp && lost) return; // already removed
        lost = true;
        present = false;
        HotPlug h = hotPlug;
        if (h != null) h.removed(this, reason);
    }

    /** Runs {@code task} on the loop thread: now when already there, else next cycle; dropped once the loop is closed. */
    private void onLoop(Runnable task) {
        if (loop.inLoop()) {
            task.run();
            return;
        }
        try {
            loop.execute(task);
        } catch (IllegalStateException e) { // the loop is closed
            log.debug("link to bus {}: event after the root complex closed dropped", bus);
        }
    }

    @Override public void close() {
        closing = true;
        port.close();
        loop.remove(this); // runs onClose on the loop: what waits fails, what is queued is dropped
    }
}
