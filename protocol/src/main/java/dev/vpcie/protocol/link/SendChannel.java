package dev.vpcie.protocol.link;

import dev.vpcie.protocol.tlp.Tlp;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;

/**
 * The way TLPs enter one session from other threads. A sender takes a permit before it queues
 * a TLP and the agent returns the permit when the peer acknowledges it, so TLPs queued plus TLPs
 * in the replay buffer never exceed the window: a full window makes senders wait, nothing grows.
 * A new session gets a new channel, so a TLP queued into a session that just ended can never leak
 * into the next one.
 */
final class SendChannel {
    /** Released to wake every waiting sender when the session ends; they then see it closed. */
    private static final int WAKE_ALL = 1 << 29;

    final Semaphore permits;
    final ConcurrentLinkedQueue<Tlp> queue = new ConcurrentLinkedQueue<>();
    private volatile boolean open = true;

    SendChannel(int window) { permits = new Semaphore(window); }

    boolean isOpen() { return open; }

    void close() {
        open = false;
        queue.clear();
        permits.release(WAKE_ALL);
    }
}
