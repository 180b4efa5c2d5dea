package dev.vpcie.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AwaitTest {
    @Test
    void returnsOnceTheConditionHoldsHavingAskedUntilThen() {
        AtomicInteger asked = new AtomicInteger();
        Await.until(() -> asked.incrementAndGet() == 3, "the third time");
        assertEquals(3, asked.get());
    }

    @Test
    void failsNamingWhatItWaitedFor() {
        AssertionError e = assertThrows(AssertionError.class, () -> Await.until(() -> false, "pigs fly", Duration.ofMillis(20)));
        assertEquals("timed out after 0.02 s waiting until pigs fly", e.getMessage());
    }

    @Test
    void whatTheConditionThrowsEndsTheWait() {
        IOException e = assertThrows(IOException.class, () -> Await.until(() -> {
            throw new IOException("ip failed");
        }, "the link is up"));
        assertEquals("ip failed", e.getMessage());
    }

    @Test
    void anInterruptedWaitFailsInsteadOfSpinning() {
        Thread.currentThread().interrupt();
        try {
            AssertionError e = assertThrows(AssertionError.class, () -> Await.until(() -> false, "never"));
            assertTrue(e.getMessage().startsWith("interrupted"), e.getMessage());
        } finally {
            Thread.interrupted();
        }
    }
}
