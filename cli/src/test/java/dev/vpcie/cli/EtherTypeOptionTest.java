package dev.vpcie.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.testsupport.Await;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code --ethertype} on both sides of the native encapsulation (over UDP here, which carries
 * whole Ethernet frames): a VRC with the endpoint's EtherType finds it, one with the default
 * does not, since each side drops frames of another EtherType.
 */
class EtherTypeOptionTest {

    @Test void bothSidesMustAgreeOnTheEtherType() throws Exception {
        int[] ports = VrcOverUdpTest.freeUdpPorts(2);
        String endpointAddress = "127.0.0.1:" + ports[0], vrcAddress = "127.0.0.1:" + ports[1];
        StringWriter out = new StringWriter(), err = new StringWriter();
        var cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        EndpointCommand endpoint = cl.getSubcommands().get("endpoint").getCommand();
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cl.execute("endpoint", "--transport", "udp", "--udp-listen",
                endpointAddress, "--udp-peer", vrcAddress, "--ethertype", "0x88b6", "--device", "dmatest"),
                r -> Thread.ofPlatform().daemon().start(r));
        try {
            Await.until(() -> out.toString().contains("endpoint ready") || exit.isDone(), "the endpoint is ready");
            StringWriter vOut = new StringWriter(), vErr = new StringWriter();
            var vrc = Main.commandLine();
            vrc.setOut(new PrintWriter(vOut, true));
            vrc.setErr(new PrintWriter(vErr, true));
            assertEquals(0, vrc.execute("vrc", "--transport", "udp", "--udp-listen", vrcAddress, "--udp-peer", endpointAddress,
                    "--ethertype", "0x88B6", "--discover-timeout-ms", "1000", "lspci"), vErr.toString());
            assertTrue(vOut.toString().startsWith("01:00.0 "), vOut.toString());
            StringWriter dErr = new StringWriter();
            var other = Main.commandLine();
            other.setOut(new PrintWriter(new StringWriter(), true));
            other.setErr(new PrintWriter(dErr, true));
            assertEquals(1, other.execute("vrc", "--transport", "udp", "--udp-listen", vrcAddress, "--udp-peer", endpointAddress,
                    "--discover-timeout-ms", "500", "lspci"));
            assertTrue(dErr.toString().contains("no endpoint answered"), dErr.toString());
        } finally {
            endpoint.stop();
        }
        assertEquals(0, exit.get(20, TimeUnit.SECONDS), err.toString());
    }
}
