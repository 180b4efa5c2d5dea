package dev.vpcie.endpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.devices.spi.EthernetPort;
import dev.vpcie.endpoint.wire.InterfaceWire;
import dev.vpcie.protocol.agent.AgentLoop;
import dev.vpcie.protocol.agent.AgentWork;
import dev.vpcie.protocol.transport.AfPacketTransport;
import dev.vpcie.protocol.transport.MacAddress;
import dev.vpcie.testsupport.Await;
import dev.vpcie.testsupport.netns.VethTestbedExtension;
import java.io.IOException;
import java.time.Duration;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A NIC's interface wire on the endpoint's agent loop, against a real veth pair between two
 * namespaces (root only; skipped with a message otherwise): frames come off the socket in batches
 * and reach the device on the loop's thread complete and in order, and what the device sends during
 * a duty cycle is on the veth before the next cycle begins.
 */
class WireOnTheLoopVethTest {
    private static final int ETHERTYPE = 0x88B5;
    private static final MacAddress NIC_MAC = MacAddress.parse("02:00:00:00:77:02");
    @RegisterExtension static final VethTestbedExtension testbed = VethTestbedExtension.of("wloop", "wire on the agent loop over veth");
    private final List<byte[]> received = new CopyOnWriteArrayList<>();
    private final List<String> receiverThreads = new CopyOnWriteArrayList<>();
    /** Bytes the device takes before it says no (flow control); each frame it receives uses its length. */
    private final AtomicLong room = new AtomicLong(Long.MAX_VALUE / 2);
    private InterfaceWire wire;
    private Endpoint endpoint;
    private AfPacketTransport peer;

    @BeforeAll
    static void withoutIpv6() throws IOException {
        testbed.get().disableIpv6();
    }

    @BeforeEach
    void start() throws IOException {
        wire = testbed.a().call(() -> InterfaceWire.afPacket(testbed.interfaceA()));
        endpoint = Endpoint.builder().function(new TestFunction(), List.of(wire)).build();
        wire.setReceiver(new EthernetPort.FrameReceiver() {
            @Override public void receive(ByteBuffer frame) {
                receiverThreads.add(Thread.currentThread().getName());
                room.addAndGet(-frame.remaining());
                byte[] copy = new byte[frame.remaining()];
                frame.get(copy);
                if (((copy[12] & 0xFF) << 8 | copy[13] & 0xFF) == ETHERTYPE) received.add(copy);
            }

            @Override public boolean accepts(int frames, int bytes) { return bytes <= room.get(); }
        });
        wire.start(endpoint.function(0));
        peer = testbed.b().call(() -> AfPacketTransport.open(testbed.interfaceB(), ETHERTYPE));
    }

    @AfterEach
    void stop() {
        if (endpoint != null) endpoint.close();
        if (wire != null) wire.close();
        if (peer != null) peer.close();
    }

    private static byte[] frame(MacAddress dst, MacAddress src, int length, int seq) {
        byte[] f = new byte[length];
        dst.write(f, 0);
        src.write(f, 6);
        f[12] = (byte) (ETHERTYPE >>> 8);
        f[13] = (byte) ETHERTYPE;
        f[14] = (byte) (seq >>> 8);
        f[15] = (byte) seq;
        for (int i = 16; i < length; i++) f[i] = (byte) (seq * 7 + i);
        return f;
    }

    @Test
    void aBurstLargerThanABatchReachesTheDeviceCompleteAndInOrderOnTheLoop() throws Exception {
        int burst = 5 * AfPacketTransport.RX_BATCH + 3;
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < burst; i++) {
            byte[] f = frame(NIC_MAC, peer.address(), 60 + (i * 37) % 1400, i);
            sent.add(f);
            peer.queue(ByteBuffer.wrap(f));
        }
        peer.flush();
        Await.until(() -> received.size() >= burst, burst + " frames reach the device");
        assertEquals(burst, received.size());
        for (int i = 0; i < burst; i++) assertArrayEquals(sent.get(i), received.get(i), "frame " + i);
        String loopThread = endpoint.loop().name();
        assertTrue(receiverThreads.stream().allMatch(loopThread::equals), "the device hears its wire on the loop's thread");
        assertTrue(wire.counters().framesIn() >= burst);
    }

    @Test
    void whatTheDeviceSendsInACycleIsOnTheVethBeforeTheNextCycleBegins() throws Exception {
        AgentLoop loop = endpoint.loop();
        int frames = 100; // more than one send batch (64): the first 64 leave when it fills, the rest at the end
        AtomicLong sentInCycle = new AtomicLong(-1), outAtNextCycle = new AtomicLong(-1);
        AgentWork probe = nowNs -> {
            if (sentInCycle.get() >= 0 && outAtNextCycle.get() < 0 && loop.cycles() > sentInCycle.get())
                outAtNextCycle.set(wire.counters().framesOut());
            return 0;
        };
        loop.add(probe);
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < frames; i++) sent.add(frame(peer.address(), NIC_MAC, 64 + 9 * i, i));
        loop.call(() -> {
            for (byte[] f : sent) assertTrue(wire.send(ByteBuffer.wrap(f)));
            sentInCycle.set(loop.cycles());
            return null;
        }).get(10, TimeUnit.SECONDS);
        Await.until(() -> outAtNextCycle.get() >= 0, "the loop's next cycle");
        assertEquals(frames, outAtNextCycle.get(), "every frame sent during the cycle had left when the next one began");

        ByteBuffer dst = ByteBuffer.allocate(2048);
        for (int i = 0; i < frames; i++) {
            int n = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (n == 0 && System.nanoTime() < deadline) n = peer.receive(dst, 100_000_000L);
            assertArrayEquals(sent.get(i), Arrays.copyOf(dst.array(), n), "frame " + i + " on the veth, in order");
        }
        assertEquals(0, wire.counters().droppedOut());
    }

    private List<byte[]> sendBurst(int burst, int length) throws IOException {
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < burst; i++) {
            byte[] f = frame(NIC_MAC, peer.address(), length, i);
            sent.add(f);
            peer.queue(ByteBuffer.wrap(f));
        }
        peer.flush();
        return sent;
    }

    private void assertReceivedInOrder(List<byte[]> sent) throws Exception {
        Await.until(() -> received.size() >= sent.size(), sent.size() + " frames reach the device");
        assertEquals(sent.size(), received.size(), "each once");
        for (int i = 0; i < sent.size(); i++) assertArrayEquals(sent.get(i), received.get(i), "frame " + i + " in order");
        assertEquals(0, wire.counters().droppedIn(), "nothing the wire read was lost");
    }

    @Test
    void aDeviceWithoutRoomHoldsTheWireWhoseLoopThenBlocksAndLaterGetsEverythingInOrder() throws Exception {
        AgentLoop loop = endpoint.loop();
        loop.call(() -> {
            room.set(0);
            return null;
        }).get(10, TimeUnit.SECONDS);
        List<byte[]> sent = sendBurst(3 * AfPacketTransport.RX_BATCH, 600);
        long blocks = loop.blocks();
        Await.until(() -> loop.blocks() > blocks + 1, "the loop blocks with the socket readable");
        long cpuBefore = loop.cpuTimeNs();
        long wallBefore = System.nanoTime();
        new CountDownLatch(1).await(300, TimeUnit.MILLISECONDS); // paused time passing, nothing waited for
        long cpu = loop.cpuTimeNs() - cpuBefore;
        long wall = System.nanoTime() - wallBefore;
        assertTrue(cpu < wall / 10, "paused, the loop used " + Duration.ofNanos(cpu) + " of CPU in " + Duration.ofNanos(wall));
        assertTrue(received.isEmpty(), "nothing reached a device without room");

        loop.execute(() -> room.set(Long.MAX_VALUE / 2)); // room comes back on the loop, as link traffic brings it
        assertReceivedInOrder(sent);
    }

    @Test
    void roomThatComesBackAFewFramesAtATimeLetsTheBatchGoOnWhereItStopped() throws Exception {
        AgentLoop loop = endpoint.loop();
        int length = 1000;
        loop.call(() -> {
            room.set(5L * length);
            return null;
        }).get(10, TimeUnit.SECONDS);
        List<byte[]> sent = sendBurst(4 * AfPacketTransport.RX_BATCH + 5, length);
        Await.until(() -> {
            loop.execute(() -> room.set(Math.max(room.get(), 0) + 3L * length)); // a few descriptors at a time
            return received.size() >= sent.size();
        }, sent.size() + " frames reach the device");
        assertReceivedInOrder(sent);
    }
}
