package dev.vpcie.protocol.transport;

import java.io.IOException;

/**
 * How a transport's blocking receive waits for its descriptor and is woken from another thread:
 * {@code ppoll} on the descriptor and an {@link EventFd}. {@link #wakeup()} is sticky: called
 * while nobody waits, it ends the next wait at once, so a wakeup racing with the receiver going
 * to sleep is never lost; the eventfd is only written while someone sleeps.
 */
final class ReceiveWait {
    /** {@link #await} result: a wakeup ended (or preceded) the wait. */
    static final int WOKEN = -1;

    private final EventFd wakeFd;
    private final Poller poller;
    private volatile boolean pending;
    private volatile boolean sleeping;

    /** Waits on {@code fd} (named {@code what} in errors) and a new eventfd. */
    ReceiveWait(int fd, String what) throws IOException {
        this.wakeFd = EventFd.open();
        this.poller = new Poller(fd, wakeFd.fd(), what);
    }

    /** Receive thread: whether the descriptor is readable now (a ppoll that does not wait; wakeups untouched). */
    boolean readableNow() throws IOException { return (poller.await(0) & Poller.FIRST) != 0; }

    /** Receive thread: whether a wakeup is pending, consuming it (a busy-polling receive asks this). */
    boolean takeWakeup() throws IOException {
        if (!pending) return false;
        consume();
        return true;
    }

    /**
     * Receive thread: waits up to {@code timeoutNanos} ({@code Long.MAX_VALUE}: no limit). Returns
     * {@link #WOKEN}, or the descriptor's {@link Poller#FIRST} / {@link Poller#FIRST_FAILED} bits,
     * 0 on timeout.
     */
    int await(long timeoutNanos) throws IOException {
        sleeping = true;
        if (pending) {
            sleeping = false;
            consume();
            return WOKEN;
        }
        int ready = poller.await(timeoutNanos);
        sleeping = false;
        if ((ready & Poller.SECOND) != 0) {
            consume();
            return WOKEN;
        }
        return ready;
    }

    private void consume() throws IOException {
        pending = false;
        wakeFd.drain();
    }

    /** Any thread: ends the wait in progress, or the next one. */
    void wakeup() {
        pending = true;
        if (sleeping) wakeFd.signal();
    }

    /** Any thread, when the transport closes: every wait from now on ends at once. */
    void closing() {
        pending = true;
        wakeFd.signal();
    }

    /** Frees the eventfd (when the last receive left). */
    void close() { wakeFd.close(); }
}
