package dev.vpcie.protocol.link;

import dev.vpcie.protocol.tlp.Tlp;

/**
 * The transaction layer's view of one reliable link: TLPs sent here arrive at the peer exactly
 * once and in order while the link stays up. Both the endpoint and the VRC are written against
 * this interface, so they run over a real link or, in unit tests, over a direct in-memory pair.
 */
public interface TlpPort extends AutoCloseable {

    /**
     * Queues a TLP for delivery; blocks while the send window is full (back-pressure), never
     * buffers without bound. Throws {@link LinkDownException} when the link is down or goes down
     * while waiting.
     */
    void send(Tlp tlp) throws InterruptedException;

    /**
     * Queues a TLP if the window has room now and returns true, or returns false without waiting
     * (what a run-to-completion loop calls; it keeps the TLP and retries). Throws
     * {@link LinkDownException} when the link is down. Ports without a window send at once.
     */
    default boolean trySend(Tlp tlp) {
        try {
            send(tlp);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LinkDownException(describe() + ": interrupted while sending");
        }
    }

    /** Sets the receiver; TLPs arriving before one is set are held until it is (up to the window). */
    void handler(TlpHandler handler);

    boolean isUp();

    /** A short description for logs and status lines, e.g. {@code 02:00:00:00:00:01/7 via af_packet:veth0}. */
    String describe();

    @Override void close();
}
