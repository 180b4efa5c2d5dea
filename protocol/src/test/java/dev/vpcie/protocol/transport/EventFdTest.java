package dev.vpcie.protocol.transport;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class EventFdTest {
    @Test
    void aSignalIsDrainedOnce() throws IOException {
        try (EventFd e = EventFd.open()) {
            assertFalse(e.drain());
            e.signal();
            e.signal();
            assertTrue(e.drain());
            assertFalse(e.drain());
            assertTrue(e.fd() >= 0);
        }
    }

    @Test
    void afterCloseSignalIsHarmlessAndDrainFails() throws IOException {
        EventFd e = EventFd.open();
        e.close();
        e.signal();
        e.close();
        assertThrows(IOException.class, e::drain);
    }
}
