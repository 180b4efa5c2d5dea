package dev.vpcie.protocol.link;

import dev.vpcie.protocol.tlp.Tlp;
import dev.vpcie.protocol.tlp.TlpCodec;
import dev.vpcie.protocol.transport.MacAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The reliable link to one peer (MAC address and host-instance), as a {@link TlpPort}. A Link
 * outlives sessions: when the peer restarts or falls silent its session ends
 * ({@link TlpHandler#onLinkDown}) and a new one may start on the same Link
 * ({@link TlpHandler#onLinkUp} with a new epoch). A Link from {@link LinkEndpoint#connect} opens
 * sessions itself and keeps trying until closed; one handed to the acceptor waits for its peer to
 * open them.
 *
 * <p>{@link #send} and {@link #trySend} may be called from any thread. TLPs queued when a session
 * ends are dropped (as PCIe drops them on a surprise link down), and a TLP queued in one session
 * is never sent in the next.
 */
public final class Link implements TlpPort {
    private static final long WAIT_SLICE_NS = TimeUnit.MILLISECONDS.toNanos(20);

    private final LinkAgent agent;
    private final MacAddress peer;
    private final int peerInstance;
    final long key;
    final Counters counters = new Counters();

    volatile SendChannel channel;
    volatile TlpHandler handler;
    volatile boolean wantsToConnect;
    volatile boolean closed;
    private volatile long peerEpoch, localEpoch;

    Link(LinkAgent agent, MacAddress peer, int peerInstance) {
        this.agent = agent;
        this.peer = peer;
        this.peerInstance = peerInstance;
        this.key = LinkAgent.key(peer, peerInstance);
    }

    public MacAddress peer() { return peer; }

    public int peerInstance() { return peerInstance; }

    /** The peer's epoch of the current session, 0 while down. */
    public long peerEpoch() { return peerEpoch; }

    @Override public boolean isUp() {
        SendChannel ch = channel;
        return ch != null && ch.isOpen();
    }

    /** Waits until a session is up; false when the time ran out or the link was closed. */
    public boolean awaitUp(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (!isUp()) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || closed) return false;
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return true;
        }
    }

    /**
     * Queues a TLP, waiting while the window is full. Throws {@link LinkDownException} when no
     * session is up or it ends while waiting. On the link's own thread (in a handler) it never
     * waits: a full window throws {@link IllegalStateException}, so use {@link #trySend} there.
     */
    @Override public void send(Tlp tlp) throws InterruptedException {
        checkFits(tlp);
        while (true) {
            SendChannel ch = openChannel();
            if (ch.permits.tryAcquire()) {
                enqueue(ch, tlp);
                return;
            }
            if (agent.isAgentThread())
                throw new IllegalStateException(describe() + ": window full, and the link thread must not wait; use trySend");
            if (ch.permits.tryAcquire(WAIT_SLICE_NS, TimeUnit.NANOSECONDS)) {
                enqueue(ch, tlp);
                return;
            }
        }
    }

    /** Queues a TLP if the window has room; never waits. Throws {@link LinkDownException} when no session is up. */
    @Override public boolean trySend(Tlp tlp) {
        checkFits(tlp);
        SendChannel ch = openChannel();
        if (!ch.permits.tryAcquire()) return false;
        enqueue(ch, tlp);
        return true;
    }

    /** Sets the receiver of this link's TLPs; TLPs that arrived before it are delivered to it next. */
    @Override public void handler(TlpHandler handler) {
        this.handler = handler;
        agent.signal();
    }

    @Override public String describe() {
        return peer + "/" + peerInstance + " via " + agent.transportName();
    }

    /** This link's counters (endpoint-wide fields are 0). */
    public LinkCounters counters() { return counters.snapshot(); }

    /** Ends the session (the peer gets a CLOSE and sees its link go down) and forgets this peer. */
    @Override public void close() {
        if (closed) return;
        closed = true;
        agent.requestClose(this);
        synchronized (this) { notifyAll(); }
    }

    @Override public String toString() { return "Link[" + describe() + (isUp() ? ", up" : ", down") + "]"; }

    private SendChannel openChannel() {
        SendChannel ch = channel;
        if (ch == null || !ch.isOpen() || closed) throw new LinkDownException(describe() + " is down");
        return ch;
    }

    private void enqueue(SendChannel ch, Tlp tlp) {
        if (!ch.isOpen()) throw new LinkDownException(describe() + " went down");
        ch.queue.offer(tlp);
        agent.signal();
    }

    private void checkFits(Tlp tlp) {
        int length = TlpCodec.encodedLength(tlp);
        if (length > agent.maxTlpLength())
            throw new IllegalArgumentException("TLP of " + length + " bytes does not fit the link's MTU (at most "
                    + agent.maxTlpLength() + " bytes per TLP): lower the max payload size or raise the MTU");
    }

    /** Our epoch of the current session, 0 while down (for tests and diagnostics). */
    long localEpoch() { return localEpoch; }

    /** Agent thread: a session started. */
    void up(SendChannel ch, long local, long epoch) {
        localEpoch = local;
        peerEpoch = epoch;
        channel = ch;
        synchronized (this) { notifyAll(); }
    }

    /** Agent thread: the session ended. */
    void down() {
        SendChannel ch = channel;
        channel = null;
        peerEpoch = localEpoch = 0;
        if (ch != null) ch.close();
    }
}
