package dev.vpcie.vrc.tap;

import static org.junit.jupiter.api.Assertions.*;

import dev.vpcie.protocol.transport.Tap;
import dev.vpcie.vrc.nic.TxOffload;
import dev.vpcie.vrc.nic.packet.InternetChecksum;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class VnetHeaderTest {
    static final int H = Tap.VNET_HDR_SIZE;

    /** A vnet header and an Ethernet/IPv4 (or IPv6)/L4 frame with {@code payload} bytes. */
    static MemorySegment frame(int flags, int gso, int gsoSize, boolean ipv4, int protocol, int l4Header, int payload, int csumOffset) {
        int ipLen = ipv4 ? 20 : 40;
        int length = 14 + ipLen + l4Header + payload;
        MemorySegment s = MemorySegment.ofArray(new byte[H + length]);
        var u16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.nativeOrder());
        s.set(ValueLayout.JAVA_BYTE, 0, (byte) flags);
        s.set(ValueLayout.JAVA_BYTE, 1, (byte) gso);
        s.set(u16, 2, (short) (14 + ipLen + l4Header));
        s.set(u16, 4, (short) gsoSize);
        s.set(u16, 6, (short) (14 + ipLen));
        s.set(u16, 8, (short) csumOffset);
        s.set(ValueLayout.JAVA_BYTE, H + 12, (byte) (ipv4 ? 0x08 : 0x86));
        s.set(ValueLayout.JAVA_BYTE, H + 13, (byte) (ipv4 ? 0x00 : 0xDD));
        s.set(ValueLayout.JAVA_BYTE, H + 14, (byte) (ipv4 ? 0x45 : 0x60));
        s.set(ValueLayout.JAVA_BYTE, H + 14 + (ipv4 ? 9 : 6), (byte) protocol);
        if (protocol == 6) s.set(ValueLayout.JAVA_BYTE, H + 14 + ipLen + 12, (byte) ((l4Header / 4) << 4));
        return s;
    }

    static TxOffload offload(MemorySegment s) {
        return VnetHeader.read(s, 0).offload(s, H, (int) s.byteSize() - H);
    }

    @Test void noFlagsNoOffload() {
        assertEquals(TxOffload.NONE, offload(frame(0, 0, 0, true, 6, 20, 100, 16)));
    }

    @Test void partialChecksumsBecomeTxsm() {
        assertEquals(new TxOffload.Checksum(14, true, 34, TxOffload.L4.TCP, false), offload(frame(1, 0, 0, true, 6, 20, 100, 16)));
        assertEquals(new TxOffload.Checksum(14, false, 54, TxOffload.L4.UDP, false), offload(frame(1, 0, 0, false, 17, 8, 100, 6)));
    }

    @Test void gsoBecomesTso() {
        assertEquals(new TxOffload.Segmentation(14, true, 34, 32, 1448), offload(frame(1, VnetHeader.GSO_TCPV4, 1448, true, 6, 32, 60000, 16)));
        assertEquals(new TxOffload.Segmentation(14, false, 54, 20, 1440),
                offload(frame(1, VnetHeader.GSO_TCPV6 | VnetHeader.GSO_ECN, 1440, false, 6, 20, 5000, 16)));
        // One segment's worth needs no segmentation, only its checksum.
        assertInstanceOf(TxOffload.Checksum.class, offload(frame(1, VnetHeader.GSO_TCPV4, 1448, true, 6, 20, 1000, 16)));
    }

    @Test void otherChecksumsAreFinishedInSoftware() {
        // An unusual checksum offset (ICMP-like: offset 2) the NIC has no engine for.
        MemorySegment s = frame(1, 0, 0, true, 1, 8, 37, 2);
        for (int i = 0; i < 45; i++) s.set(ValueLayout.JAVA_BYTE, H + 34 + i, (byte) (i * 11 + 3));
        s.set(ValueLayout.JAVA_BYTE, H + 36, (byte) 0);
        s.set(ValueLayout.JAVA_BYTE, H + 37, (byte) 0);
        assertEquals(TxOffload.NONE, offload(s));
        byte[] l4 = s.asSlice(H + 34, 45).toArray(ValueLayout.JAVA_BYTE);
        assertTrue(InternetChecksum.verifies(l4, 0, l4.length), "the software checksum verifies");
    }

    @Test void inconsistentHeadersAreRefused() {
        MemorySegment outside = frame(1, 0, 0, true, 6, 20, 10, 400);
        assertThrows(IllegalArgumentException.class, () -> offload(outside));
        MemorySegment ufo = frame(1, VnetHeader.GSO_UDP, 1000, true, 17, 8, 3000, 6);
        assertThrows(IllegalArgumentException.class, () -> offload(ufo), "UFO was never offered");
        MemorySegment notIp = frame(1, 0, 0, true, 6, 20, 10, 16);
        notIp.set(ValueLayout.JAVA_BYTE, H + 14, (byte) 0x25);
        assertThrows(IllegalArgumentException.class, () -> offload(notIp));
    }
}
