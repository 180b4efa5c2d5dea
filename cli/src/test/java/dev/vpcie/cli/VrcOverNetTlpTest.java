package dev.vpcie.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.testsupport.Await;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code vpcie endpoint --encap nettlp} on 127.0.0.2 and {@code vpcie vrc --encap nettlp} on
 * 127.0.0.1 in one JVM: the NetTLP ports, no link layer, the commands unchanged.
 */
class VrcOverNetTlpTest {
    private final StringWriter endpointOut = new StringWriter(), endpointErr = new StringWriter();

    /** Each long-running command on a thread of its own: the common pool may have a single thread on a 2-CPU machine. */
    private static final java.util.concurrent.Executor OWN_THREAD = r -> Thread.ofPlatform().daemon().start(r);

    private record Run(int status, String out, String err) {}

    private static Run run(String... argv) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        var cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int status = cl.execute(argv);
        return new Run(status, out.toString(), err.toString());
    }

    private static Run vrc(String... args) {
        List<String> argv = new ArrayList<>(List.of("vrc", "--encap", "nettlp", "--nettlp-local", "127.0.0.1", "--nettlp-peer", "127.0.0.2",
                "--completion-timeout-ms", "2000"));
        argv.addAll(List.of(args));
        return run(argv.toArray(String[]::new));
    }

    /** Runs {@code body} while an endpoint with {@code devices} serves over NetTLP. */
    private void withEndpoint(List<String> devices, ThrowingRunnable body) throws Exception {
        var cl = Main.commandLine();
        cl.setOut(new PrintWriter(endpointOut, true));
        cl.setErr(new PrintWriter(endpointErr, true));
        EndpointCommand endpoint = cl.getSubcommands().get("endpoint").getCommand();
        endpoint.commandInput = new java.io.ByteArrayInputStream(new byte[0]);
        List<String> argv = new ArrayList<>(List.of("endpoint", "--encap", "nettlp", "--nettlp-local", "127.0.0.2", "--nettlp-peer", "127.0.0.1"));
        argv.addAll(devices);
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cl.execute(argv.toArray(String[]::new)), OWN_THREAD);
        try {
            Await.until(() -> endpointOut.toString().contains("endpoint ready") || exit.isDone(), "the endpoint is ready");
            assertTrue(endpointOut.toString().contains("endpoint ready on nettlp:127.0.0.2->127.0.0.1"), endpointOut + " / " + endpointErr);
            body.run();
        } finally {
            endpoint.stop();
        }
        assertEquals(0, exit.get(20, TimeUnit.SECONDS), endpointErr.toString());
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test void lspciMmioDmatestAndBenchRunOverNetTlp() throws Exception {
        withEndpoint(List.of("--device", "dmatest"), () -> {
            Run ls = vrc("lspci");
            assertEquals(0, ls.status(), ls.err());
            assertTrue(ls.out().startsWith("01:00.0 System peripheral"), ls.out());
            Run id = vrc("mmio", "read", "01:00.0", "0", "0x0");
            assertEquals(0, id.status(), id.err());
            assertEquals("0x31544d44\n", id.out());
            Run copy = vrc("dmatest", "copy", "--size", "256K", "--src-offset", "3", "--dst-offset", "1");
            assertEquals(0, copy.status(), copy.out() + copy.err());
            assertTrue(copy.out().contains("data verified"), copy.out());
            Run bench = vrc("bench", "dma", "--mode", "read", "--sizes", "4096", "--bytes-per-size", "65536", "--seconds-per-size", "0.5");
            assertEquals(0, bench.status(), bench.err());
            assertTrue(bench.out().contains("read         4096 "), bench.out());
        });
    }

    @ParameterizedTest @ValueSource(strings = {"e1000", "igb"})
    void vrcPingReachesAnEchoPeerBehindTheNic(String model) throws Exception {
        withEndpoint(List.of("--device", model, "--wire-transport", "echo", "--wire", "10.9.9.2"), () -> {
            Run ping = vrc("ping", "01:00.0", "10.9.9.2", "-c", "3", "-i", "0.1");
            assertEquals(0, ping.status(), ping.out() + " / " + ping.err());
            assertTrue(ping.out().contains("3 packets transmitted, 3 received, 0% packet loss"), ping.out());
        });
    }

    /** tlpperf-style readers against the bare responder and an in-process VRC: every read completes, none is an error. */
    @Test void nettlpPerfReadsFromBothTargets() {
        Run r = run("nettlp-perf", "-N", "2", "-L", "256", "-t", "0.3", "--region", "65536");
        assertEquals(0, r.status(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(3, lines.size(), r.out());
        assertTrue(lines.get(1).startsWith("bare ") && lines.get(2).startsWith("vrc "), r.out());
        for (String l : lines.subList(1, 3)) assertTrue(l.contains("timeouts 0, errors 0") && l.contains("reads/s"), l);
        Run loop = run("nettlp-perf", "-N", "3", "-L", "256", "-t", "0.3", "--region", "65536", "--readers", "loop");
        assertEquals(0, loop.status(), loop.err());
        for (String l : loop.out().lines().skip(1).toList())
            assertTrue(l.contains("timeouts 0, errors 0") && !l.contains(" 0 reads/s"), l);
        Run bad = run("nettlp-perf", "--targets", "fpga");
        assertEquals(2, bad.status());
        assertTrue(bad.err().contains("--targets takes bare, vrc and external: 'fpga'"), bad.err());
    }

    @Test void badCombinationsAreUsageErrors() {
        Run noAddresses = run("vrc", "--encap", "nettlp", "lspci");
        assertEquals(2, noAddresses.status());
        assertTrue(noAddresses.err().contains("--encap nettlp needs --nettlp-local ADDR and --nettlp-peer ADDR"), noAddresses.err());
        Run unknown = run("endpoint", "--encap", "pcie", "--device", "dmatest");
        assertEquals(2, unknown.status());
        assertTrue(unknown.err().contains("--encap must be native or nettlp: 'pcie'"), unknown.err());
        Run mixed = run("vrc", "--encap", "nettlp", "--nettlp-local", "127.0.0.1", "--nettlp-peer", "127.0.0.2", "--iface", "lo", "lspci");
        assertEquals(2, mixed.status());
        assertTrue(mixed.err().contains("go with --encap native only"), mixed.err());
        Run capture = run("endpoint", "--encap", "nettlp", "--nettlp-local", "127.0.0.2", "--nettlp-peer", "127.0.0.1", "--capture", "x.pcap",
                "--device", "dmatest");
        assertEquals(2, capture.status());
        assertTrue(capture.err().contains("--capture and --group-key go with --encap native only"), capture.err());
        Run badEtherType = run("vrc", "--iface", "lo", "--ethertype", "0x8100", "lspci");
        assertEquals(2, badEtherType.status());
        assertTrue(badEtherType.err().contains("--ethertype must be 0x0600..0xffff and not 0x8100"), badEtherType.err());
        Run size = run("vrc", "--iface", "lo", "--host-memory", "100", "lspci");
        assertEquals(2, size.status());
        assertTrue(size.err().contains("--host-memory must be a multiple of 4 KiB from 128K to 3G: '100'"), size.err());
        Run split = run("vrc", "--iface", "lo", "--nettlp-split", "256", "lspci");
        assertEquals(2, split.status());
        assertTrue(split.err().contains("--nettlp-split goes with --encap nettlp"), split.err());
        assertTrue(!noAddresses.err().contains("Exception") && !mixed.err().contains("\tat "), "no stack traces");
    }

    @Test void aVrcServingNetTlpReportsPerPortCounters() throws Exception {
        withEndpoint(List.of("--device", "dmatest"), () -> {
            StringWriter out = new StringWriter(), err = new StringWriter();
            var cl = Main.commandLine();
            cl.setOut(new PrintWriter(out, true));
            cl.setErr(new PrintWriter(err, true));
            CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cl.execute("vrc", "--encap", "nettlp", "--nettlp-local",
                    "127.0.0.1", "--nettlp-peer", "127.0.0.2", "--host-memory", "64M", "serve"), OWN_THREAD);
            VrcServeCommand serve = cl.getSubcommands().get("vrc").getSubcommands().get("serve").getCommand();
            try {
                Await.until(() -> out.toString().contains("serving ") || exit.isDone(), "the VRC serves");
            } finally {
                serve.stop();
            }
            assertEquals(0, exit.get(20, TimeUnit.SECONDS), err.toString());
            assertTrue(out.toString().contains("serving 1 function(s) (01:00.0) and 64 MiB of host memory"), out.toString());
            assertTrue(out.toString().contains("nettlp nettlp:127.0.0.1->127.0.0.2 (host): no drops or errors"), out.toString());
            assertTrue(out.toString().contains("0x4000 mmio tag&0xf 0: rx "), out.toString());
        });
    }
}
