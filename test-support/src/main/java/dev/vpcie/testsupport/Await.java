package dev.vpcie.testsupport;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Waiting until a condition holds, bounded: a test waits for what it asserts to happen, never
 * for a fixed time, and fails naming what it waited for when it does not happen. The patience is
 * generous on purpose: a loaded machine is slow, and a test asserts what happens, not when.
 */
public final class Await {
    private Await() {}

    /** How long {@link #until(Condition, String)} waits. */
    public static final Duration PATIENCE = Duration.ofSeconds(20);

    /** Polling starts this fast (an in-memory condition usually holds within microseconds)... */
    private static final long FIRST_PAUSE_NANOS = TimeUnit.MICROSECONDS.toNanos(100);
    /** ...and slows down to this, so that a condition that runs a program (ip, nft) is not run in a tight loop. */
    private static final long LONGEST_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    /**
     * A condition to wait for; it may throw (an {@code IOException} from a command it runs), and
     * what it throws ends the wait.
     */
    @FunctionalInterface
    public interface Condition<E extends Exception> {
        boolean holds() throws E;
    }

    /** Waits until {@code condition} holds; fails naming {@code what} after {@link #PATIENCE}. */
    public static <E extends Exception> void until(Condition<E> condition, String what) throws E {
        until(condition, what, PATIENCE);
    }

    /** Waits until {@code condition} holds; fails naming {@code what} after {@code patience}. */
    public static <E extends Exception> void until(Condition<E> condition, String what, Duration patience) throws E {
        long deadline = System.nanoTime() + patience.toNanos();
        long pause = FIRST_PAUSE_NANOS;
        while (!condition.holds()) {
            if (System.nanoTime() - deadline > 0)
                throw new AssertionError("timed out after " + seconds(patience) + " s waiting until " + what);
            if (Thread.currentThread().isInterrupted())
                throw new AssertionError("interrupted while waiting until " + what);
            LockSupport.parkNanos(pause);
            pause = Math.min(2 * pause, LONGEST_PAUSE_NANOS);
        }
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? Long.toString(d.toSeconds()) : Double.toString(d.toMillis() / 1000.0);
    }
}
