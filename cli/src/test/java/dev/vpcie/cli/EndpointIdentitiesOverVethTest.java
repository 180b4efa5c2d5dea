package dev.vpcie.cli;

import static dev.vpcie.cli.Conditions.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.protocol.netns.NetNamespace;
import dev.vpcie.protocol.netns.VethPair;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@code vpcie endpoint --identities 4} over a veth (root only; skipped with a message
 * otherwise): a VRC's lspci finds four endpoints, one bus each, and {@code --endpoint MAC/3}
 * picks the third identity alone.
 */
class EndpointIdentitiesOverVethTest {
    private static final String GROUP = "12";

    @Test void fourIdentitiesAreFourEndpoints() throws Exception {
        String why = NetNamespace.unavailableReason();
        Assumptions.assumeTrue(why == null, () -> "identities test skipped: " + why);
        try (NetNamespace epHost = NetNamespace.create("idsep"); NetNamespace vrcHost = NetNamespace.create("idsvrc");
             VethPair veth = VethPair.create(vrcHost, epHost)) {
            StringWriter epOut = new StringWriter(), epErr = new StringWriter();
            var endpointCl = Main.commandLine();
            endpointCl.setOut(new PrintWriter(epOut, true));
            endpointCl.setErr(new PrintWriter(epErr, true));
            EndpointCommand endpoint = endpointCl.getSubcommands().get("endpoint").getCommand();
            CompletableFuture<Integer> endpointExit = new CompletableFuture<>();
            Thread.ofPlatform().start(() -> {
                try {
                    endpointExit.complete(epHost.call(() -> endpointCl.execute("endpoint", "--iface", veth.nameB(), "--group", GROUP,
                            "--identities", "4", "--device", "dmatest")));
                } catch (Throwable t) {
                    endpointExit.completeExceptionally(t);
                }
            });
            try {
                await(() -> epOut.toString().contains("more identities") || endpointExit.isDone(), "the endpoint is ready");
                assertTrue(epOut.toString().contains("and 3 more identities with the same functions: instances 2..4"), epOut + "" + epErr);

                StringWriter out = new StringWriter(), err = new StringWriter();
                var lspci = Main.commandLine();
                lspci.setOut(new PrintWriter(out, true));
                lspci.setErr(new PrintWriter(err, true));
                assertEquals(0, vrcHost.call(() -> lspci.execute("vrc", "--iface", veth.nameA(), "--group", GROUP, "lspci", "-n")), err.toString());
                assertEquals("01:00.0 0880: 1af4:10f0 (rev 01)\n02:00.0 0880: 1af4:10f0 (rev 01)\n03:00.0 0880: 1af4:10f0 (rev 01)\n"
                        + "04:00.0 0880: 1af4:10f0 (rev 01)\n", out.toString(), "one bus per identity");
                await(() -> epOut.toString().contains("link down (instance 4)"), "the lspci's sessions ended");

                String mac = epHost.ip("-br", "link", "show", "dev", veth.nameB()).trim().split("\\s+")[2];
                StringWriter one = new StringWriter(), oneErr = new StringWriter();
                var config = Main.commandLine();
                config.setOut(new PrintWriter(one, true));
                config.setErr(new PrintWriter(oneErr, true));
                assertEquals(0, vrcHost.call(() -> config.execute("vrc", "--iface", veth.nameA(), "--group", GROUP, "--endpoint", mac + "/3",
                        "lspci", "-n")), oneErr.toString());
                assertEquals("01:00.0 0880: 1af4:10f0 (rev 01)\n", one.toString(), "only the third identity");
                assertTrue(epOut.toString().contains("link up (instance 3): VRC"), epOut.toString());
            } finally {
                endpoint.stop();
                assertEquals(0, endpointExit.get(30, TimeUnit.SECONDS), epErr.toString());
            }
        }
    }
}
