package dev.vpcie.loopback.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.vpcie.testsupport.Await;
import dev.vpcie.testsupport.netns.NamespaceTests;
import dev.vpcie.vrc.nic.LinkState;
import dev.vpcie.vrc.nic.NicOptions;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Both NICs end to end over namespaces, as the ping demo runs them: the VRC's host pings and sends
 * TCP through its TAP, the VRC's driver, the interconnect veth, the NIC model in the endpoint's
 * host and the NIC's wire veth to a peer namespace — the system's {@code ping} gets every reply and
 * 64 MiB of TCP arrive intact, on a clean interconnect and with 5 % of its frames dropped by
 * nftables; and a link taken down at the endpoint reaches the driver (LSC) and the TAP's carrier.
 * Needs root (skipped with a message otherwise).
 */
class NicOverNamespacesTest {
    private static final long BYTES = 64 << 20;

    @BeforeAll
    static void needsRoot() {
        NamespaceTests.assumeAvailable("NIC over namespaces tests");
    }

    private static NicOptions driverOptions() {
        return NicOptions.defaults().withLinkWait(Duration.ofSeconds(10)).withWatchdog(Duration.ofSeconds(2));
    }

    @ParameterizedTest(name = "{0}, {1} % interconnect loss")
    @CsvSource({"e1000, 0", "e1000, 5", "igb, 0", "igb, 5"})
    void systemPingAndTcpThroughTheTap(String model, int loss) throws Exception {
        try (NicNetwork net = new NicNetwork(model, loss, driverOptions())) {
            KernelTraffic.Ping ping = KernelTraffic.pingUntilAllReplied(net.vrcHost, NicNetwork.PEER_IP, 20, "0.05");
            if (!ping.allReplied()) fail(ping.output() + "\ndriver " + net.driver.stats() + "\nwire " + net.wire.counters()
                    + "\nlink " + net.link.counters() + "\ninterconnect frames dropped " + net.framesLost());
            KernelTraffic.Transfer tcp = KernelTraffic.tcp(net.peer, NicNetwork.PEER_IP, 5001, net.vrcHost, BYTES);
            assertTrue(tcp.intact(), "64 MiB VRC host -> peer arrived with another SHA-256");
            KernelTraffic.Transfer back = KernelTraffic.tcp(net.vrcHost, NicNetwork.HOST_IP, 5002, net.peer, BYTES / 4);
            assertTrue(back.intact(), "16 MiB peer -> VRC host arrived with another SHA-256");
            System.out.printf("%s, %d %% loss: ping %d/%d; TCP out %.0f Mbit/s, back %.0f Mbit/s; %d interconnect frames dropped; "
                            + "wire %s; link %s%n", model, loss, ping.received(), ping.transmitted(), tcp.megabitsPerSecond(),
                    back.megabitsPerSecond(), net.framesLost(), net.wire.counters(), net.link.counters());
            if (loss > 0) assertTrue(net.framesLost() > 0, "nftables dropped nothing: the loss was not real");
            assertTrue(net.wire.counters().offloadsDone() > 0, "the peer's stack sent offloaded frames, which the wire completed");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"e1000", "igb"})
    void aLinkTakenDownAtTheEndpointReachesTheDriverAndTheTap(String model) throws Exception {
        try (NicNetwork net = new NicNetwork(model, 0, driverOptions())) {
            LinkedBlockingQueue<LinkState> changes = new LinkedBlockingQueue<>();
            net.bridge.onLinkChange(changes::add);
            assertEquals(List.of("link 00.0 " + model + ": down (set down)"), net.links.execute("link 0 down"));
            awaitState(changes, false);
            awaitCarrier(net, false);
            KernelTraffic.Ping down = KernelTraffic.ping(net.vrcHost, NicNetwork.PEER_IP, 2, "0.2");
            assertEquals(0, down.received(), "no replies while the link is down:\n" + down.output());
            assertEquals(List.of("link 00.0 " + model + ": up"), net.links.execute("link 0 up"));
            awaitState(changes, true);
            awaitCarrier(net, true);
            // The neighbour entry failed while the link was down: the kernel resolves it again first.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (KernelTraffic.ping(net.vrcHost, NicNetwork.PEER_IP, 1, "1").received() == 0)
                if (System.nanoTime() > deadline) fail("no ping got through within 20 s of the link coming back");
            KernelTraffic.Ping ping = KernelTraffic.pingUntilAllReplied(net.vrcHost, NicNetwork.PEER_IP, 5, "0.1");
            assertTrue(ping.allReplied(), "pings get through again once the link is back:\n" + ping.output());
            assertTrue(net.driver.stats().linkChanges() >= 3, "up at bring-up, down, up: " + net.driver.stats());
        }
    }

    private static void awaitState(LinkedBlockingQueue<LinkState> changes, boolean up) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            LinkState s = changes.poll(1, TimeUnit.SECONDS);
            if (s != null && s.up() == up) return;
        }
        fail("the driver never saw the link go " + (up ? "up" : "down"));
    }

    static void awaitCarrier(NicNetwork net, boolean up) throws IOException {
        Await.until(() -> net.vrcHost.ip("link", "show", NicNetwork.TAP).contains("NO-CARRIER") != up, "the TAP's carrier goes " + (up ? "up" : "down"));
    }
}
