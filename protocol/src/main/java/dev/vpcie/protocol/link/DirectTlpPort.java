package dev.vpcie.protocol.link;

import dev.vpcie.protocol.tlp.Tlp;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Two {@link TlpPort}s joined in memory: an in-process interconnect for running a root complex
 * and an endpoint in one JVM, and for tests. What one end sends reaches the other end's handler
 * exactly once and in order, called on that end's own dispatcher thread, which stands in for the
 * link thread (so a handler never runs on the sender's thread, as over a real link).
 *
 * <p>A pair starts down. Session events are driven by whoever owns the pair, on both ends at
 * once: {@link #comeUp} starts a session (each handler hears {@code onLinkUp(epoch)}),
 * {@link #goDown} ends it (TLPs and events not yet delivered are dropped, each handler hears
 * {@code onLinkDown}), {@link #upWithoutTelling} lets TLPs flow without a session event.
 * Closing either end ends the session on both, as closing a link does, and stops that end's
 * dispatcher.
 *
 * <p>Unlike a {@link Link} there is no send window: {@link #send} never blocks and the queue is
 * unbounded, so a handler may answer from its own dispatcher thread without two ends waiting on
 * each other. TLPs that arrive before a handler is set are held until one is.
 */
public final class DirectTlpPort implements TlpPort {
    private static final Object STOP = new Object();
    private static final AtomicInteger ids = new AtomicInteger();

    private final String name;
    private final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private DirectTlpPort peer;
    private volatile TlpHandler handler;
    private volatile boolean up;
    private volatile boolean closed;

    private DirectTlpPort(String name) { this.name = name; }

    /** A connected pair with a fresh name: [0] the root complex's end, [1] the endpoint's end. */
    public static DirectTlpPort[] pair() { return pair("direct" + ids.incrementAndGet()); }

    /** A connected pair whose ends describe themselves as {@code name-rc} ([0]) and {@code name-ep} ([1]). */
    public static DirectTlpPort[] pair(String name) {
        DirectTlpPort rc = new DirectTlpPort(name + "-rc"), ep = new DirectTlpPort(name + "-ep");
        rc.peer = ep;
        ep.peer = rc;
        for (DirectTlpPort p : new DirectTlpPort[] {rc, ep})
            Thread.ofPlatform().daemon().name("direct-" + p.name).start(p::dispatch);
        return new DirectTlpPort[] {rc, ep};
    }

    /** Queues {@code tlp} for the other end; throws {@link LinkDownException} while no session is up. */
    @Override public void send(Tlp tlp) {
        if (!up) throw new LinkDownException(name + " is down");
        peer.inbox.add(tlp);
    }

    @Override public synchronized void handler(TlpHandler h) {
        this.handler = h;
        notifyAll();
    }

    @Override public boolean isUp() { return up; }

    @Override public String describe() { return "direct:" + name; }

    /** Starts a session on both ends: each handler hears {@code onLinkUp(epoch)}, after anything already queued. */
    public void comeUp(long epoch) {
        for (DirectTlpPort p : new DirectTlpPort[] {this, peer}) {
            p.up = true;
            p.inbox.add((Runnable) () -> p.handler.onLinkUp(epoch));
        }
    }

    /**
     * Ends the session on both ends: TLPs and events not yet delivered are dropped and each end
     * that was up hears {@code onLinkDown(reason)}; an end already down hears nothing.
     */
    public void goDown(String reason) {
        for (DirectTlpPort p : new DirectTlpPort[] {this, peer}) {
            if (!p.up) continue;
            p.up = false;
            p.inbox.clear();
            p.inbox.add((Runnable) () -> p.handler.onLinkDown(reason));
            if (p.closed) p.inbox.add(STOP); // the clear took it: a closed end brought up again still stops
        }
    }

    /** Lets TLPs flow on both ends without telling the handlers a session started. */
    public void upWithoutTelling() {
        up = true;
        peer.up = true;
    }

    /**
     * Waits until this end's dispatcher has handled everything queued to it so far, session events
     * included: an ordering point, since {@link #isUp} changes at once but the handler hears of it
     * later. Throws {@link IllegalStateException} naming this end if that takes longer than
     * {@code timeout} (or if a {@link #goDown} drops the marker first) or the wait is interrupted.
     */
    public void settle(Duration timeout) {
        CountDownLatch handled = new CountDownLatch(1);
        inbox.add((Runnable) handled::countDown);
        try {
            if (!handled.await(timeout.toNanos(), TimeUnit.NANOSECONDS))
                throw new IllegalStateException(name + ": the dispatcher did not catch up within " + timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(name + ": interrupted while waiting for the dispatcher", e);
        }
    }

    /** Whether {@link #close} was called on this end (an endpoint refuses a port by closing it). */
    public boolean closed() { return closed; }

    /** Ends the session on both ends ({@link #goDown}) and stops this end's dispatcher; idempotent. */
    @Override public void close() {
        if (closed) return;
        closed = true;
        goDown("closed by " + name);
        inbox.add(STOP);
        synchronized (this) {
            notifyAll(); // a dispatcher still waiting for a handler stops too
        }
    }

    /** Takes nothing off the queue before a handler is set, so {@link #goDown} can still drop it. */
    private void dispatch() {
        try {
            while (true) {
                TlpHandler h;
                synchronized (this) {
                    while ((h = handler) == null && !closed) wait();
                }
                Object o = inbox.take();
                if (o == STOP) return;
                if (h == null) continue; // closed before any handler was set: nobody to tell
                if (o instanceof Tlp t) h.onTlp(t);
                else ((Runnable) o).run();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
