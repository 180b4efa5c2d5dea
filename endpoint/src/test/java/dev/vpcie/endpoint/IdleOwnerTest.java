package dev.vpcie.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.protocol.link.DirectTlpPort;
import dev.vpcie.testsupport.Await;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Squatting: an owner that sends nothing but keepalives loses the endpoint when another VRC asks. */
class IdleOwnerTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    @Test void anIdleOwnerIsDisplacedOnlyWhenAnotherVrcAsksAndOnlyAfterTheTimeout() throws Exception {
        DirectTlpPort[] squatter = DirectTlpPort.pair(), owner = DirectTlpPort.pair();
        try (Endpoint e = Endpoint.builder().config(Fixture.CONFIG).clock(now::get).function(new TestFunction()).build()) {
            e.displaceIdleOwnerAfter(Duration.ofSeconds(30));
            TestHost squatterHost = new TestHost(squatter[0], 1 << 20);
            e.attach(squatter[1]);
            squatter[0].comeUp(0x1);
            Await.until(() -> e.owner().isPresent(), "the squatter owns the endpoint");
            now.addAndGet(Duration.ofSeconds(20).toNanos());
            assertEquals(TestFunction.VENDOR, squatterHost.configRead(Fixture.bdf(0), 0) & 0xFFFF, "a TLP: the owner is active");
            now.addAndGet(Duration.ofSeconds(20).toNanos());
            assertFalse(e.offer(owner[1]), "20 s since its last TLP: still the owner's");
            now.addAndGet(Duration.ofSeconds(11).toNanos());
            assertTrue(e.offer(owner[1]), "31 s idle: displaced for the VRC that asks");
            assertTrue(squatter[1].closed(), "the squatter's session is closed");
            owner[0].comeUp(0x2);
            Await.until(() -> e.owner().orElse(null) == owner[1], "the asking VRC owns it");
        } finally {
            squatter[0].close();
            owner[0].close();
        }
    }

    @Test void withoutATimeoutAnOwnerKeepsTheEndpoint() throws Exception {
        DirectTlpPort[] first = DirectTlpPort.pair(), second = DirectTlpPort.pair();
        try (Endpoint e = Endpoint.builder().config(Fixture.CONFIG).clock(now::get).function(new TestFunction()).build()) {
            e.attach(first[1]);
            first[0].comeUp(0x1);
            Await.until(() -> e.owner().isPresent(), "owned");
            now.addAndGet(Duration.ofHours(1).toNanos());
            assertFalse(e.offer(second[1]));
        } finally {
            first[0].close();
            second[0].close();
        }
    }
}
