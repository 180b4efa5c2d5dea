package dev.vpcie.cli;

import static org.junit.jupiter.api.Assertions.*;

import dev.vpcie.testsupport.Await;
import dev.vpcie.testsupport.netns.NamespaceTests;
import dev.vpcie.testsupport.netns.NetNamespace;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code vpcie vrc attach}: the NIC bridged to a TAP in a namespace of its own, the system's ping
 * through it to the host on the NIC's wire, then a clean detach. Needs root for the TAP.
 */
class VrcAttachCommandTest {
    private final StringWriter out = new StringWriter(), err = new StringWriter();
    private VrcPingTestRig rig;

    @AfterEach void restore() {
        VrcCommand.connector = VrcNetworks::connect;
        if (rig != null) rig.close();
    }

    private CommandLine commandLine(AtomicReference<VrcAttachCommand> created) {
        CommandLine.IFactory factory = new CommandLine.IFactory() {
            @Override public <K> K create(Class<K> cls) throws Exception {
                K k = CommandLine.defaultFactory().create(cls);
                if (k instanceof VrcAttachCommand a) created.set(a);
                return k;
            }
        };
        CommandLine cl = new CommandLine(new Main(), factory).setCaseInsensitiveEnumValuesAllowed(true);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl;
    }

    @Test void systemPingThroughTheAttachedNicThenDetach() throws Exception {
        NamespaceTests.assumeAvailable("attach test");
        rig = new VrcPingTestRig();
        VrcCommand.connector = rig.connector();
        AtomicReference<VrcAttachCommand> command = new AtomicReference<>();
        try (NetNamespace ns = NetNamespace.create("attach")) {
            CompletableFuture<Integer> exit = new CompletableFuture<>();
            Thread.ofPlatform().start(() -> {
                try {
                    exit.complete(ns.call(() -> commandLine(command).execute("vrc", "--iface", "t", "attach", "01:00.0", "--tap", "nic0")));
                } catch (Throwable t) {
                    exit.completeExceptionally(t);
                }
            });
            Await.until(() -> out.toString().contains("Link is Up") || exit.isDone(), "the NIC is attached and its link up");
            assertFalse(exit.isDone(), "attach keeps running: " + out + err);
            assertTrue(out.toString().contains("01:00.0: 82540EM 52:54:00:12:34:56, 1 RX queue(s), MTU 1500\n"), out.toString());
            assertTrue(out.toString().contains("nic0: bridged to 01:00.0, offloads on; give it an address: ip addr add ADDR/LEN dev nic0\n"),
                    out.toString());
            ns.ip("addr", "add", "10.0.0.1/24", "dev", "nic0");
            // -w: wait for all three replies (up to 20 s); without it ping gives the last one about two round trips.
            String ping = ns.exec("ping", "-c", "3", "-i", "0.2", "-w", "20", "10.0.0.2");
            assertTrue(ping.contains("3 packets transmitted, 3 received"), ping);

            command.get().stop();
            assertEquals(0, exit.get(30, TimeUnit.SECONDS), err.toString());
            assertTrue(out.toString().contains("01:00.0: detached: NIC reset, nic0 removed\n"), out.toString());
            assertTrue(out.toString().matches("(?s).*01:00\\.0: tx \\d+ frames .* nic0: to NIC \\d+ \\(TSO \\d+, checksum \\d+\\), to TAP \\d+.*"), out.toString());
            assertFalse(ns.ip("link", "show").contains("nic0"), "the TAP is gone");
        }
    }

    @Test void aTapNameThatExistsIsExitOne() throws Exception {
        NamespaceTests.assumeAvailable("attach test");
        rig = new VrcPingTestRig();
        VrcCommand.connector = rig.connector();
        try (NetNamespace ns = NetNamespace.create("attach")) {
            ns.ip("link", "add", "busy0", "type", "veth", "peer", "name", "busy1");
            int code = ns.call(() -> commandLine(new AtomicReference<>()).execute("vrc", "--iface", "t", "attach", "01:00.0", "--tap", "busy0"));
            assertEquals(1, code, err.toString());
            assertTrue(err.toString().contains("an interface named 'busy0' already exists"), err.toString());
        }
    }

    @Test void usageErrors() {
        rig = new VrcPingTestRig();
        VrcCommand.connector = rig.connector();
        assertEquals(2, commandLine(new AtomicReference<>()).execute("vrc", "--iface", "t", "attach", "01:00.0"), "--tap is required");
        assertEquals(2, commandLine(new AtomicReference<>()).execute("vrc", "--iface", "t", "attach", "01:00.0", "--tap", "a/b"));
        assertEquals(2, commandLine(new AtomicReference<>()).execute("vrc", "--iface", "t", "attach", "01:00.0", "--tap", "x",
                "--stats-interval", "-1"));
    }
}
