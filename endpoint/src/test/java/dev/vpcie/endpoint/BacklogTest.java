package dev.vpcie.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.protocol.link.LinkDownException;
import dev.vpcie.protocol.link.TlpHandler;
import dev.vpcie.protocol.link.TlpPort;
import dev.vpcie.protocol.tlp.MemRead;
import dev.vpcie.protocol.tlp.Tlp;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The endpoint never waits for the link's window, and what waits for it is bounded. */
class BacklogTest {

    /** A port whose window never opens: the peer sends requests but never acknowledges an answer. */
    private static final class ClosedWindowPort implements TlpPort {
        volatile TlpHandler handler;
        int refused;

        @Override public void send(Tlp tlp) { throw new LinkDownException("the test port only takes trySend"); }

        @Override public boolean trySend(Tlp tlp) {
            refused++;
            return false;
        }

        @Override public void handler(TlpHandler h) { this.handler = h; }

        @Override public boolean isUp() { return true; }

        @Override public String describe() { return "closed-window"; }

        @Override public void close() { }
    }

    @Test
    void aReadFloodWithoutAcknowledgementsKeepsTheBacklogBounded() throws Exception {
        ClosedWindowPort port = new ClosedWindowPort();
        try (Endpoint endpoint = Endpoint.builder().function(new TestFunction()).build()) {
            endpoint.attach(port);
            int flood = 3 * Upstream.LIMIT;
            for (int i = 0; i < flood; i++) port.handler.onTlp(new MemRead(0x0100, i & 0xFF, 0xF000_0000L, 1, 0xF, 0)); // claimed by nobody: UR
            endpoint.loop().call(() -> null).get(10, TimeUnit.SECONDS); // the agent has served every one
            Upstream up = endpoint.upstream();
            assertEquals(Upstream.LIMIT, (int) endpoint.loop().call(up::maxBacklog).get(10, TimeUnit.SECONDS), "the backlog stops at its limit");
            assertEquals(flood - Upstream.LIMIT, endpoint.counters().get(RouterEvent.BACKLOG_FULL), "the rest is dropped and counted");
            assertTrue(port.refused > 0, "the agent tried the window and did not wait for it");
        }
    }
}
