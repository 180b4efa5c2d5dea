package dev.vpcie.cli;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waiting on a condition with a bounded timeout, for the command tests (never a fixed sleep). */
final class Conditions {
    private Conditions() {}

    /** Polls {@code condition} every millisecond; fails naming {@code what} after 20 s. */
    static void await(BooleanSupplier condition, String what) { await(condition, what, 20); }

    /** Polls {@code condition} every millisecond; fails naming {@code what} after {@code seconds}. */
    static void await(BooleanSupplier condition, String what, long seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) fail("timed out waiting until " + what);
            LockSupport.parkNanos(1_000_000);
        }
    }
}
