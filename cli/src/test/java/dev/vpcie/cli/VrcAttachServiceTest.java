package dev.vpcie.cli;

import static dev.vpcie.cli.Conditions.await;
import static org.junit.jupiter.api.Assertions.*;

import dev.vpcie.cli.control.ControlPaths;
import dev.vpcie.protocol.netns.NetNamespace;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Issue 11's test: while {@code vrc attach} carries the system's ping through its NIC, another
 * process runs {@code vrc lspci} and {@code vrc status} on the same interconnect. They go through
 * the attach's control socket: lspci prints the NIC, status its counters, and the ping loses
 * nothing. Needs root (the TAP, the namespace).
 */
class VrcAttachServiceTest {
    private final StringWriter out = new StringWriter(), err = new StringWriter();
    private VrcPingTestRig rig;

    @AfterEach void restore() {
        VrcCommand.connector = VrcNetworks::connect;
        if (rig != null) rig.close();
    }

    @Test void lspciAndStatusFromAnotherProcessWhileAttachCarriesAPing() throws Exception {
        String why = NetNamespace.unavailableReason();
        Assumptions.assumeTrue(why == null, () -> "attach test skipped: " + why);
        rig = new VrcPingTestRig();
        VrcCommand.connector = rig.connector();
        String iface = "att" + ProcessHandle.current().pid() % 100000;
        AtomicReference<VrcAttachCommand> command = new AtomicReference<>();
        try (NetNamespace ns = NetNamespace.create("attsvc")) {
            CompletableFuture<Integer> exit = new CompletableFuture<>();
            Thread.ofPlatform().start(() -> {
                try {
                    exit.complete(ns.call(() -> commandLine(command).execute("vrc", "--iface", iface, "attach", "01:00.0", "--tap", "nic0")));
                } catch (Throwable t) {
                    exit.completeExceptionally(t);
                }
            });
            await(() -> out.toString().contains("Link is Up") || exit.isDone(), "the NIC is attached and its link up");
            assertFalse(exit.isDone(), "attach keeps running: " + out + err);
            ns.ip("addr", "add", "10.0.0.1/24", "dev", "nic0");
            Process ping = new ProcessBuilder(ns.command(List.of("ping", "-c", "30", "-i", "0.1", "-w", "30", "10.0.0.2")))
                    .redirectErrorStream(true).start();
            try {
                Process lspci = vpcie("vrc", "--iface", iface, "lspci");
                Process status = vpcie("vrc", "--iface", iface, "status");
                String lspciOut = output(lspci), statusOut = output(status);
                assertEquals(0, lspci.waitFor(), lspciOut);
                assertTrue(lspciOut.startsWith("01:00.0 Ethernet controller: Intel Corporation 82540EM Gigabit Ethernet Controller"), lspciOut);
                assertEquals(0, status.waitFor(), statusOut);
                assertTrue(statusOut.contains("control socket " + ControlPaths.socket(iface, 0)), statusOut);
                assertTrue(statusOut.matches("(?s).*\\n01:00\\.0  8086:100e 020000 .*"), statusOut);
            } finally {
                String pingOut = output(ping);
                assertTrue(ping.waitFor(60, TimeUnit.SECONDS), "ping ends");
                assertTrue(pingOut.contains("30 packets transmitted, 30 received"), pingOut);
            }
            command.get().stop();
            assertEquals(0, exit.get(30, TimeUnit.SECONDS), err.toString());
        }
    }

    private CommandLine commandLine(AtomicReference<VrcAttachCommand> created) {
        CommandLine cl = Main.commandLine(new CapturingFactory<>(VrcAttachCommand.class, created));
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl;
    }

    /** {@code vpcie ARGS} in a JVM of its own, finding the control socket where this one made it. */
    private static Process vpcie(String... args) throws IOException {
        List<String> argv = new ArrayList<>();
        argv.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments())
            if (a.startsWith("--enable-native-access") || a.startsWith("--add-exports") || a.startsWith("--sun-misc")) argv.add(a);
        argv.add("-D" + ControlPaths.DIRECTORY_PROPERTY + "=" + System.getProperty(ControlPaths.DIRECTORY_PROPERTY, ""));
        argv.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        argv.addAll(List.of(args));
        return new ProcessBuilder(argv).redirectErrorStream(true).start();
    }

    private static String output(Process p) throws IOException {
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
}
