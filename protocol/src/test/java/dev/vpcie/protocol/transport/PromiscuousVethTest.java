package dev.vpcie.protocol.transport;

import static dev.vpcie.protocol.transport.Frames.frame;
import static dev.vpcie.protocol.transport.Frames.receive;
import static dev.vpcie.protocol.transport.Frames.send;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.vpcie.testsupport.Await;
import dev.vpcie.testsupport.netns.VethTestbed;
import dev.vpcie.testsupport.netns.VethTestbedExtension;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The promiscuous kind of AF_PACKET and pcap transport, as an emulated NIC's wire uses it, over a
 * veth pair between two namespaces (root only; skipped with a message otherwise): every EtherType
 * and every destination arrives, our own transmissions do not, a stripped VLAN tag is put back, the
 * carrier follows the far end, and what the sending kernel left undone in a frame is reported.
 */
class PromiscuousVethTest {
    private static final MacAddress STRANGER = MacAddress.parse("02:00:00:00:be:ef");
    @RegisterExtension
    static final VethTestbedExtension testbed = VethTestbedExtension.of("pr", "promiscuous transport tests");
    private FrameTransport wire, peer;

    @AfterEach
    void close() {
        if (wire != null) wire.close();
        if (peer != null) peer.close();
    }

    private void openAfPacket() throws IOException {
        wire = testbed.a().call(() -> AfPacketTransport.openPromiscuous(testbed.interfaceA(), AfPacketTransport.Options.DEFAULT));
        peer = testbed.b().call(() -> AfPacketTransport.openPromiscuous(testbed.interfaceB(), AfPacketTransport.Options.DEFAULT));
    }

    /**
     * Frames for another station, of other EtherTypes, tagged and not, then the far end's own: all
     * but our own arrive, in order. The kernels' own chatter on a fresh link (IPv6 neighbour
     * discovery, MLD) arrives as well, and is skipped.
     */
    private void everyFrameButOurOwnArrives() throws IOException {
        byte[][] frames = {
                frame(STRANGER, peer.address(), -1, 0x0800, 46, 1),
                frame(STRANGER, peer.address(), 0x2005, 0x86DD, 100, 2),
                frame(wire.address(), peer.address(), -1, 0x88B6, 60, 3),
                frame(MacAddress.BROADCAST, STRANGER, -1, 0x0806, 46, 4),
                frame(STRANGER, peer.address(), -1, 0x0800, 1500, 5),
        };
        byte[] own = frame(STRANGER, wire.address(), -1, 0x0800, 60, 9);
        send(wire, own); // ours: must not come back to us
        for (byte[] f : frames) send(peer, f);
        int next = 0;
        while (next < frames.length) {
            byte[] got = receive(wire);
            if (Arrays.equals(got, own)) fail("our own frame came back");
            if (Arrays.equals(got, frames[next])) next++;
            else for (byte[] f : frames) if (Arrays.equals(got, f)) fail("frame " + Arrays.asList(frames).indexOf(f) + " out of order");
        }
    }

    @Test
    void afPacketDeliversEveryEtherTypeAndDestinationButNotItsOwnFrames() throws IOException {
        openAfPacket();
        everyFrameButOurOwnArrives();
        AfPacketTransport t = (AfPacketTransport) wire;
        assertTrue(t.promiscuous());
        assertEquals(OptionalInt.empty(), t.etherType());
        assertTrue(t.othersFrames() >= 3, "three unicast frames for the stranger");
        assertEquals(1, t.vlanTagsRestored());
        assertEquals(ReceiveOffload.NONE, t.lastOffload(), "frames from a packet socket are complete");
        assertEquals(0, t.offloadedFrames());
    }

    /** Takes batches off {@code t} until {@code count} frames of EtherType {@link Frames#ETHERTYPE} came (bounded wait). */
    private static List<byte[]> receiveBatched(AfPacketTransport t, int count) throws IOException {
        return receiveBatched(t, count, AfPacketTransport.Admission.ALL);
    }

    private static List<byte[]> receiveBatched(AfPacketTransport t, int count, AfPacketTransport.Admission admission) throws IOException {
        List<byte[]> got = new ArrayList<>();
        AfPacketTransport.FrameSink sink = (frames, start, length, offload) -> {
            byte[] f = new byte[length];
            frames.limit(start + length).position(start).get(f); // moved as a device may: the transport resets them

            int type = (f[12] & 0xFF) << 8 | f[13] & 0xFF;
            if (type == 0x8100) type = (f[16] & 0xFF) << 8 | f[17] & 0xFF;
            if (type == Frames.ETHERTYPE) got.add(f); // the kernels' own chatter on a fresh link is skipped
        };
        Await.until(() -> {
            t.receive(sink, AfPacketTransport.RX_BATCH, admission);
            return got.size() >= count;
        }, count + " frames received in batches");
        return got;
    }

    /**
     * Queues {@code burst} frames from the peer (frame i to {@code destination(i)}, 46 + i ×
     * {@code growth} bytes, the middle one tagged with VLAN 7) and sends them in batches of
     * sendmmsg, as the wire sends; returns them.
     */
    private List<byte[]> sendBurst(int burst, int growth, IntFunction<MacAddress> destination) throws IOException {
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < burst; i++) {
            byte[] f = frame(destination.apply(i), peer.address(), i == burst / 2 ? 0x2007 : -1, Frames.ETHERTYPE, 46 + growth * i, i);
            sent.add(f);
            peer.queue(ByteBuffer.wrap(f));
        }
        peer.flush();
        return sent;
    }

    @Test
    void aBurstLargerThanOneBatchArrivesCompleteAndInOrderATagPutBackInPlace() throws IOException {
        openAfPacket();
        int burst = 3 * AfPacketTransport.RX_BATCH + 5;
        List<byte[]> sent = sendBurst(burst, 13, i -> i % 2 == 0 ? STRANGER : wire.address());
        List<byte[]> got = receiveBatched((AfPacketTransport) wire, burst);
        assertEquals(burst, got.size());
        for (int i = 0; i < burst; i++) assertArrayEquals(sent.get(i), got.get(i), "frame " + i);
        AfPacketTransport t = (AfPacketTransport) wire;
        assertEquals(1, t.vlanTagsRestored(), "the tagged frame's tag, stripped by the kernel, is back in line");
        assertEquals(burst, ((AfPacketTransport) peer).framesSent());
        assertTrue(((AfPacketTransport) peer).sendBatches() <= 2 + burst / AfPacketTransport.TX_BATCH, "queued frames leave in batches");
    }

    @Test
    void aFrameNotAdmittedWaitsWithTheRestOfItsBatchAndTheNextReceiveStartsFromIt() throws IOException {
        openAfPacket();
        int burst = 2 * AfPacketTransport.RX_BATCH + 7;
        List<byte[]> sent = sendBurst(burst, 11, i -> STRANGER);
        AfPacketTransport t = (AfPacketTransport) wire;
        List<Integer> admitted = new ArrayList<>();
        int[] asked = {0};
        AfPacketTransport.Admission everyThirdRefused = (length, offload) -> {
            if (++asked[0] % 3 == 0) return false;
            admitted.add(length);
            return true;
        };
        List<byte[]> got = receiveBatched(t, burst, everyThirdRefused);
        assertEquals(burst, got.size());
        for (int i = 0; i < burst; i++) assertArrayEquals(sent.get(i), got.get(i), "frame " + i + ", once, in order");
        assertEquals(1, t.vlanTagsRestored(), "the tag of a frame held back is put back once, when it goes");
        assertTrue(admitted.contains(sent.get(burst / 2).length), "the admission is asked with the tag counted");
    }

    @Test
    void aFrameLongerThanItsSlotIsCountedAndDroppedWhileTheOthersOfItsBatchArrive() throws IOException {
        wire = testbed.a().call(() -> AfPacketTransport.openPromiscuous(testbed.interfaceA(), AfPacketTransport.Options.DEFAULT, 512));
        peer = testbed.b().call(() -> AfPacketTransport.openPromiscuous(testbed.interfaceB(), AfPacketTransport.Options.DEFAULT));
        byte[] before = frame(STRANGER, peer.address(), -1, Frames.ETHERTYPE, 100, 1);
        byte[] tooLong = frame(STRANGER, peer.address(), -1, Frames.ETHERTYPE, 1000, 2);
        byte[] after = frame(STRANGER, peer.address(), -1, Frames.ETHERTYPE, 200, 3);
        for (byte[] f : List.of(before, tooLong, after)) peer.queue(ByteBuffer.wrap(f));
        peer.flush();
        List<byte[]> got = receiveBatched((AfPacketTransport) wire, 2);
        assertArrayEquals(before, got.get(0));
        assertArrayEquals(after, got.get(1));
        assertEquals(1, ((AfPacketTransport) wire).counters().truncated(), "the long frame was counted, not delivered in part");
    }

    @Test
    void pcapDeliversEveryEtherTypeAndDestinationButNotItsOwnFrames() throws IOException {
        Assumptions.assumeTrue(PcapTransport.libraryVersion().isPresent(), "pcap test skipped: libpcap is not installed");
        wire = testbed.a().call(() -> PcapTransport.openPromiscuous(testbed.interfaceA()));
        peer = testbed.b().call(() -> AfPacketTransport.openPromiscuous(testbed.interfaceB(), AfPacketTransport.Options.DEFAULT));
        everyFrameButOurOwnArrives();
        assertEquals(OptionalInt.empty(), ((PcapTransport) wire).etherType());
        assertEquals("", ((PcapTransport) wire).filterExpression());
    }

    @Test
    void theCarrierFollowsTheFarEnd() throws IOException {
        openAfPacket();
        AfPacketTransport t = (AfPacketTransport) wire;
        assertTrue(t.carrier());
        testbed.b().ip("link", "set", testbed.interfaceB(), "down");
        try {
            // The operational state (IFF_RUNNING) follows the carrier through the kernel's link watch, a moment later.
            awaitCarrier(t, false);
        } finally {
            testbed.b().ip("link", "set", testbed.interfaceB(), "up");
        }
        awaitCarrier(t, true);
    }

    private static void awaitCarrier(AfPacketTransport t, boolean wanted) throws IOException {
        Await.until(() -> t.carrier() == wanted, "the carrier becomes " + wanted);
    }

    @Test
    void aTcpSegmentWhoseChecksumTheKernelLeftUndoneSaysSo() throws Exception {
        openAfPacket();
        // The kernel in namespace b opens a connection to a's address over the veth, which offers
        // checksum offload: its SYN reaches the packet socket with the TCP checksum not yet computed.
        CompletableFuture<Void> connect = CompletableFuture.runAsync(() -> {
            try {
                testbed.b().call(() -> {
                    try (Socket s = new Socket()) {
                        s.connect(new InetSocketAddress(VethTestbed.ADDRESS_A, 9), 2000);
                    } catch (IOException refusedOrTimedOut) {
                        // nobody listens: a refusal (RST) or a timeout, the SYN was sent either way
                    }
                    return null;
                });
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        AfPacketTransport t = (AfPacketTransport) wire;
        ByteBuffer dst = ByteBuffer.allocate(70000);
        long deadline = System.nanoTime() + Frames.WAIT_NANOS;
        while (System.nanoTime() - deadline < 0) {
            int n = t.receive(dst, 100_000_000L);
            if (n < 34 || dst.getShort(12) != 0x0800 || dst.get(23) != 6) continue; // until an IPv4 TCP segment
            ReceiveOffload o = t.lastOffload();
            assertTrue(o.needsChecksum(), "checksum left to the NIC: " + o);
            assertEquals(14 + 20, o.checksumStart(), "the TCP header follows a 20-byte IPv4 header");
            assertEquals(16, o.checksumOffset(), "TCP's checksum field");
            assertEquals(1, t.offloadedFrames());
            connect.join();
            return;
        }
        fail("no TCP segment from the kernel arrived");
    }
}
