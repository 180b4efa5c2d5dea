package dev.vpcie.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.testsupport.Await;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --group-key} on both commands, over UDP on the loopback interface: the VRC with the
 * endpoint's key works as without one; without it, or with another key, it finds nothing.
 */
class VrcKeyedOverUdpTest {
    @TempDir Path dir;
    private final StringWriter endpointOut = new StringWriter(), endpointErr = new StringWriter();
    private String endpointAddress, vrcAddress;
    private Path key, otherKey;
    private EndpointCommand endpoint;
    private CompletableFuture<Integer> endpointExit;

    @BeforeEach void startEndpoint() throws IOException {
        key = Files.write(dir.resolve("group.key"), "a group key of 32 bytes, honest.".getBytes());
        otherKey = Files.write(dir.resolve("other.key"), "another key of 32 bytes, honest!".getBytes());
        int[] ports = VrcOverUdpTest.freeUdpPorts(2);
        endpointAddress = "127.0.0.1:" + ports[0];
        vrcAddress = "127.0.0.1:" + ports[1];
        var cl = Main.commandLine();
        cl.setOut(new PrintWriter(endpointOut, true));
        cl.setErr(new PrintWriter(endpointErr, true));
        endpoint = cl.getSubcommands().get("endpoint").getCommand();
        endpointExit = CompletableFuture.supplyAsync(() -> cl.execute("endpoint", "--transport", "udp", "--udp-listen", endpointAddress,
                "--udp-peer", vrcAddress, "--group", "5", "--group-key", key.toString(), "--device", "dmatest"));
        Await.until(() -> endpointOut.toString().contains("endpoint ready") || endpointExit.isDone(), "the endpoint is ready");
        assertTrue(endpointOut.toString().contains("endpoint ready"), endpointOut + "" + endpointErr);
    }

    @AfterEach void stopEndpoint() throws Exception {
        endpoint.stop();
        assertEquals(0, endpointExit.get(10, TimeUnit.SECONDS), endpointErr.toString());
    }

    private record Run(int status, String out, String err) {}

    private Run vrc(String... args) {
        List<String> argv = new ArrayList<>(List.of("vrc", "--transport", "udp", "--udp-listen", vrcAddress, "--udp-peer", endpointAddress,
                "--group", "5", "--discover-timeout-ms", "500", "--completion-timeout-ms", "2000"));
        argv.addAll(List.of(args));
        StringWriter out = new StringWriter(), err = new StringWriter();
        var cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int status = cl.execute(argv.toArray(String[]::new));
        return new Run(status, out.toString(), err.toString());
    }

    @Test void withTheKeyTheVrcWorksAsWithout() {
        Run r = vrc("--group-key", key.toString(), "config", "read", "01:00.0", "0x02.w");
        assertEquals(0, r.status(), r.err());
        assertEquals("10f0\n", r.out());
    }

    @Test void withoutTheKeyOrWithAnotherTheEndpointIsInvisible() {
        for (Run r : List.of(vrc("lspci"), vrc("--group-key", otherKey.toString(), "lspci"))) {
            assertEquals(1, r.status(), r.out() + r.err());
            assertTrue(r.err().contains("no endpoint answered in group 5"), r.err());
        }
    }

    @Test void aBadKeyFileIsAUsageError() throws IOException {
        Path shortKey = Files.write(dir.resolve("short.key"), "too short".getBytes());
        for (String file : List.of(shortKey.toString(), dir.resolve("missing.key").toString())) {
            Run r = vrc("--group-key", file, "lspci");
            assertEquals(2, r.status(), r.err());
            assertTrue(r.err().contains("group key file"), r.err());
            assertTrue(!r.err().contains("Exception"), r.err());
        }
    }
}
