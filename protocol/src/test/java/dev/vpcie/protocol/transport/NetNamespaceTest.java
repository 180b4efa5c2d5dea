package dev.vpcie.protocol.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.testsupport.netns.Command;
import dev.vpcie.testsupport.netns.FrameLoss;
import dev.vpcie.testsupport.netns.NetNamespace;
import dev.vpcie.testsupport.netns.VethPair;
import dev.vpcie.testsupport.netns.VethTestbed;
import dev.vpcie.testsupport.netns.VethTestbedExtension;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The namespace harness of test-support with the protocol's own transports and devices inside it. */
class NetNamespaceTest {
    @RegisterExtension
    static final VethTestbedExtension testbed = VethTestbedExtension.of("ns", "namespace harness tests");

    @Test
    void callRunsTheThreadInsideAndBringsItBack() throws IOException {
        NetDevice inside = testbed.a().call(() -> NetDevice.lookup(testbed.interfaceA()));
        assertEquals(testbed.interfaceA(), inside.name());
        assertThrows(NetDevice.NoSuchInterfaceException.class, () -> NetDevice.lookup(testbed.interfaceA()), "back home");
        assertThrows(NetDevice.NoSuchInterfaceException.class, () -> testbed.b().call(() -> NetDevice.lookup(testbed.interfaceA())));
    }

    @Test
    void theThreadComesBackEvenWhenTheTaskThrows() {
        assertThrows(IllegalStateException.class, () -> testbed.a().call(() -> {
            throw new IllegalStateException("task failed");
        }));
        assertThrows(NetDevice.NoSuchInterfaceException.class, () -> NetDevice.lookup(testbed.interfaceA()));
    }

    @Test
    void aVirtualThreadIsRefused() throws InterruptedException {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread.ofVirtual().start(() -> {
            try {
                testbed.a().call(() -> null);
            } catch (Throwable t) {
                thrown.set(t);
            }
        }).join();
        assertInstanceOf(IllegalStateException.class, thrown.get());
    }

    @Test
    void withoutCapSysAdminTheErrorSaysItNeedsRoot() throws InterruptedException {
        Throwable e = ThreadCapabilities.withoutCapability(ThreadCapabilities.CAP_SYS_ADMIN, () -> testbed.a().call(() -> null));
        assertInstanceOf(IOException.class, e);
        assertTrue(e.getMessage().startsWith("entering a network namespace needs root (CAP_SYS_ADMIN): setns(/var/run/netns/"), e.getMessage());
    }

    @Test
    void namesAreUniqueAndCloseDeletesTheNamespace() throws IOException {
        NetNamespace one = NetNamespace.create("t");
        NetNamespace two = NetNamespace.create("t");
        try {
            assertNotEquals(one.name(), two.name());
            assertTrue(one.name().startsWith("vpcie-t-" + ProcessHandle.current().pid() + "-"), one.name());
            assertTrue(Command.run("ip", "netns", "list").contains(one.name()));
        } finally {
            one.close();
            two.close();
        }
        assertFalse(Command.run("ip", "netns", "list").contains(one.name()));
        one.close(); // twice is harmless
    }

    @Test
    void execRunsAProgramInsideAndReportsFailuresWithStderr() throws IOException {
        assertTrue(testbed.b().exec("ip", "-br", "link").contains(testbed.interfaceB()));
        IOException e = assertThrows(IOException.class, () -> testbed.a().exec("ip", "link", "show", "vpnosuch9"));
        assertTrue(e.getMessage().contains("failed (exit 1)") && e.getMessage().contains("vpnosuch9"), e.getMessage());
    }

    @Test
    void theVethCarriesIpBetweenTheNamespaces() throws IOException {
        String out = testbed.a().exec("ping", "-c", "1", "-W", "5", VethTestbed.ADDRESS_B);
        assertTrue(out.contains("1 received"), out);
    }

    @Test
    void egressLossDropsFramesBeforeThePeerSeesThemAndCountsThem() throws IOException {
        try (FrameTransport a = testbed.a().call(() -> AfPacketTransport.open(testbed.interfaceA(), 0x88B5));
             FrameTransport b = testbed.b().call(() -> AfPacketTransport.open(testbed.interfaceB(), 0x88B5));
             FrameLoss loss = testbed.a().dropEgress(testbed.interfaceA(), 100)) {
            byte[] frame = new byte[60];
            b.address().write(frame, 0);
            a.address().write(frame, 6);
            frame[12] = (byte) 0x88;
            frame[13] = (byte) 0xB5;
            for (int i = 0; i < 10; i++) a.send(ByteBuffer.wrap(frame));
            assertTrue(loss.dropped() >= 10, "dropped " + loss.dropped());
            assertEquals(100, loss.percent());
            loss.percent(0);
            assertEquals(0, loss.percent());
            frame[20] = 42;
            a.send(ByteBuffer.wrap(frame));
            ByteBuffer dst = ByteBuffer.allocate(100);
            int n = 0;
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (n == 0 && System.nanoTime() - deadline < 0) n = b.receive(dst, 100_000_000L);
            assertEquals(60, n);
            assertEquals(42, dst.get(20), "the first frame through is the one sent after the loss was lifted");
        }
    }

    @Test
    void aLossOutsideZeroToHundredPercentIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> testbed.a().dropEgress(testbed.interfaceA(), 101));
        assertThrows(IllegalArgumentException.class, () -> testbed.a().dropEgress(testbed.interfaceA(), -1));
    }

    /**
     * An egress drop happens inside the sender's own transmit call, so sendto() fails with ENOBUFS
     * and ping sends the same echo request again later: every ping may get through while the rule
     * counts about one drop per ping (45 and 66 drops for 40 pings, all 40 received, in two runs by
     * hand; 50 in a CI run). So the test asserts what partial loss means, some frames dropped and
     * some through, not a count.
     */
    @Test
    void partialLossDropsSomeOfThePings() throws IOException {
        // Permanent neighbour entries on both ends, so no ARP crosses the lossy egress: A's requests, or
        // its replies to B's requests, were dropped as well, and then no echo reply came back at all
        // (40 transmitted, 0 received; once with +12 errors, host unreachable).
        MacAddress a = testbed.a().call(() -> NetDevice.lookup(testbed.interfaceA())).mac();
        MacAddress b = testbed.b().call(() -> NetDevice.lookup(testbed.interfaceB())).mac();
        testbed.a().ip("neigh", "replace", VethTestbed.ADDRESS_B, "lladdr", b.toString(), "dev", testbed.interfaceA(), "nud", "permanent");
        testbed.b().ip("neigh", "replace", VethTestbed.ADDRESS_A, "lladdr", a.toString(), "dev", testbed.interfaceB(), "nud", "permanent");
        try (FrameLoss loss = testbed.a().dropEgress(testbed.interfaceA(), 50)) {
            Command.Result r = Command.tryRun(null, testbed.a().command(
                    java.util.List.of("ping", "-q", "-c", "40", "-i", "0.002", "-W", "1", VethTestbed.ADDRESS_B)));
            java.util.regex.Matcher received = java.util.regex.Pattern.compile("(\\d+) received").matcher(r.stdout());
            assertTrue(received.find(), "ping's summary\n" + r.stdout() + r.stderr());
            long dropped = loss.dropped();
            assertTrue(dropped > 0, "dropped " + dropped + "\n" + r.stdout());
            assertTrue(Integer.parseInt(received.group(1)) > 0, "nothing got through a 50 % loss\n" + r.stdout());
        }
    }

    @Test
    void vethPairsGetMtuAndMacs() throws IOException {
        try (VethPair pair = VethPair.create(testbed.a(), testbed.b())) {
            pair.mtu(9000).macs("02:00:00:00:aa:01", "02:00:00:00:aa:02");
            NetDevice a = testbed.a().call(() -> NetDevice.lookup(pair.nameA()));
            assertEquals(9000, a.mtu());
            assertArrayEquals(MacAddress.parse("02:00:00:00:aa:01").toBytes(), a.mac().toBytes());
            assertTrue(pair.nameA().length() <= NetDevice.MAX_NAME && pair.nameB().length() <= NetDevice.MAX_NAME);
        }
    }
}
