package dev.vpcie.protocol.agent;

/**
 * How an {@link AgentLoop} waits on a source that has no descriptor to poll (a UDP or in-memory
 * transport): the loop blocks in {@link #block} instead of {@code ppoll}, and another thread's
 * {@link AgentLoop#wakeup} reaches it through {@link #wakeup}.
 */
public interface Blocker {

    /** Waits until the source has work, {@link #wakeup} is called, or {@code timeoutNs} passed. Loop thread. */
    void block(long timeoutNs);

    /** Makes a blocked (or the next) {@link #block} return early. Any thread; sticky. */
    void wakeup();
}
