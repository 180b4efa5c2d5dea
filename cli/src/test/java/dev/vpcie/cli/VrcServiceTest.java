package dev.vpcie.cli;

import static org.junit.jupiter.api.Assertions.*;

import dev.vpcie.cli.control.ControlJson;
import dev.vpcie.cli.control.ControlPaths;
import dev.vpcie.testsupport.Await;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * A running VRC ({@code vrc serve}) serves the other {@code vrc} commands through its control
 * socket: they see its functions and counters without a session of their own, and the commands
 * that would take its endpoints over refuse.
 */
class VrcServiceTest {
    private final StringWriter serveOut = new StringWriter(), serveErr = new StringWriter();
    private final AtomicReference<VrcServeCommand> serve = new AtomicReference<>();
    private CompletableFuture<Integer> serveExit;
    private VrcTestEndpoint endpoint;
    /** Unique per test: the socket is named after it. */
    private final String iface = "svc" + ProcessHandle.current().pid() % 10000 + "x" + System.nanoTime() % 1000;

    @AfterEach void stop() throws Exception {
        if (serve.get() != null) serve.get().stop();
        if (serveExit != null) assertEquals(0, serveExit.get(30, TimeUnit.SECONDS), serveErr.toString());
        VrcCommand.connector = VrcNetworks::connect;
    }

    private void startServe() {
        endpoint = new VrcTestEndpoint();
        VrcCommand.connector = target -> VrcConnector.Connection.of(List.of(endpoint), 1400);
        CommandLine cl = Main.commandLine(new CapturingFactory<>(VrcServeCommand.class, serve));
        cl.setOut(new PrintWriter(serveOut, true));
        cl.setErr(new PrintWriter(serveErr, true));
        serveExit = CompletableFuture.supplyAsync(() -> cl.execute("vrc", "--iface", iface, "serve"));
        Await.until(() -> serveOut.toString().contains("Ctrl-C stops") || serveExit.isDone(), "vrc serve is serving");
        assertFalse(serveExit.isDone(), serveOut + "" + serveErr);
        // Nobody else may connect from here on: a command that tried would be a second session.
        VrcCommand.connector = target -> { throw new AssertionError("a second session was opened"); };
    }

    /** Runs a command line as a user would in another shell; returns exit status, stdout, stderr. */
    private static Result run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    private record Result(int exit, String out, String err) {}

    @Test void lspciConfigMmioAndStatusGoThroughTheRunningVrc() {
        startServe();
        assertTrue(serveOut.toString().contains("serving 1 function(s) (01:00.0) and ") && serveOut.toString().contains("control socket " + ControlPaths.socket(iface, 0)), serveOut.toString());
        Result lspci = run("vrc", "--iface", iface, "lspci");
        assertEquals(0, lspci.exit(), lspci.err());
        assertTrue(lspci.out().startsWith("01:00.0 Ethernet controller: Intel Corporation 82540EM"), lspci.out());

        assertEquals(0, run("vrc", "--iface", iface, "mmio", "write", "01:00.0", "0", "0x10", "0x12345678").exit());
        Result read = run("vrc", "--iface", iface, "mmio", "read", "01:00.0", "0", "0x10");
        assertEquals(new Result(0, "0x12345678\n", ""), read);
        assertEquals(new Result(0, "100e\n", ""), run("vrc", "--iface", iface, "config", "01:00.0", "DEVICE_ID"));

        Result status = run("vrc", "--iface", iface, "status");
        assertEquals(0, status.exit(), status.err());
        assertTrue(status.out().startsWith("VRC " + iface + " untagged, control socket " + ControlPaths.socket(iface, 0)), status.out());
        assertTrue(status.out().matches("(?s).*\\n01:00\\.0  8086:100e 020000 none      1/1 .*"), "one MMIO read, one write:\n" + status.out());

        Result json = run("vrc", "--iface", iface, "status", "--json");
        assertEquals(0, json.exit(), json.err());
        Map<?, ?> parsed = (Map<?, ?>) ControlJson.parse(json.out().strip());
        Map<?, ?> fn = (Map<?, ?>) ((List<?>) parsed.get("functions")).getFirst();
        assertEquals("01:00.0", fn.get("bdf"));
        assertEquals(0x8086L, fn.get("vendor_id"));
        assertEquals(1L, fn.get("mmio_writes"));
        assertEquals(1, ((List<?>) parsed.get("links")).size());
    }

    @Test void usageErrorsOfAServedCommandAreTheUsersOwn() {
        startServe();
        Result bad = run("vrc", "--iface", iface, "mmio", "read", "01:00.0", "9", "0");
        assertEquals(2, bad.exit());
        assertTrue(bad.err().contains("BAR must be 0..5: 9"), bad.err());
        Result missing = run("vrc", "--iface", iface, "config", "read", "02:00.0", "0");
        assertEquals(1, missing.exit(), missing.err());
        assertEquals("ffffffff\n", missing.out(), "a function that is not there reads all-ones, as over a session of its own");
    }

    @Test void commandsThatWouldTakeTheEndpointsOverRefuse() {
        startServe();
        Result attach = run("vrc", "--iface", iface, "attach", "01:00.0", "--tap", "x0");
        assertEquals(1, attach.exit());
        assertEquals("vpcie: vrc: a VRC already runs on " + iface + " untagged (control socket " + ControlPaths.socket(iface, 0)
                + "); attach would take its endpoints over: stop it, or give --force\n", attach.err());
        Result second = run("vrc", "--iface", iface, "serve");
        assertEquals(1, second.exit());
        assertTrue(second.err().contains("would take its endpoints over"), second.err());
    }

    @Test void captureNeedsARunningVrcWithARealInterconnect() {
        Result none = run("vrc", "--iface", iface, "capture", "start", "x.pcap");
        assertEquals(1, none.exit());
        assertTrue(none.err().startsWith("vpcie: vrc capture: no VRC runs on " + iface), none.err());
        startServe();
        Result memory = run("vrc", "--iface", iface, "capture", "start", "x.pcap");
        assertEquals(1, memory.exit());
        assertTrue(memory.err().contains("cannot be captured at run time"), memory.err());
        assertEquals(2, run("vrc", "--iface", iface, "capture", "start", "x.pcap", "--files", "3").exit(), "--files needs --max-size");
    }

    @Test void withoutARunningVrcStatusShowsASessionOfItsOwn() {
        endpoint = new VrcTestEndpoint();
        VrcCommand.connector = target -> VrcConnector.Connection.of(List.of(endpoint), 1400);
        Result status = run("vrc", "--iface", iface, "status");
        assertEquals(0, status.exit(), status.err());
        assertTrue(status.out().startsWith("VRC " + iface + " untagged, own session (no VRC runs here)"), status.out());
        assertFalse(Files.exists(ControlPaths.socket(iface, 0)), "only attach, vm and serve listen");
    }

    @Test void theSocketIsRemovedWhenServeEnds() throws Exception {
        startServe();
        assertTrue(Files.exists(ControlPaths.socket(iface, 0)));
        serve.get().stop();
        assertEquals(0, serveExit.get(30, TimeUnit.SECONDS), serveErr.toString());
        serveExit = null;
        assertFalse(Files.exists(ControlPaths.socket(iface, 0)));
        assertTrue(serveOut.toString().endsWith("stopped serving\n"), serveOut.toString());
    }

    @Test void fileOptionsTravelAsAbsolutePaths() {
        CommandLine.Model.CommandSpec lspci = Main.commandLine().getSubcommands().get("vrc").getSubcommands().get("lspci").getCommandSpec();
        String abs = java.nio.file.Path.of("ids").toAbsolutePath().toString();
        assertEquals(List.of("-v", "--pci-ids", abs, "-s", "01:00.0"), VrcCommand.absolutePaths(lspci, List.of("-v", "--pci-ids", "ids", "-s", "01:00.0")));
        assertEquals(List.of("--pci-ids=" + abs), VrcCommand.absolutePaths(lspci, List.of("--pci-ids=ids")));
        assertEquals(List.of("-s", "ids"), VrcCommand.absolutePaths(lspci, List.of("-s", "ids")), "only file options");
    }

    @Test void aSessionThatDoesNotServeTurnsTheOthersAway() throws Exception {
        endpoint = new VrcTestEndpoint();
        java.util.concurrent.CountDownLatch reading = new java.util.concurrent.CountDownLatch(1), release = new java.util.concurrent.CountDownLatch(1);
        // The first command's memory read waits here, holding its session open.
        dev.vpcie.protocol.link.TlpPort held = new dev.vpcie.protocol.link.TlpPort() {
            @Override public void send(dev.vpcie.protocol.tlp.Tlp tlp) throws InterruptedException {
                if (tlp instanceof dev.vpcie.protocol.tlp.MemRead) {
                    reading.countDown();
                    release.await();
                }
                endpoint.send(tlp);
            }

            @Override public void handler(dev.vpcie.protocol.link.TlpHandler h) { endpoint.handler(h); }

            @Override public boolean isUp() { return true; }

            @Override public String describe() { return "held test endpoint"; }

            @Override public void close() {}
        };
        VrcCommand.connector = target -> VrcConnector.Connection.of(List.of(held), 1400);
        CompletableFuture<Result> first = CompletableFuture.supplyAsync(() -> run("vrc", "--iface", iface, "mmio", "read", "01:00.0", "0", "0"),
                r -> Thread.ofPlatform().start(r));
        try {
            assertTrue(reading.await(20, TimeUnit.SECONDS), "the first command reads");
            VrcCommand.connector = target -> { throw new AssertionError("a second session was opened"); };
            Result second = run("vrc", "--iface", iface, "lspci");
            assertEquals(new Result(1, "", "vpcie: a vrc mmio holds the endpoints on " + iface + " untagged until it ends; try again then\n"), second);
            Result attach = run("vrc", "--iface", iface, "attach", "01:00.0", "--tap", "x0");
            assertTrue(attach.err().contains("attach would take its endpoints over"), attach.err());
        } finally {
            release.countDown();
        }
        assertEquals(0, first.get(30, TimeUnit.SECONDS).exit());
        assertFalse(Files.exists(ControlPaths.socket(iface, 0)));
    }

    // ---- issue 15: the pool's commands (the claim of a real endpoint is HandOverTest's) ----

    @Test void treeShowsTheBusesAndReleaseHandsTheEndpointBack() {
        startServe();
        Result tree = run("vrc", "--iface", iface, "tree");
        assertEquals(0, tree.exit(), tree.err());
        assertTrue(tree.out().startsWith("-[0000:00]---[01] "), tree.out());
        assertTrue(tree.out().contains("\\-01:00.0 Intel Corporation 82540EM"), tree.out());
        assertTrue(tree.out().contains("BAR0 mem 0xe0000000 4K"), tree.out());

        Result missing = run("vrc", "--iface", iface, "release", "02:00.0");
        assertEquals(1, missing.exit());
        assertTrue(missing.err().startsWith("vpcie: vrc release: no function 02:00.0 in this VRC"), missing.err());

        Result release = run("vrc", "--iface", iface, "release", "01:00.0");
        assertEquals(0, release.exit(), release.err());
        assertTrue(release.out().startsWith("released bus 01 (01:00.0): session with "), release.out());
        assertEquals(new Result(0, "", ""), run("vrc", "--iface", iface, "lspci"));
        assertTrue(run("vrc", "--iface", iface, "tree").out().contains("(no endpoint"));

        Result pool = run("vrc", "--iface", iface, "pool");
        assertEquals(1, pool.exit());
        assertTrue(pool.err().startsWith("vpcie: vrc pool: this VRC's endpoints are not on a network"), pool.err());
        assertEquals(1, run("vrc", "--iface", iface, "claim", "0").exit());
    }

    @Test void thePoolCommandsNeedARunningVrc() {
        VrcCommand.connector = target -> { throw new AssertionError("the pool's commands open no session"); };
        for (String[] cmd : List.of(new String[] {"release", "01:00.0"}, new String[] {"pool"}, new String[] {"claim", "0"}, new String[] {"tree"},
                new String[] {"attach", "01:00.0", "--tap", "x0", "--served"})) {
            String[] argv = java.util.stream.Stream.concat(java.util.stream.Stream.of("vrc", "--iface", iface), java.util.Arrays.stream(cmd))
                    .toArray(String[]::new);
            Result r = run(argv);
            assertEquals(1, r.exit(), String.join(" ", argv));
            assertEquals("vpcie: vrc " + cmd[0] + ": no VRC runs on " + iface + " untagged (start one: vrc serve, attach or vm)\n", r.err());
        }
    }
}
