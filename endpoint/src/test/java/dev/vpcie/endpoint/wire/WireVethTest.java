package dev.vpcie.endpoint.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.vpcie.devices.nic.MacAddress;
import dev.vpcie.protocol.transport.AfPacketTransport;
import dev.vpcie.protocol.transport.FrameTransport;
import dev.vpcie.protocol.transport.PcapTransport;
import dev.vpcie.testsupport.Await;
import dev.vpcie.testsupport.netns.NetNamespace;
import dev.vpcie.testsupport.netns.VethTestbed;
import dev.vpcie.testsupport.netns.VethTestbedExtension;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The interface and TAP wires against real kernel interfaces in network namespaces this class
 * creates (root only; skipped with a message otherwise). A single-thread executor stands in for
 * the function's thread.
 */
class WireVethTest {
    private static final MacAddress NIC_MAC = MacAddress.parse("02:00:00:00:77:01");
    @RegisterExtension static final VethTestbedExtension testbed = VethTestbedExtension.of("wire", "wire tests over veth");
    private final ExecutorService functionThread = Executors.newSingleThreadExecutor(r -> new Thread(r, "function"));
    private final LinkedBlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
    private final LinkedBlockingQueue<Boolean> linkChanges = new LinkedBlockingQueue<>();
    private volatile String receiverThread;
    private Wire wire;
    private FrameTransport peer;

    @BeforeAll
    static void withoutIpv6() throws IOException {
        // No IPv6 on the testbed: the kernels' own IPv6 chatter (MLD reports, neighbour and router
        // solicitations, again each time a test takes the link down and up) reaches the NIC's wire
        // like any multicast, between the frames a test sends and in the counters it checks. A 90-byte
        // MLDv2 report arrived in pcapCarriesFramesToo instead of the 100-byte frame it sent.
        testbed.get().disableIpv6();
    }

    @AfterEach
    void close() {
        if (wire != null) wire.close();
        if (peer != null) peer.close();
        functionThread.shutdownNow();
    }

    private void start(Wire w) {
        wire = w;
        w.setReceiver(frame -> {
            receiverThread = Thread.currentThread().getName();
            byte[] copy = new byte[frame.remaining()];
            frame.get(copy);
            received.add(copy);
        });
        w.setLinkListener(linkChanges::add);
        w.start(functionThread);
    }

    private byte[] next() throws InterruptedException {
        byte[] f = received.poll(10, TimeUnit.SECONDS);
        if (f == null) fail("no frame reached the device within 10 s");
        return f;
    }

    private static byte[] frame(MacAddress dst, MacAddress src, int etherType, int length, int seed) {
        byte[] f = new byte[length];
        dst.write(f, 0);
        src.write(f, 6);
        f[12] = (byte) (etherType >>> 8);
        f[13] = (byte) etherType;
        for (int i = 14; i < length; i++) f[i] = (byte) (seed + i);
        return f;
    }

    private MacAddress peerMac() { return MacAddress.parse(peer.address().toString()); }

    @Test
    void framesForTheNicsOwnAddressCrossBothWaysOnTheFunctionThread() throws Exception {
        start(testbed.a().call(() -> InterfaceWire.afPacket(testbed.interfaceA())));
        peer = testbed.b().call(() -> AfPacketTransport.open(testbed.interfaceB(), 0x88B5));
        List<byte[]> sent = List.of(frame(NIC_MAC, peerMac(), 0x0800, 60, 1), frame(NIC_MAC, peerMac(), 0x86DD, 1514, 2),
                frame(MacAddress.BROADCAST, peerMac(), 0x0806, 60, 3));
        for (byte[] f : sent) peer.send(ByteBuffer.wrap(f));
        for (byte[] f : sent) assertArrayEquals(f, next());
        assertEquals("function", receiverThread, "the device hears its wire on its own thread");

        byte[] out = frame(peerMac(), NIC_MAC, 0x88B5, 200, 4);
        CompletableFuture<Boolean> accepted = CompletableFuture.supplyAsync(() -> wire.send(ByteBuffer.wrap(out)), functionThread);
        assertTrue(accepted.get(10, TimeUnit.SECONDS));
        ByteBuffer dst = ByteBuffer.allocate(2000);
        int n = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (n == 0 && System.nanoTime() < deadline) n = peer.receive(dst, 100_000_000L);
        assertArrayEquals(out, Arrays.copyOf(dst.array(), n), "the NIC's frame, with the NIC's source address, came out");
        WireCounters c = wire.counters();
        assertEquals(3, c.framesIn());
        assertEquals(1, c.framesOut());
        assertEquals(1514 + 4, wire.maxFrameSize(), "MTU 1500 plus header and a VLAN tag");
    }

    @Test
    void pcapCarriesFramesToo() throws Exception {
        Assumptions.assumeTrue(PcapTransport.libraryVersion().isPresent(), "pcap wire test skipped: libpcap is not installed");
        start(testbed.a().call(() -> InterfaceWire.pcap(testbed.interfaceA())));
        peer = testbed.b().call(() -> AfPacketTransport.open(testbed.interfaceB(), 0x88B5));
        byte[] in = frame(NIC_MAC, peerMac(), 0x0800, 100, 5);
        peer.send(ByteBuffer.wrap(in));
        assertArrayEquals(in, next());
        assertTrue(wire.linkUp(), "pcap cannot see the carrier: taken as up");
    }

    @Test
    void theLinkFollowsTheCarrierOnTheFunctionThread() throws Exception {
        start(testbed.a().call(() -> InterfaceWire.afPacket(testbed.interfaceA())));
        assertTrue(wire.linkUp());
        testbed.b().ip("link", "set", testbed.interfaceB(), "down");
        try {
            assertEquals(Boolean.FALSE, linkChanges.poll(10, TimeUnit.SECONDS), "carrier lost");
            assertFalse(wire.linkUp());
        } finally {
            testbed.b().ip("link", "set", testbed.interfaceB(), "up");
        }
        assertEquals(Boolean.TRUE, linkChanges.poll(10, TimeUnit.SECONDS), "carrier back");
        assertTrue(wire.linkUp());
    }

    @Test
    void aSegmentTheSendingStackLeftUnfinishedReachesTheNicComplete() throws Exception {
        start(testbed.a().call(() -> InterfaceWire.afPacket(testbed.interfaceA())));
        // The kernel in b opens a TCP connection over the veth, which offers checksum offload: its
        // SYN leaves with the checksum to be filled in by "hardware", which the wire does.
        CompletableFuture<Void> connect = CompletableFuture.runAsync(() -> {
            try {
                testbed.b().call(() -> {
                    try (Socket s = new Socket()) {
                        s.connect(new InetSocketAddress(VethTestbed.ADDRESS_A, 9), 2000);
                    } catch (IOException refusedOrTimedOut) {
                        // the SYN was sent either way
                    }
                    return null;
                });
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            byte[] f = next();
            if (f.length < 54 || (f[12] & 0xFF) != 0x08 || f[13] != 0 || f[23] != 6) continue;
            assertTrue(Packets.tcpChecksumsVerify(f, 14 + ((f[16] & 0xFF) << 8 | f[17] & 0xFF), 14, false), "the SYN's checksum verifies");
            assertTrue(wire.counters().offloadsDone() >= 1);
            connect.join();
            return;
        }
        fail("no TCP segment arrived");
    }

    @Test
    void framesSentAfterCloseAreDroppedAndCounted() throws Exception {
        start(testbed.a().call(() -> InterfaceWire.afPacket(testbed.interfaceA())));
        wire.close();
        assertFalse(wire.linkUp());
        assertFalse(wire.send(ByteBuffer.wrap(frame(MacAddress.BROADCAST, NIC_MAC, 0x0800, 60, 6))));
        assertEquals(1, wire.counters().droppedOut());
    }

    @Test
    void theSystemPingReachesAnEchoPeerBehindATapWire() throws Exception {
        NetNamespace ns = testbed.a();
        String name = "vtw" + ProcessHandle.current().pid() % 100000;
        EchoPeer echo = new EchoPeer(NIC_MAC, EchoPeerWire.parseAddress("10.77.9.2"));
        TapWire tap = ns.call(() -> TapWire.create(name, null));
        start(tap);
        // The far end of the TAP's cable is a NIC that answers ARP and ping, driven from here.
        tap.setReceiver(frame -> {
            byte[] copy = new byte[frame.remaining()];
            frame.get(copy);
            echo.answer(copy, copy.length).ifPresent(reply -> tap.send(ByteBuffer.wrap(reply)));
        });
        ns.ip("addr", "add", "10.77.9.1/24", "dev", name);
        ns.ip("link", "set", name, "up");
        // -w: wait for all three replies (up to 20 s); without it ping gives the last one about two round trips.
        String ping = ns.exec("ping", "-c", "3", "-i", "0.2", "-w", "20", "10.77.9.2");
        assertTrue(ping.contains("3 packets transmitted, 3 received"), ping);
        // The last reply can reach ping before the function thread, back from its write, counts it.
        Await.until(() -> tap.counters().framesIn() >= 4 && tap.counters().framesOut() >= 4, "ARP and three pings each way, counted");
        tap.close();
        Await.until(() -> !ns.ip("link", "show").contains(name), "the TAP is gone after close");
    }
}
