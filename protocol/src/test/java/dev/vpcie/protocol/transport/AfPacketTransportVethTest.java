package dev.vpcie.protocol.transport;

import static dev.vpcie.protocol.transport.Frames.ETHERTYPE;
import static dev.vpcie.protocol.transport.Frames.frame;
import static dev.vpcie.protocol.transport.Frames.receive;
import static dev.vpcie.protocol.transport.Frames.send;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vpcie.testsupport.netns.NetNamespace;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class AfPacketTransportVethTest extends VethTransportContract {

    @Override FrameTransport open(NetNamespace ns, String interfaceName, String ip, String peerIp, int etherType) throws IOException {
        return ns.call(() -> AfPacketTransport.open(interfaceName, etherType));
    }

    @Test
    void theKernelSocketFilterKeepsOtherTrafficAway() throws IOException {
        send(b, frame(a.address(), b.address(), -1, 0x88B6, 60, 1));
        send(b, frame(a.address(), b.address(), GROUP_TCI, 0x88B6, 60, 2));
        send(b, frame(MacAddress.parse("02:00:00:00:be:ef"), b.address(), -1, ETHERTYPE, 60, 3));
        send(a, frame(b.address(), a.address(), -1, ETHERTYPE, 60, 4)); // our own
        byte[] wanted = frame(a.address(), b.address(), -1, ETHERTYPE, 60, 5);
        send(b, wanted);
        assertArrayEquals(wanted, receive(a));
        // Nothing reached the Java-side checks: the BPF program dropped it all in the kernel.
        assertEquals(0, ((AfPacketTransport) a).counters().filtered());
        assertEquals(1, ((AfPacketTransport) a).counters().framesReceived());
    }

    @Test
    void theKernelStripsTheTagAndTheTransportPutsItBack() throws IOException {
        byte[] tagged = frame(a.address(), b.address(), GROUP_TCI, ETHERTYPE, 100, 9);
        send(b, tagged);
        assertArrayEquals(tagged, receive(a));
        assertEquals(1, ((AfPacketTransport) a).vlanTagsRestored(), "the kernel delivered the tag out of line (PACKET_AUXDATA)");
    }

    @Test
    void busyPollingAndQdiscBypassCarryFramesToo() throws IOException {
        a.close();
        a = testbed.a().call(() -> AfPacketTransport.open(testbed.interfaceA(), ETHERTYPE,
                AfPacketTransport.Options.DEFAULT.withBusyPollNanos(50_000).withQdiscBypass(true)));
        byte[] ab = frame(b.address(), a.address(), GROUP_TCI, ETHERTYPE, 300, 6);
        send(a, ab);
        assertArrayEquals(ab, receive(b));
        byte[] ba = frame(a.address(), b.address(), GROUP_TCI, ETHERTYPE, 300, 7);
        send(b, ba);
        assertArrayEquals(ba, receive(a));
    }

    @Test
    void queuedFramesLeaveInOrderAtFlushInBatches() throws IOException {
        AfPacketTransport sender = (AfPacketTransport) a;
        int n = 2 * AfPacketTransport.TX_BATCH + 10;
        byte[][] sent = new byte[n][];
        for (int i = 0; i < n; i++) {
            sent[i] = frame(b.address(), a.address(), i % 3 == 0 ? GROUP_TCI : -1, ETHERTYPE, 60 + i, 100 + i);
            if (i == 5) send(a, sent[i]); // sent alone: it leaves behind the five queued before it
            else sender.queue(ByteBuffer.wrap(sent[i]));
        }
        sender.flush();
        for (int i = 0; i < n; i++) assertArrayEquals(sent[i], receive(b), "frame " + i);
        assertEquals(n, sender.counters().framesSent());
        // 5 flushed by the lone send, two full batches of 64, and the last 4 at flush().
        assertEquals(4, sender.sendBatches());
        sender.flush();
        assertEquals(4, sender.sendBatches(), "an empty flush makes no system call");
    }

    @Test
    void aQueuedFrameWaitsForTheFlush() throws IOException {
        byte[] f = frame(b.address(), a.address(), -1, ETHERTYPE, 80, 12);
        a.queue(ByteBuffer.wrap(f));
        assertEquals(0, b.receive(ByteBuffer.allocate(2048), 0), "nothing left before the flush");
        a.flush();
        assertArrayEquals(f, receive(b));
    }

    @Test
    void reportsTheInterfacesMacAndMtu() throws IOException {
        NetDevice device = testbed.a().call(() -> NetDevice.lookup(testbed.interfaceA()));
        assertEquals(device.mac(), a.address());
        assertEquals(1500, a.mtu());
        assertEquals("af_packet:" + testbed.interfaceA(), a.name());
    }

    @Test
    void aMissingInterfaceIsAClearError() {
        var e = assertThrows(NetDevice.NoSuchInterfaceException.class,
                () -> testbed.a().call(() -> AfPacketTransport.open("vpnosuch9", ETHERTYPE)));
        assertEquals("no such interface 'vpnosuch9'", e.getMessage());
    }

    @Test
    void aFrameLargerThanItsRingSlotIsCountedNotDeliveredInPart() throws IOException {
        testbed.veth().mtu(9000); // after a opened its ring for an MTU of 1500
        try {
            send(b, frame(a.address(), b.address(), -1, ETHERTYPE, 5000, 10));
            byte[] small = frame(a.address(), b.address(), -1, ETHERTYPE, 60, 11);
            send(b, small);
            assertArrayEquals(small, receive(a));
            assertEquals(1, ((AfPacketTransport) a).counters().truncated());
        } finally {
            testbed.veth().mtu(1500);
        }
    }

    @Test
    void ringSlotsHoldAFrameOfTheMtuWithTwoTags() {
        assertEquals(2048, AfPacketTransport.ringFrameSize(1500));
        assertEquals(16384, AfPacketTransport.ringFrameSize(9000));
        assertEquals(256, AfPacketTransport.ringFrameSize(68));
    }

    @Test
    void withoutCapNetRawTheErrorSaysItNeedsRoot() throws InterruptedException {
        Throwable e = ThreadCapabilities.withoutCapability(ThreadCapabilities.CAP_NET_RAW,
                () -> testbed.a().call(() -> AfPacketTransport.open(testbed.interfaceA(), ETHERTYPE)));
        assertInstanceOf(ErrnoException.class, e);
        assertEquals("AF_PACKET socket needs root (CAP_NET_RAW): socket(AF_PACKET, SOCK_RAW): EPERM (Operation not permitted)",
                e.getMessage());
    }

    @Test
    void aFrameBeyondTheMtuIsRefusedByName() {
        byte[] tooBig = frame(b.address(), a.address(), -1, ETHERTYPE, a.mtu() + 100, 8);
        var e = assertThrows(ErrnoException.class, () -> send(a, tooBig));
        assertEquals("EMSGSIZE", e.errnoName());
    }
}
