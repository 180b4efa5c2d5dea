package dev.vpcie.loopback;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vpcie.protocol.nettlp.MessagingApi;
import dev.vpcie.protocol.nettlp.NetTlpCodec;
import dev.vpcie.protocol.nettlp.NetTlpPort;
import dev.vpcie.protocol.nettlp.NetTlpPorts;
import dev.vpcie.protocol.tlp.Completion;
import dev.vpcie.protocol.tlp.MemRead;
import dev.vpcie.vrc.Counter;
import dev.vpcie.vrc.RootComplex;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The VRC in NetTLP mode as libtlp's tools see it: plain sockets on 127.0.0.2 bound to
 * {@code 0x3000 + tag}, datagrams written byte by byte as libtlp writes them (zeros in the
 * header, a 1-3 byte write without tail padding), checked byte by byte where libtlp checks them.
 */
class NetTlpLibtlpClientTest {
    private static final HexFormat HEX = HexFormat.of();
    private RootComplex rc;
    private NetTlpPort port;

    @BeforeEach void startVrc() throws IOException {
        rc = new RootComplex(InMemoryPair.rcConfig(1L << 20));
        port = NetTlpPort.open(NetTlpPort.Role.HOST, NetTlpJoin.VRC, NetTlpJoin.ENDPOINT, rc.loop());
        rc.attach(port);
        rc.dmaReadCompletionLimit(4096);
        rc.dmaWindows().map(0x0100, 0, 1L << 20); // what vrc --encap nettlp does for a device side that answers no config request
        port.messagingFacts(new MessagingApi.Facts(0, 0x0100, List.of()));
    }

    @AfterEach void stopVrc() {
        rc.close();
        port.close();
    }

    private static DatagramSocket dma(int tag) throws IOException {
        DatagramSocket s = new DatagramSocket(new InetSocketAddress(NetTlpJoin.ENDPOINT, NetTlpPorts.dma(tag)));
        s.connect(new InetSocketAddress(NetTlpJoin.VRC, NetTlpPorts.dma(tag)));
        s.setSoTimeout(20_000);
        return s;
    }

    private static byte[] receive(DatagramSocket s) throws IOException {
        DatagramPacket p = new DatagramPacket(new byte[8192], 8192);
        s.receive(p);
        return java.util.Arrays.copyOf(p.getData(), p.getLength());
    }

    @Test void aShortWriteLandsUnderItsByteEnablesAndAnUnalignedReadComesBackInOneCompletion() throws Exception {
        rc.hostMemory().segment().asSlice(0x2000, 8).fill((byte) 0x55);
        try (DatagramSocket s = dma(3)) {
            // dma_write -a 0x2001 -p "ab": MWr32, Length 1, first BE 0110, address 0x2000; the payload runs from the DW's
            // byte 0 to the last byte written and has no tail padding: 3 bytes
            byte[] write = HEX.parseHex("0000" + "00000000" + "40000001" + "01000006" + "00002000" + "006162");
            s.send(new DatagramPacket(write, write.length));
            // dma_read -a 0x2001 -s 3: MRd32, Length 1, first BE 1110
            byte[] read = NetTlpCodec.encode(0, 0, new MemRead(0x0100, 3, 0x2000, 1, 0xE, 0));
            s.send(new DatagramPacket(read, read.length));
            byte[] reply = receive(s);
            // CplD 4a, Length 1; completer 00:00.0, SC, byte count 3; requester 01:00, tag 03, lower address 0x01
            assertEquals("4a000001" + "00000003" + "01000301", HEX.formatHex(reply, 6, 18));
            assertEquals("00616255", HEX.formatHex(reply, 18, 22), "disabled byte 0 comes back as zero, bytes 1-3 as written / untouched");
            assertEquals(1, (reply[9] & 0xFF), "libtlp's last-CplD test: Length == ((1 & 3) + 3 + 3) >> 2");
        }
        assertArrayEquals(HEX.parseHex("55616255"), rc.hostMemory().segment().asSlice(0x2000, 4).toArray(ValueLayout.JAVA_BYTE));
    }

    @Test void aPageReadIsOneCompletionByDefaultAndSplitOnlyWhenAsked() throws Exception {
        try (DatagramSocket s = dma(9)) {
            byte[] read = NetTlpCodec.encode(0, 0, new MemRead(0x0100, 9, 0x4000, 512, 0xF, 0xF));
            s.send(new DatagramPacket(read, read.length));
            Completion one = (Completion) NetTlpCodec.decode(receive(s)).tlp();
            assertEquals(2048, one.byteCount());
            assertEquals(2048, one.data().length);
            rc.dmaReadCompletionLimit(512);
            s.send(new DatagramPacket(read, read.length));
            for (int i = 0; i < 4; i++) {
                Completion c = (Completion) NetTlpCodec.decode(receive(s)).tlp();
                assertEquals(2048 - 512 * i, c.byteCount());
                assertEquals(512, c.data().length);
            }
        }
        assertEquals(5, rc.counters().get(Counter.DMA_READ_COMPLETION));
    }

    @Test void messagingApiTellsTheDeviceItsRequesterId() throws Exception {
        try (DatagramSocket s = new DatagramSocket()) {
            s.connect(new InetSocketAddress(NetTlpJoin.VRC, NetTlpPorts.MESSAGING));
            s.setSoTimeout(20_000);
            byte[] q = MessagingApi.request(MessagingApi.DEVICE_ID);
            s.send(new DatagramPacket(q, q.length));
            assertEquals(0x0100, MessagingApi.deviceId(receive(s)));
        }
    }
}
