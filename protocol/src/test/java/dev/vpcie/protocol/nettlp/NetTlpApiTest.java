package dev.vpcie.protocol.nettlp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The port scheme, the messaging API and the adapter's configuration API, byte by byte. */
class NetTlpApiTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test void portsCarryDirectionAndTag() {
        assertEquals(0x3000, NetTlpPorts.dma(0));
        assertEquals(0x30FF, NetTlpPorts.dma(0xFF));
        assertEquals(0x3005, NetTlpPorts.dma(0x105)); // a 10-bit tag shares the port of its low 8 bits
        assertEquals(0x4000, NetTlpPorts.mmio(0x10));
        assertEquals(0x400F, NetTlpPorts.mmio(0x1F));
        assertTrue(NetTlpPorts.isDma(0x30FF));
        assertTrue(NetTlpPorts.isMmio(NetTlpPorts.CONFIG)); // told apart by length
    }

    @Test void messagingRequestsAreLittleEndianCodes() {
        assertEquals("01000000", HEX.formatHex(MessagingApi.request(MessagingApi.BAR4_ADDRESS)));
        assertEquals("03000000", HEX.formatHex(MessagingApi.request(MessagingApi.MSIX_TABLE)));
    }

    @Test void messagingRepliesAreLittleEndian() {
        var facts = new MessagingApi.Facts(0x1_E000_0000L, 0x0108,
                List.of(new MessagingApi.MsixEntry(0xFEE0_0000L, 0x41), new MessagingApi.MsixEntry(0xFEE0_1000L, 0x42)));
        byte[] bar4 = reply(MessagingApi.BAR4_ADDRESS, facts);
        assertEquals("000000e001000000", HEX.formatHex(bar4));
        assertEquals(0x1_E000_0000L, MessagingApi.bar4(bar4));
        byte[] id = reply(MessagingApi.DEVICE_ID, facts);
        assertEquals("0801", HEX.formatHex(id)); // bus 1, devfn 08 (device 1, function 0)
        assertEquals(0x0108, MessagingApi.deviceId(id));
        byte[] msix = reply(MessagingApi.MSIX_TABLE, facts);
        assertEquals(192, msix.length);
        assertEquals("0000e0fe00000000" + "41000000" + "0010e0fe00000000" + "42000000", HEX.formatHex(msix, 0, 24));
        assertEquals(new MessagingApi.MsixEntry(0, 0), MessagingApi.msix(msix).get(15));
        assertEquals(facts.msix().get(1), MessagingApi.msix(msix).get(1));
    }

    @Test void unknownOrMisSizedMessagingRequestsGetNoReply() {
        var facts = new MessagingApi.Facts(0, 0, List.of());
        assertTrue(MessagingApi.reply(MessagingApi.request(9), 4, facts).isEmpty());
        assertTrue(MessagingApi.reply(new byte[] {1, 0, 0}, 3, facts).isEmpty());
    }

    private static byte[] reply(int code, MessagingApi.Facts facts) {
        return MessagingApi.reply(MessagingApi.request(code), 4, facts).orElseThrow();
    }

    @Test void configPacketsByteByByte() {
        // read DW 0x101 (offset 0x404), all bytes: cmd 0, mask 1111, dwaddr[9:8] 01 -> 0x3D; dwaddr[7:0] 01
        var read = new ConfigApi.Packet(ConfigApi.READ, 0xF, 0x101, 0);
        assertEquals("3d0100000000", HEX.formatHex(ConfigApi.encode(read)));
        // write 0x0006 to the command register (DW 1, bytes 0-1): cmd 1, mask 0011 -> 0x4C; data big-endian u32 whose
        // little-endian bytes are the config bytes 06 00 00 00
        var write = new ConfigApi.Packet(ConfigApi.WRITE, 0x3, 1, 0x0006);
        byte[] w = ConfigApi.encode(write);
        assertEquals("4c0106000000", HEX.formatHex(w));
        assertEquals(write, ConfigApi.decode(w, 6));
        assertThrows(IllegalArgumentException.class, () -> ConfigApi.decode(HEX.parseHex("c00000000000"), 6));
        assertThrows(IllegalArgumentException.class, () -> ConfigApi.decode(new byte[5], 5));
    }

    @Test void adapterConfigSpaceAnswersReadsAndHonoursMasks() {
        var space = new AdapterConfigSpace();
        var id = space.handle(new ConfigApi.Packet(ConfigApi.READ, 0xF, 0, 0)).orElseThrow();
        assertEquals(0x8022_3776, id.value());
        assertArrayEquals(HEX.parseHex("3c0076372280"), ConfigApi.encode(id));
        assertTrue(space.handle(new ConfigApi.Packet(ConfigApi.WRITE, 0x1, 1, 0xFFFF_0006)).isEmpty());
        assertEquals(0x06, space.read(1)); // only byte 0 was enabled
        space.handle(new ConfigApi.Packet(ConfigApi.WRITE, 0xF, 0, 0));
        assertEquals(0x8022_3776, space.read(0)); // the IDs are read only
        space.handle(new ConfigApi.Packet(ConfigApi.WRITE, 0xF, 4, 0xF000_0000));
        assertEquals(0xF000_0000, space.read(4)); // BAR0 takes writes
    }
}
