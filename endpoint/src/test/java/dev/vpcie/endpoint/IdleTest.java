package dev.vpcie.endpoint;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.protocol.link.DirectTlpPort;
import dev.vpcie.testsupport.Await;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** An endpoint with nothing to do blocks: its agent thread stops using the CPU. */
class IdleTest {

    @Test
    void anIdleEndpointAgentBlocks() throws Exception {
        DirectTlpPort[] ports = DirectTlpPort.pair("idle");
        TestFunction fn = new TestFunction();
        try (Endpoint endpoint = Endpoint.builder().function(fn).build()) {
            endpoint.attach(ports[1]);
            ports[0].comeUp(1);
            // A timer far away: something to wait for, nothing to do now.
            endpoint.function(0).execute(() -> fn.context.timers().schedule(TimeUnit.HOURS.toNanos(1), () -> { }));
            Await.until(() -> endpoint.loop().blocks() > 0, "the agent blocks");
            long cpuBefore = endpoint.loop().cpuTimeNs();
            long wallBefore = System.nanoTime();
            new CountDownLatch(1).await(300, TimeUnit.MILLISECONDS); // idle time passing, nothing waited for
            long cpu = endpoint.loop().cpuTimeNs() - cpuBefore;
            long wall = System.nanoTime() - wallBefore;
            assertTrue(cpu >= 0, "the JVM measures thread CPU time");
            assertTrue(cpu < wall / 10, "idle, the agent used " + Duration.ofNanos(cpu) + " of CPU in " + Duration.ofNanos(wall));
        } finally {
            ports[0].close();
        }
    }
}
