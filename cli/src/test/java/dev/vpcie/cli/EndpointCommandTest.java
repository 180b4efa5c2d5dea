package dev.vpcie.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.testsupport.Await;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class EndpointCommandTest {
    private final StringWriter out = new StringWriter(), err = new StringWriter();
    private volatile EndpointTestNetwork network;
    private CommandLine cl;

    private CommandLine commandLine() {
        EndpointCommand.networks = o -> network = new EndpointTestNetwork(o);
        cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl;
    }

    private int run(String... args) { return commandLine().execute(args); }

    @AfterEach void restore() { EndpointCommand.networks = EndpointNetworks::open; }

    @Test void unknownDeviceListsTheKnownOnes() {
        assertEquals(2, run("endpoint", "--iface", "veth9", "--device", "e1001"));
        assertTrue(err.toString().contains("unknown device 'e1001'") && err.toString().contains("dmatest"), err.toString());
        assertNull(network, "nothing was opened");
    }

    @Test void aDeviceIsRequired() {
        assertEquals(2, run("endpoint", "--iface", "veth9"));
        assertTrue(err.toString().contains("at least one --device"), err.toString());
    }

    @Test void badOptionsAreUsageErrors() {
        assertEquals(2, run("endpoint", "--iface", "veth9", "--device", "dmatest", "--group", "4095"));
        assertTrue(err.toString().contains("--group must be 0..4094"), err.toString());
        assertEquals(2, run("endpoint", "--device", "dmatest"));
        assertTrue(err.toString().contains("--iface is required"), err.toString());
        assertEquals(2, run("endpoint", "--iface", "veth9", "--device", "dmatest", "--transport", "carrier-pigeon"));
        assertEquals(2, run("endpoint", "--transport", "udp", "--udp-listen", "0.0.0.0", "--udp-peer", "10.0.0.1:4791", "--device", "dmatest"));
        assertTrue(err.toString().contains("--udp-listen must be HOST:PORT"), err.toString());
        assertEquals(2, run("endpoint", "--iface", "veth9", "--device", "dmatest", "--bogus"));
        assertEquals(2, run("endpoint", "--iface", "veth9", "--device", "dmatest", "--agents", "0"));
        assertEquals(2, run("endpoint", "--iface", "veth9", "--device", "dmatest", "--agents", "9"));
    }

    @Test void missingInterfaceNamesTheOnesThatExist() {
        EndpointCommand.networks = EndpointNetworks::open;
        CommandLine c = Main.commandLine();
        c.setOut(new PrintWriter(out, true));
        c.setErr(new PrintWriter(err, true));
        assertEquals(2, c.execute("endpoint", "--iface", "nosuchif0", "--device", "dmatest"));
        assertTrue(err.toString().contains("no network interface 'nosuchif0'") && err.toString().contains("lo"), err.toString());
    }

    @Test void listDevices() {
        assertEquals(0, run("endpoint", "--list-devices"));
        assertTrue(out.toString().startsWith("dmatest "), out.toString());
    }

    @Test void statusLinesForReadyUpDownAndRefusedThenCleanShutdown() throws Exception {
        CommandLine c = commandLine();
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> c.execute("endpoint", "--iface", "veth9", "--group", "7",
                "--device", "dmatest", "--device", "dmatest"));
        Await.until(() -> out.toString().contains("endpoint ready"), "ready");
        assertTrue(out.toString().contains("endpoint ready on test:veth9 group 7: 00.0 dmatest [1af4:10f0] class 088000, "
                + "00.1 dmatest [1af4:10f0] class 088000; waiting for a VRC"), out.toString());
        assertTrue(network.endpoint.announcement().contains("owner=none"), network.endpoint.announcement());

        EndpointTestNetwork.Port vrc = network.open("02:00:00:00:00:01/1");
        vrc.up(0x3f2a);
        assertTrue(out.toString().contains("link up: VRC 02:00:00:00:00:01/1  epoch 0000000000003f2a  devices: 00.0 dmatest"), out.toString());
        assertTrue(network.endpoint.announcement().contains("owner=02:00:00:00:00:01/1"), network.endpoint.announcement());

        assertNull(network.open("02:00:00:00:00:09/1"), "a second VRC is refused while the first owns the endpoint");

        vrc.down("peer silent for 1 s");
        assertTrue(out.toString().contains("link down: VRC 02:00:00:00:00:01/1 (peer silent for 1 s); devices reset"), out.toString());

        ((EndpointCommand) c.getSubcommands().get("endpoint").getCommand()).stop();
        assertEquals(0, exit.get(10, TimeUnit.SECONDS), err.toString());
        assertTrue(out.toString().endsWith("endpoint stopped" + System.lineSeparator()), out.toString());
        assertTrue(network.closed, "the network is closed on the way out");
    }

    @Test void identitiesEachHaveTheirInstanceFunctionsAndOwner() throws Exception {
        java.util.List<EndpointTestNetwork> opened = new java.util.concurrent.CopyOnWriteArrayList<>();
        CommandLine c = commandLine();
        EndpointCommand.networks = o -> {
            EndpointTestNetwork n = new EndpointTestNetwork(o);
            opened.add(n);
            return n;
        };
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> c.execute("endpoint", "--iface", "veth9", "--group", "7",
                "--identities", "3", "--instance", "5", "--device", "dmatest"));
        Await.until(() -> out.toString().contains("more identities"), "ready");
        assertEquals(java.util.List.of(5, 6, 7), opened.stream().map(n -> n.options.instance()).toList());
        assertTrue(out.toString().contains("and 2 more identities with the same functions: instances 6..7"), out.toString());
        assertTrue(opened.get(0).endpoint != opened.get(1).endpoint && opened.get(1).endpoint != opened.get(2).endpoint);
        assertTrue(opened.get(0).endpoint.functions().getFirst().function() != opened.get(1).endpoint.functions().getFirst().function(),
                "each identity has its own functions");

        EndpointTestNetwork.Port vrc = opened.get(1).open("02:00:00:00:00:01/1");
        vrc.up(0x3f2a);
        assertTrue(out.toString().contains("link up (instance 6): VRC 02:00:00:00:00:01/1"), out.toString());
        assertTrue(opened.get(0).endpoint.announcement().contains("owner=none"), "the other identities stay free");
        assertTrue(opened.get(2).open("02:00:00:00:00:09/1") != null, "another VRC takes another identity");

        ((EndpointCommand) c.getSubcommands().get("endpoint").getCommand()).stop();
        assertEquals(0, exit.get(10, TimeUnit.SECONDS), err.toString());
        assertTrue(opened.stream().allMatch(n -> n.closed), "every identity's network is closed on the way out");
    }

    @Test void identitiesShareOneInterfaceWithoutWires() {
        assertEquals(2, run("endpoint", "--iface", "veth9", "--identities", "2", "--device", "igb", "--wire", "veth8"));
        assertTrue(err.toString().contains("--identities 2 cannot go with a NIC"), err.toString());
        assertEquals(2, run("endpoint", "--transport", "udp", "--udp-listen", "127.0.0.1:4791", "--udp-peer", "127.0.0.1:4792",
                "--identities", "2", "--device", "dmatest"));
        assertTrue(err.toString().contains("cannot go with --transport udp"), err.toString());
        assertEquals(2, run("endpoint", "--iface", "veth9", "--identities", "256", "--device", "dmatest"));
        assertEquals(2, run("endpoint", "--iface", "veth9", "--instance", "65535", "--device", "dmatest"));
        assertEquals(2, run("endpoint", "--iface", "veth9", "--instance", "65530", "--identities", "6", "--device", "dmatest"));
        assertNull(network, "nothing was opened");
    }
}
