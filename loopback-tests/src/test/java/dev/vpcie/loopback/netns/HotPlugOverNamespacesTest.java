package dev.vpcie.loopback.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.vpcie.testsupport.netns.NamespaceTests;
import dev.vpcie.vrc.Counter;
import dev.vpcie.vrc.Outcome;
import dev.vpcie.vrc.PcieDevice;
import dev.vpcie.vrc.nic.NicOptions;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hot-plug over namespaces, both NICs, with one VRC and one driver for the whole run (as one
 * {@code vrc attach} process): the system's ping through the TAP; the endpoint killed (it goes
 * silent: no CLOSE) and started again, three times in a row; the interconnect veth down for
 * 5 s. Each time the removal reaches the TAP's carrier and MMIO fails at once, and within 5 s
 * of the endpoint being back every ping is answered again, by the same device at the same BDF
 * and BARs. The interconnect ports have no IP address and IPv6 disabled. Needs root (skipped with
 * a message otherwise).
 */
class HotPlugOverNamespacesTest {
    /** From the endpoint's return to the first reply: the bound. */
    private static final long RECOVERY_NS = TimeUnit.SECONDS.toNanos(5);

    @BeforeAll
    static void needsRoot() {
        NamespaceTests.assumeAvailable("hot-plug over namespaces tests");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"e1000", "igb"})
    void theSameAttachSurvivesEndpointRestartsAndALinkOutage(String model) throws Exception {
        NicOptions options = NicOptions.defaults().withLinkWait(Duration.ofSeconds(10)).withWatchdog(Duration.ofSeconds(1));
        try (NicNetwork net = new NicNetwork(model, 0, options)) {
            PcieDevice device = net.driver.device();
            var bars = device.bars();
            KernelTraffic.Ping first = KernelTraffic.pingUntilAllReplied(net.vrcHost, NicNetwork.PEER_IP, 5, "0.1");
            assertTrue(first.allReplied(), "ping before any fault:\n" + first.output());

            for (int restart = 1; restart <= 3; restart++) {
                net.killEndpoint();
                awaitRemoval(net, device);
                net.restartEndpoint();
                long back = System.nanoTime();
                awaitTraffic(net, back, model + " restart " + restart);
            }

            net.interconnectDown(true);
            awaitRemoval(net, device);
            long downAt = System.nanoTime();
            // the outage itself lasts 5 s: what is waited for is the end of a fixed fault, not a condition
            LockSupport.parkNanos(Math.max(0, downAt + TimeUnit.SECONDS.toNanos(5) - System.nanoTime()));
            net.interconnectDown(false);
            awaitTraffic(net, System.nanoTime(), model + " after the veth was down for 5 s");

            assertSame(device, net.driver.device(), "the same driver on the same function");
            assertEquals(device, net.rc.device(device.bdf()), "still at " + device.name());
            assertEquals(bars, device.bars(), "the same BAR addresses");
            assertEquals(4, net.rc.counters().get(Counter.HOT_INSERTION), () -> "one hot insertion per fault: " + net.rc.counters());
            System.out.printf("%s: 3 endpoint restarts and a 5 s interconnect outage survived; driver %s%n", model, net.driver.stats());
        }
    }

    /** The surprise removal reaches the TAP's carrier, and MMIO reads fail at once (no completion timeout). */
    private static void awaitRemoval(NicNetwork net, PcieDevice device) throws IOException {
        NicOverNamespacesTest.awaitCarrier(net, false);
        var read = device.mmioRead(0, 0x8, 4); // STATUS
        // LINK_DOWN, not TIMEOUT: the read was refused at once instead of waiting for a completion
        assertEquals(Outcome.LINK_DOWN, read.outcome(), "a removed device reads as link down");
        assertEquals(0xFFFF_FFFFL, read.value());
    }

    /** Within 5 s of {@code back}, a ping is answered; then every ping of a run is. */
    private static void awaitTraffic(NicNetwork net, long back, String what) throws IOException {
        while (!KernelTraffic.probe(net.vrcHost, NicNetwork.PEER_IP)) {
            if (System.nanoTime() - back > RECOVERY_NS)
                fail(what + ": no ping answered within 5 s of the endpoint being back; driver " + net.driver.stats()
                        + "\nlink " + net.link.counters() + "\nroot complex " + net.rc.counters());
        }
        long firstReplyMs = (System.nanoTime() - back) / 1_000_000;
        // with a deadline: a slow last reply on a loaded machine is waited for, a lost one still shows
        KernelTraffic.Ping ping = KernelTraffic.pingUntilAllReplied(net.vrcHost, NicNetwork.PEER_IP, 10, "0.05");
        assertTrue(ping.allReplied(), what + ": every ping answered once traffic flows again:\n" + ping.output());
        System.out.printf("%s: first reply %d ms after the endpoint was back, then %d/%d%n", what, firstReplyMs, ping.received(),
                ping.transmitted());
    }
}
