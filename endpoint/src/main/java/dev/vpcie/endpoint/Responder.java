package dev.vpcie.endpoint;

import dev.vpcie.protocol.link.LinkDownException;
import dev.vpcie.protocol.link.TlpPort;
import dev.vpcie.protocol.tlp.Completion;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the completions the router makes itself (Unsupported Request for what no function
 * claims) from a thread of its own: the router runs on the link thread, which must never wait,
 * and sending may wait for the link's window. The queue is bounded in practice by the requester's
 * tags: every entry answers a non-posted request.
 */
final class Responder implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Responder.class);

    /** A completion for the owner's session {@code generation}, or (with a port) for a port that is not the owner. */
    private record Item(Completion completion, int generation, TlpPort port) {}

    private static final Item STOP = new Item(null, 0, null);

    private final Upstream upstream;
    private final RouterCounters counters;
    private final LinkedBlockingQueue<Item> queue = new LinkedBlockingQueue<>();
    private final Thread thread;

    Responder(Upstream upstream, RouterCounters counters) {
        this.upstream = upstream;
        this.counters = counters;
        this.thread = Thread.ofVirtual().name("vpcie-endpoint-responder").start(this::run);
    }

    /** Queues {@code c} for the owner's session {@code generation}. Never blocks. */
    void respond(Completion c, int generation) { queue.add(new Item(c, generation, null)); }

    /** Queues {@code c} for {@code port}, which does not own the endpoint. Never blocks. */
    void respondOn(TlpPort port, Completion c) { queue.add(new Item(c, 0, port)); }

    private void run() {
        try {
            while (true) {
                Item item = queue.take();
                if (item == STOP) return;
                try {
                    if (item.port() == null) upstream.send(item.completion(), item.generation());
                    else item.port().send(item.completion());
                } catch (LinkDownException e) {
                    counters.count(RouterEvent.SEND_FAILED_LINK_DOWN);
                    log.debug("completion dropped, link down: {}", item.completion());
                }
            }
        } catch (InterruptedException e) {
            // closing
        }
    }

    @Override public void close() {
        queue.add(STOP);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        thread.interrupt();
    }
}
