package dev.vpcie.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.protocol.encap.FrameCodec;
import dev.vpcie.protocol.link.Announcement;
import dev.vpcie.protocol.link.Link;
import dev.vpcie.protocol.link.LinkConfig;
import dev.vpcie.protocol.link.LinkEndpoint;
import dev.vpcie.protocol.transport.UdpTransport;
import dev.vpcie.testsupport.Await;
import dev.vpcie.vrc.PcieDevice;
import dev.vpcie.vrc.RootComplex;
import dev.vpcie.vrc.RootComplexConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code vpcie endpoint --transport udp} for real (no root needed): a VRC on the other UDP port
 * discovers it, enumerates the dmatest device and reads its ID register; stopping the command
 * ends the VRC's session at once.
 */
class EndpointCommandUdpTest {

    private static int freePort() throws Exception {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test void aVrcFindsEnumeratesAndReadsTheDeviceOverUdp() throws Exception {
        int endpointPort = freePort(), vrcPort = freePort();
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cl.execute("endpoint", "--transport", "udp",
                "--udp-listen", "127.0.0.1:" + endpointPort, "--udp-peer", "127.0.0.1:" + vrcPort, "--group", "5", "--device", "dmatest"));
        EndpointCommand command = (EndpointCommand) cl.getSubcommands().get("endpoint").getCommand();
        try {
            Await.until(() -> out.toString().contains("endpoint ready") || exit.isDone(), "the endpoint is ready");
            assertTrue(out.toString().contains("endpoint ready on udp:"), out + " / " + err);
            UdpTransport transport = UdpTransport.open(new InetSocketAddress("127.0.0.1", vrcPort), new InetSocketAddress("127.0.0.1", endpointPort),
                    FrameCodec.DEFAULT_ETHER_TYPE);
            try (transport; LinkEndpoint links = LinkEndpoint.start(transport, LinkConfig.defaults().withGroup(5));
                 RootComplex rc = new RootComplex(RootComplexConfig.defaults().withHostMemorySize(16L << 20).withCompletionTimeout(Duration.ofSeconds(5)))) {
                // Rounds until one finds the endpoint: an answer slower than a round on a loaded machine costs a round.
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                List<Announcement> found = links.discover(Duration.ofMillis(500));
                while (found.isEmpty() && System.nanoTime() - deadline < 0) found = links.discover(Duration.ofMillis(500));
                assertEquals(1, found.size(), found.toString());
                assertTrue(found.getFirst().text().contains("dmatest [1af4:10f0]"), found.getFirst().text());
                Link link = links.connect(found.getFirst().address(), found.getFirst().instance());
                rc.attach(link);
                assertTrue(link.awaitUp(Duration.ofSeconds(10)));
                Await.until(() -> out.toString().contains("link up: VRC "), "the status line");
                List<PcieDevice> devices = rc.enumerate();
                assertEquals(1, devices.size());
                assertEquals(0x31544D44L, devices.getFirst().mmioRead(0, 0, 4).value(), "ID register 'DMT1'");

                command.stop();
                assertEquals(0, exit.get(20, TimeUnit.SECONDS), err.toString());
                Await.until(() -> !link.isUp(), "the VRC's session ends with the endpoint");
                assertTrue(out.toString().contains("endpoint stopped"), out.toString());
            }
        } finally {
            command.stop();
            exit.get(20, TimeUnit.SECONDS);
        }
    }
}
