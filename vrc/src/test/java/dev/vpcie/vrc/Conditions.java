package dev.vpcie.vrc;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waiting on a condition with a bounded timeout, for tests (never a fixed sleep). */
final class Conditions {
    private Conditions() {}

    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + 20_000_000_000L; // generous: a loaded CI machine is slow, and a test asserts what happens, not when
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) fail("timed out waiting for " + what);
            LockSupport.parkNanos(200_000);
        }
    }
}
