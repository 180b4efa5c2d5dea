package dev.vpcie.vrc;

import dev.vpcie.protocol.link.Link;
import dev.vpcie.protocol.link.LinkDownException;
import dev.vpcie.protocol.link.TlpHandler;
import dev.vpcie.protocol.link.TlpPort;
import dev.vpcie.protocol.tlp.Completion;
import dev.vpcie.protocol.tlp.Tlp;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One endpoint as the root complex sees it: the reliable link to it, the bus number behind it,
 * the tracker of requests outstanding on it, and a responder thread that sends completions to
 * the device's DMA reads when the link thread cannot. The link thread that received a read
 * sends its completions itself when the link's window has room ({@link Link#trySend}, which
 * never blocks); when the window is full, or the port is not a {@link Link}, they queue for the
 * responder, which may block on back-pressure, and later completions queue behind them until
 * the queue is drained, so completions leave in the order they were made. The queue is bounded
 * in practice by the device's tags. Sending on the link thread saves a thread hand-off per
 * read (measured over veth: see docs/performance.md, "DMA").
 */
public final class EndpointLink implements TlpHandler, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EndpointLink.class);
    private static final Tlp STOP = new Completion(0, dev.vpcie.protocol.tlp.CplStatus.SC, false, 4, 0, 0, 0,
            dev.vpcie.protocol.tlp.Attributes.DEFAULT, null);

    private final TlpPort port;
    private final int bus;
    private final CompletionTracker tracker;
    private final Inbound inbound;
    private final LinkedBlockingQueue<Tlp> responses = new LinkedBlockingQueue<>();
    private final Link direct;
    /** Guards {@link #backlogged}: while true, completions go through the responder's queue. */
    private final Object order = new Object();
    private boolean backlogged;
    private final Thread responder;
    private volatile long peerEpoch = -1;
    private volatile boolean restarted;
    private volatile Consumer<EndpointLink> onRestart = l -> {};

    /** What the root complex does with requests and messages arriving from devices. */
    interface Inbound {
        void onRequest(EndpointLink link, Tlp tlp);
    }

    EndpointLink(TlpPort port, int bus, CompletionTracker tracker, Inbound inbound) {
        this.port = port;
        this.bus = bus;
        this.tracker = tracker;
        this.inbound = inbound;
        this.direct = port instanceof Link l ? l : null;
        this.responder = Thread.ofPlatform().daemon().name("vrc-responder-bus" + bus).start(this::respond);
        port.handler(this);
    }

    public int bus() { return bus; }

    public TlpPort port() { return port; }

    public boolean isUp() { return port.isUp(); }

    public String describe() { return port.describe(); }

    /** True once the peer came back with a new session epoch; its functions lost their configuration. */
    public boolean restarted() { return restarted; }

    void clearRestarted() { restarted = false; }

    /** Called (on the link thread) when the peer restarts; the callback must not block. */
    public void onRestart(Consumer<EndpointLink> callback) { this.onRestart = callback; }

    CompletionTracker tracker() { return tracker; }

    /** Sends a request from a caller thread; may block on back-pressure; throws LinkDownException. */
    void send(Tlp tlp) throws InterruptedException { port.send(tlp); }

    /** Sends a completion, or queues it for the responder (link thread; never blocks). */
    void respond(Tlp completion) {
        synchronized (order) {
            if (!backlogged && direct != null) {
                try {
                    if (direct.trySend(completion)) return;
                } catch (LinkDownException e) {
                    log.debug("completion dropped, link down: {}", completion);
                    return;
                }
            }
            backlogged = true;
            responses.add(completion);
        }
    }

    private void respond() {
        try {
            while (true) {
                Tlp t = responses.take();
                if (t == STOP) return;
                try {
                    port.send(t);
                } catch (LinkDownException e) {
                    log.debug("completion dropped, link down: {}", t);
                }
                synchronized (order) {
                    if (responses.isEmpty()) backlogged = false; // sent everything queued: the link thread may send again
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override public void onTlp(Tlp tlp) {
        if (tlp instanceof Completion c) tracker.onCompletion(c);
        else inbound.onRequest(this, tlp);
    }

    @Override public void onLinkUp(long epoch) {
        long previous = peerEpoch;
        peerEpoch = epoch;
        tracker.linkUp();
        log.info("link to bus {} up: {} (epoch {})", bus, port.describe(), epoch);
        if (previous != -1 && previous != epoch) {
            restarted = true;
            log.warn("endpoint on bus {} restarted (epoch {} -> {}): its functions need re-enumeration", bus, previous, epoch);
            onRestart.accept(this);
        }
    }

    private volatile boolean closing;

    @Override public void onLinkDown(String reason) {
        tracker.linkDown();
        // Our own close is the normal end of a command, not news; anything else is.
        if (closing) log.info("link to bus {} down: {}", bus, reason);
        else log.warn("link to bus {} down: {}", bus, reason);
    }

    @Override public void close() {
        closing = true;
        responses.add(STOP);
        port.close();
        try {
            responder.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
