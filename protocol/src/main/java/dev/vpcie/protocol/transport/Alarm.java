package dev.vpcie.protocol.transport;

import java.util.concurrent.locks.LockSupport;

/**
 * A thread that runs an action when a deadline passes, for a blocking call that has no timeout
 * of its own (libpcap's). {@link #set} is cheap when deadlines only move later, as a receive loop's
 * do: the thread is woken only when a deadline is earlier than the one it sleeps towards, and
 * otherwise notices the new one when it wakes. The thread starts on first use.
 */
final class Alarm implements AutoCloseable {
    private static final long NONE = Long.MAX_VALUE;

    private final String name;
    private final Runnable action;
    private volatile long deadline = NONE;
    /** The deadline the thread sleeps towards (NONE: parked without limit). */
    private volatile long sleepingUntil = NONE;
    private volatile boolean closed;
    private volatile Thread thread;

    Alarm(String name, Runnable action) {
        this.name = name;
        this.action = action;
    }

    /** Runs the action at {@code nanoTime} (a {@link System#nanoTime()} value) unless cleared or re-set first. */
    void set(long nanoTime) {
        deadline = nanoTime;
        if (thread == null) {
            thread = Thread.ofPlatform().daemon().name(name).start(this::run);
        } else if (nanoTime - sleepingUntil < 0 || sleepingUntil == NONE) {
            LockSupport.unpark(thread);
        }
    }

    void clear() {
        deadline = NONE;
    }

    private void run() {
        while (!closed) {
            long due = deadline;
            if (due == NONE) {
                sleepingUntil = NONE;
                if (deadline == NONE) LockSupport.park(this);
                continue;
            }
            long wait = due - System.nanoTime();
            if (wait > 0) {
                sleepingUntil = due;
                if (deadline == due) LockSupport.parkNanos(this, wait);
                continue;
            }
            if (deadline == due) {
                deadline = NONE;
                action.run();
            }
        }
    }

    @Override public void close() {
        closed = true;
        if (thread != null) LockSupport.unpark(thread);
    }
}
