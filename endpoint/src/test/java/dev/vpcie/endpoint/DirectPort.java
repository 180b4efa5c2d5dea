package dev.vpcie.endpoint;

import static org.junit.jupiter.api.Assertions.fail;

import dev.vpcie.protocol.link.LinkDownException;
import dev.vpcie.protocol.link.TlpHandler;
import dev.vpcie.protocol.link.TlpPort;
import dev.vpcie.protocol.tlp.Tlp;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One end of an in-memory TlpPort pair for tests: what one end sends is delivered in order to the
 * other end's handler by that end's dispatcher thread, which stands in for the link thread.
 * {@link #goDown} and {@link #comeUp} simulate session events on both ends. Starts down: call
 * {@link #comeUp} once both handlers are set.
 */
final class DirectPort implements TlpPort {
    private static final Object STOP = new Object();
    private static final AtomicInteger ids = new AtomicInteger();

    private final String name;
    private final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private final Thread dispatcher;
    private DirectPort peer;
    private volatile TlpHandler handler;
    private volatile boolean up;
    private volatile boolean closed;

    private DirectPort(String name) {
        this.name = name;
        this.dispatcher = Thread.ofPlatform().daemon().name("direct-" + name).start(this::dispatch);
    }

    /** A connected pair: [0] the VRC's end, [1] the endpoint's end. */
    static DirectPort[] pair() {
        String n = "p" + ids.incrementAndGet();
        DirectPort a = new DirectPort(n + "-vrc"), b = new DirectPort(n + "-ep");
        a.peer = b;
        b.peer = a;
        return new DirectPort[] {a, b};
    }

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

    /** Ends the session on both ends: queued TLPs are dropped, handlers hear onLinkDown. */
    void goDown(String reason) {
        for (DirectPort p : new DirectPort[] {this, peer}) {
            if (!p.up) continue;
            p.up = false;
            p.inbox.clear();
            p.inbox.add((Runnable) () -> p.handler.onLinkDown(reason));
        }
    }

    /** Starts a session on both ends with {@code epoch}. */
    void comeUp(long epoch) {
        for (DirectPort p : new DirectPort[] {this, peer}) {
            p.up = true;
            p.inbox.add((Runnable) () -> p.handler.onLinkUp(epoch));
        }
    }

    /** Lets TLPs flow on both ends without telling the handlers a session started. */
    void upWithoutTelling() {
        up = true;
        peer.up = true;
    }

    /**
     * Waits until this end's dispatcher has handled everything queued to it so far, session events
     * included: an ordering point, since {@link #isUp} changes at once but the handler hears of it later.
     */
    void settle() {
        CountDownLatch handled = new CountDownLatch(1);
        inbox.add((Runnable) handled::countDown);
        try {
            if (!handled.await(TestHost.TIMEOUT_S, TimeUnit.SECONDS)) fail(name + ": the dispatcher did not catch up within " + TestHost.TIMEOUT_S + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(name + ": interrupted while waiting for the dispatcher");
        }
    }

    /** Whether {@link #close} was called on this end (the endpoint refuses a port by closing it). */
    boolean closed() { return closed; }

    private void dispatch() {
        try {
            while (true) {
                Object o = inbox.take();
                if (o == STOP) return;
                TlpHandler h;
                synchronized (this) {
                    while ((h = handler) == null) wait();
                }
                if (o instanceof Tlp t) h.onTlp(t);
                else ((Runnable) o).run();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Closing ends the session on both ends, as closing a link does. */
    @Override public void close() {
        if (closed) return;
        closed = true;
        goDown("closed by " + name);
        inbox.add(STOP);
    }
}
