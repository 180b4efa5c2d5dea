package dev.vpcie.vrc;

import dev.vpcie.protocol.link.LinkDownException;
import dev.vpcie.protocol.link.TlpHandler;
import dev.vpcie.protocol.link.TlpPort;
import dev.vpcie.protocol.tlp.Tlp;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * One end of a direct in-memory TlpPort pair for unit tests: what one end sends lands in the
 * other's queue and is delivered in order by that end's dispatcher thread (standing in for a
 * link thread). {@link #goDown}/{@link #comeUp} simulate link events on both ends.
 */
final class DirectTlpPort implements TlpPort {
    private static final Object STOP = new Object();

    private final String name;
    private final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private final Thread dispatcher;
    private DirectTlpPort peer;
    private volatile TlpHandler handler;
    private volatile boolean up = true;

    private DirectTlpPort(String name) {
        this.name = name;
        this.dispatcher = Thread.ofPlatform().daemon().name("direct-" + name).start(this::dispatch);
    }

    /** A connected pair: [0] for the root complex, [1] for the endpoint. */
    static DirectTlpPort[] pair(String name) {
        DirectTlpPort a = new DirectTlpPort(name + "-rc"), b = new DirectTlpPort(name + "-ep");
        a.peer = b;
        b.peer = a;
        return new DirectTlpPort[] {a, b};
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

    /** Takes the link down on both ends: queued TLPs are dropped, handlers hear onLinkDown. */
    void goDown(String reason) {
        for (DirectTlpPort p : new DirectTlpPort[] {this, peer}) {
            p.up = false;
            p.inbox.clear();
            p.inbox.add((Runnable) () -> p.handler.onLinkDown(reason));
        }
    }

    /** Brings both ends up with a peer epoch (a new epoch means the peer restarted). */
    void comeUp(long epoch) {
        for (DirectTlpPort p : new DirectTlpPort[] {this, peer}) {
            p.up = true;
            p.inbox.add((Runnable) () -> p.handler.onLinkUp(epoch));
        }
    }

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

    @Override public void close() {
        up = false;
        inbox.add(STOP);
    }
}
