package dev.vpcie.vrc;

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
 * the device's DMA reads. Completions are sent from that thread, not from the link thread that
 * received the read, because {@link TlpPort#send} may block on back-pressure and the link
 * thread must never block. The responder's queue is bounded in practice by the device's tags.
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

    /** Queues a completion for the responder (link thread; never blocks). */
    void respond(Tlp completion) { responses.add(completion); }

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
