package dev.vpcie.loopback.nic;

import dev.vpcie.protocol.link.LinkDownException;
import dev.vpcie.protocol.link.TlpHandler;
import dev.vpcie.protocol.link.TlpPort;
import dev.vpcie.protocol.tlp.Tlp;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory TlpPort pair: what one end sends reaches the other end's handler in order, on a
 * dispatcher thread standing in for that end's link thread. Both ends start up once handlers are
 * set ({@link #up}).
 */
final class TlpPipe implements TlpPort {
    private static final Object STOP = new Object();
    private static final AtomicInteger ids = new AtomicInteger();

    private final String name;
    private final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private TlpPipe peer;
    private volatile TlpHandler handler;
    private volatile boolean up;

    private TlpPipe(String name) {
        this.name = name;
        Thread.ofPlatform().daemon().name("pipe-" + name).start(this::dispatch);
    }

    /** [0] for the root complex, [1] for the endpoint. */
    static TlpPipe[] pair() {
        String n = "nic" + ids.incrementAndGet();
        TlpPipe a = new TlpPipe(n + "-vrc"), b = new TlpPipe(n + "-ep");
        a.peer = b;
        b.peer = a;
        return new TlpPipe[] {a, b};
    }

    /** Starts the session on both ends with {@code epoch}. */
    void up(long epoch) {
        for (TlpPipe p : new TlpPipe[] {this, peer}) {
            p.up = true;
            p.inbox.add((Runnable) () -> p.handler.onLinkUp(epoch));
        }
    }

    @Override public void send(Tlp tlp) {
        if (!up) throw new LinkDownException(name + " is down");
        peer.inbox.add(tlp);
    }

    @Override public synchronized void handler(TlpHandler h) {
        handler = h;
        notifyAll();
    }

    @Override public boolean isUp() { return up; }

    @Override public String describe() { return "pipe:" + name; }

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
        if (!up && inbox.contains(STOP)) return;
        up = false;
        inbox.add(STOP);
    }
}
