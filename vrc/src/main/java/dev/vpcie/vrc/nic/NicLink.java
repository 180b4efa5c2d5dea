package dev.vpcie.vrc.nic;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The link as the driver last read it, and who hears about it. Changes are published by the
 * control thread only ({@link NicControl}), after the link-up work is done, so a thread waiting
 * for the link ({@link #await}) finds the NIC ready and each state reaches the listener once.
 */
final class NicLink {
    /** The driver's logger: the link messages read as they did before the driver was split. */
    private static final Logger log = LoggerFactory.getLogger(IntelNicDriver.class);

    private final String name;
    private volatile LinkState state = LinkState.DOWN;
    private volatile LinkListener listener;
    private final Object monitor = new Object();
    private final LongAdder changes = new LongAdder();

    /** @param name the chip and device, as the link messages name them */
    NicLink(String name) { this.name = name; }

    LinkState state() { return state; }

    long changes() { return changes.sum(); }

    /** Control thread: replaces the listener and tells it the present state. */
    void listen(LinkListener l) {
        listener = l;
        if (l != null) l.linkChanged(state);
    }

    /** Control thread: publishes {@code now} when it differs, wakes the waiters and tells the listener. */
    void publish(LinkState now) {
        LinkState was = state;
        if (now.equals(was)) return;
        state = now;
        if (now.up() != was.up()) changes.increment();
        log.info("{}: {}", name, now);
        synchronized (monitor) {
            monitor.notifyAll();
        }
        LinkListener l = listener;
        if (l != null) {
            try {
                l.linkChanged(now);
            } catch (RuntimeException e) {
                log.warn("{}: link listener failed", name, e);
            }
        }
    }

    /** Forgets the link on close, telling no one (the listeners belong to a driver that is gone). */
    void forget() { state = LinkState.DOWN; }

    /** Waits up to {@code timeoutNs} for the link to come up (any thread but the control thread). */
    void await(long timeoutNs) {
        long deadline = System.nanoTime() + timeoutNs;
        synchronized (monitor) {
            while (!state.up()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) return;
                try {
                    TimeUnit.NANOSECONDS.timedWait(monitor, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
