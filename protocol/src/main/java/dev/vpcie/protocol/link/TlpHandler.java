package dev.vpcie.protocol.link;

import dev.vpcie.protocol.tlp.Tlp;

/**
 * What a link delivers to the transaction layer. Called on the link's own thread, in order;
 * implementations hand work to other threads and never block.
 */
public interface TlpHandler {
    void onTlp(Tlp tlp);

    /** The session with the peer is up; {@code peerEpoch} changes when the peer restarts. */
    default void onLinkUp(long peerEpoch) {}

    /** The session ended (peer silent past the timeout, peer restarted, or closed); queued TLPs are dropped. */
    default void onLinkDown(String reason) {}
}
