package dev.vpcie.cli;

import static org.junit.jupiter.api.Assertions.*;

import dev.vpcie.testsupport.Await;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code vpcie vrc ping} against an in-memory endpoint with an 82540EM whose wire answers ping for 10.0.0.2. */
class VrcPingCommandTest {
    private final StringWriter out = new StringWriter(), err = new StringWriter();
    private VrcPingTestRig rig;

    private int run(String... args) {
        rig = new VrcPingTestRig();
        VrcCommand.connector = rig.connector();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @AfterEach void restore() {
        VrcCommand.connector = VrcNetworks::connect;
        if (rig != null) rig.close();
    }

    @Test void pingPrintsRepliesAndASummaryLikePing() {
        assertEquals(0, run("vrc", "--iface", "t", "ping", "01:00.0", "10.0.0.2", "-c", "3", "-i", "0.01", "--source", "10.0.0.1"),
                err.toString());
        String o = out.toString();
        assertTrue(o.startsWith("PING 10.0.0.2 (10.0.0.2) from 10.0.0.1 01:00.0 (82540EM 52:54:00:12:34:56): 56(84) bytes of data.\n"), o);
        for (int seq = 1; seq <= 3; seq++)
            assertTrue(o.matches("(?s).*\n64 bytes from 10\\.0\\.0\\.2: icmp_seq=" + seq + " ttl=64 time=\\d+\\.\\d{3} ms\n.*"), o);
        assertTrue(o.contains("\n--- 10.0.0.2 ping statistics ---\n3 packets transmitted, 3 received, 0% packet loss, time "), o);
        assertTrue(o.matches("(?s).*\nrtt min/avg/max/mdev = [\\d.]+/[\\d.]+/[\\d.]+/[\\d.]+ ms\nrtt median/p99 = [\\d.]+/[\\d.]+ ms\n"), o);
        assertEquals("", err.toString());
    }

    /** Until stopped (as Ctrl-C does), with --stats-interval: the NIC's counters come while it runs, the summary at the end. */
    @Test void statsIntervalPrintsTheCountersWhileItRuns() throws Exception {
        rig = new VrcPingTestRig();
        VrcCommand.connector = rig.connector();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        VrcPingCommand ping = cl.getSubcommands().get("vrc").getSubcommands().get("ping").getCommand();
        var exit = java.util.concurrent.CompletableFuture.supplyAsync(() -> cl.execute("vrc", "--iface", "t", "ping", "01:00.0", "10.0.0.2",
                "-i", "0.05", "--source", "10.0.0.1", "--stats-interval", "100ms"));
        Await.until(() -> out.toString().matches("(?s).*\\n01:00\\.0: tx \\d+ frames \\d+ bytes .*rx \\d+ frames.*") || exit.isDone(),
                "a counter line while the ping runs");
        ping.stop();
        assertEquals(0, exit.get(20, java.util.concurrent.TimeUnit.SECONDS), err.toString());
        assertTrue(out.toString().contains("packets transmitted"), out.toString());
    }

    @Test void withoutSourceAnAddressInTheDestinationsSubnetIsUsedAndSaid() {
        assertEquals(0, run("vrc", "--iface", "t", "ping", "01:00.0", "10.0.0.2", "-c", "1", "-s", "1000"), err.toString());
        assertTrue(err.toString().contains("no --source given; using 10.0.0.254"), err.toString());
        assertTrue(out.toString().contains("1008 bytes from 10.0.0.2: icmp_seq=1"), out.toString());
        assertEquals("10.0.0.253", VrcPingCommand.defaultSource(dev.vpcie.vrc.nic.packet.Ipv4Address.parse("10.0.0.254")).toString());
    }

    @Test void nobodyAnsweringIsExitOneWithTheReason() {
        assertEquals(1, run("vrc", "--iface", "t", "ping", "01:00.0", "10.0.0.9", "-c", "1", "--source", "10.0.0.1"));
        assertTrue(err.toString().contains("no ARP reply from 10.0.0.9 after 3 request(s) from 10.0.0.1"), err.toString());
    }

    @Test void badArgumentsAreUsageErrors() {
        String[][] cases = {
            {"10.0.0.300"}, {"10.0.0.2", "-s", "4"}, {"10.0.0.2", "-t", "0"}, {"10.0.0.2", "--source-mac", "01:00:5e:00:00:01"},
            {"10.0.0.2", "--mtu", "100"}, {"10.0.0.2", "--driver", "rtl8139"}, {"255.255.255.255"}, {"10.0.0.2", "-i", "-1"},
            {"10.0.0.2", "--queues", "9"},
        };
        for (String[] c : cases) {
            java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("vrc", "--iface", "t", "ping", "01:00.0"));
            args.addAll(java.util.List.of(c));
            assertEquals(2, run(args.toArray(String[]::new)), args + ": " + err);
        }
    }

    @Test void aFunctionThatIsNoNicIsRefused() {
        assertEquals(2, run("vrc", "--iface", "t", "ping", "01:01.0", "10.0.0.2", "-c", "1"));
        assertTrue(err.toString().contains("no function 01:01.0"), err.toString());
    }
}
