package dev.vpcie.endpoint.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.protocol.transport.MemoryTransport;
import dev.vpcie.protocol.transport.ReceiveOffload;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the wire does with each frame of a received batch, handed to it in place as the AF_PACKET
 * transport does (no socket needed): a frame whose {@code virtio_net_hdr} asks for work that
 * cannot be done is counted and dropped, and the frames around it still reach the device, in order.
 */
class InterfaceWireBatchTest {

    @Test
    void aFrameWhoseOffloadCannotBeCompletedIsCountedAndDroppedWhileTheOthersOfItsBatchArrive() {
        try (MemoryTransport.Pair pair = MemoryTransport.pair(); InterfaceWire wire = InterfaceWire.over(pair.a())) {
            List<byte[]> got = new ArrayList<>();
            wire.setReceiver(f -> {
                byte[] copy = new byte[f.remaining()];
                f.get(copy);
                got.add(copy);
            });
            // One batch's slots side by side in one buffer, as recvmmsg leaves them.
            ByteBuffer slots = ByteBuffer.allocate(8 * 2048);
            byte[] first = plainFrame(60, 1), last = plainFrame(90, 4);
            byte[] ufo = udpOverIpv4(400), farChecksum = udpOverIpv4(120), needsChecksum = udpOverIpv4(200);
            byte[][] frames = {first, ufo, needsChecksum, farChecksum, last};
            for (int i = 0; i < frames.length; i++) slots.put(2048 * i + 10, frames[i]);

            wire.arrived(slots, 10, first.length, ReceiveOffload.NONE);
            // UDP fragmentation offload: the kernel may hand it over, the wire cannot finish it.
            wire.arrived(slots, 2048 + 10, ufo.length, new ReceiveOffload(0, ReceiveOffload.GSO_UDP, 42, 100, 0, 0));
            // A checksum the sender left to hardware: completed and delivered.
            wire.arrived(slots, 2 * 2048 + 10, needsChecksum.length, new ReceiveOffload(ReceiveOffload.NEEDS_CSUM, 0, 0, 0, 34, 6));
            // A checksum field past the frame's end.
            wire.arrived(slots, 3 * 2048 + 10, farChecksum.length, new ReceiveOffload(ReceiveOffload.NEEDS_CSUM, 0, 0, 0, 500, 6));
            wire.arrived(slots, 4 * 2048 + 10, last.length, ReceiveOffload.NONE);

            assertEquals(3, got.size(), "the frames around the bad ones arrived");
            assertArrayEquals(first, got.get(0));
            assertEquals(needsChecksum.length, got.get(1).length);
            assertArrayEquals(last, got.get(2));
            WireCounters c = wire.counters();
            assertEquals(3, c.framesIn());
            assertEquals(2, c.droppedIn(), "both bad frames counted");
            assertEquals(1, c.offloadsDone());
        }
    }

    @Test
    void theDeviceIsAskedForEverySegmentOfASuperFrameNeverLess() {
        assertEquals(60, InterfaceWire.burstBytes(42, ReceiveOffload.NONE), "padded to the minimum frame");
        assertEquals(1514, InterfaceWire.burstBytes(1514, ReceiveOffload.NONE));
        int headers = 14 + 20 + 32, mss = 1448, segments = 44;
        int length = headers + segments * mss;
        int segmentsBytes = length + (segments - 1) * headers; // each segment repeats the headers
        ReceiveOffload tso = new ReceiveOffload(ReceiveOffload.NEEDS_CSUM, ReceiveOffload.GSO_TCPV4, headers, mss, 34, 16);
        int frames = InterfaceWire.burstFrames(length, tso);
        assertTrue(frames == segments || frames == segments + 1, frames + " frames for " + segments + " segments");
        assertEquals(1, InterfaceWire.burstFrames(1514, ReceiveOffload.NONE));
        int asked = InterfaceWire.burstBytes(length, tso);
        assertTrue(asked >= segmentsBytes, asked + " covers the " + segments + " segments' " + segmentsBytes + " bytes");
        assertTrue(asked <= segmentsBytes + 1514, "by at most one frame more");
        int noHint = InterfaceWire.burstBytes(length, new ReceiveOffload(ReceiveOffload.NEEDS_CSUM, ReceiveOffload.GSO_TCPV4, 0, mss, 34, 16));
        assertTrue(noHint >= asked, "without the kernel's header length the most headers there can be");
    }

    private static byte[] plainFrame(int length, int seed) {
        byte[] f = new byte[length];
        for (int i = 0; i < 6; i++) f[i] = (byte) (0x02 + i);
        f[12] = (byte) 0x88;
        f[13] = (byte) 0xB5;
        for (int i = 14; i < length; i++) f[i] = (byte) (seed * 31 + i);
        return f;
    }

    /** An Ethernet frame with an IPv4 header and a UDP header, then payload. */
    private static byte[] udpOverIpv4(int length) {
        byte[] f = plainFrame(length, 7);
        f[12] = 0x08;
        f[13] = 0x00;
        f[14] = 0x45;
        int ipLength = length - 14;
        f[16] = (byte) (ipLength >>> 8);
        f[17] = (byte) ipLength;
        f[22] = 64;
        f[23] = 17;
        int udpLength = ipLength - 20;
        f[38] = (byte) (udpLength >>> 8);
        f[39] = (byte) udpLength;
        return f;
    }
}
