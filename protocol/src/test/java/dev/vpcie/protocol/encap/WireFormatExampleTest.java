package dev.vpcie.protocol.encap;

import static org.junit.jupiter.api.Assertions.*;

import dev.vpcie.protocol.tlp.MemRead;
import dev.vpcie.protocol.tlp.MemWrite;
import dev.vpcie.protocol.tlp.TlpCodec;
import dev.vpcie.protocol.transport.MacAddress;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The worked example of docs/wire-format.md is made by the real codecs here: if the format
 * changes, this test fails until the document is updated, so the two cannot drift apart.
 */
class WireFormatExampleTest {
    static final MacAddress VRC = MacAddress.parse("02:00:00:00:00:01"), ENDPOINT = MacAddress.parse("02:00:00:00:00:02");
    static final MemRead READ = new MemRead(0x0000, 0x01, 0xF000_0010L, 1, 0xF, 0x0);
    static final MemWrite WRITE = new MemWrite(0x0000, 0x02, 0xF000_0020L, 0xF, 0x0, new byte[] {(byte) 0xDE, (byte) 0xAD, (byte) 0xBE, (byte) 0xEF});

    static byte[] exampleFrame() {
        ByteBuf b = Unpooled.buffer();
        FrameCodec.writeEthernet(b, ENDPOINT, VRC, 7, FrameCodec.DEFAULT_ETHER_TYPE);
        int h = b.writerIndex();
        FrameCodec.writeHeader(b, FrameType.DATA, 1, 2, 0x1122334455667788L, 0x99AABBCCDDEEFF00L, 16, 5, 1024, 0, 0);
        for (var tlp : new dev.vpcie.protocol.tlp.Tlp[] {READ, WRITE}) {
            int at = FrameCodec.beginTlpRecord(b);
            TlpCodec.encode(tlp, b);
            FrameCodec.endTlpRecord(b, at);
        }
        FrameCodec.setPayloadLength(b, h);
        byte[] out = new byte[b.readableBytes()];
        b.readBytes(out);
        return out;
    }

    /** 16 bytes a line, offset first, as the document shows it. */
    static String dump(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        HexFormat hex = HexFormat.of();
        for (int i = 0; i < bytes.length; i += 16) {
            sb.append(String.format("%04x ", i));
            for (int j = i; j < Math.min(bytes.length, i + 16); j++) sb.append(' ').append(hex.toHexDigits(bytes[j]));
            sb.append('\n');
        }
        return sb.toString();
    }

    @Test void documentShowsWhatTheCodecWrites() throws Exception {
        String expected = dump(exampleFrame());
        Path doc = Path.of(System.getProperty("basedir", ".")).resolve("../docs/wire-format.md").normalize();
        String text = Files.readString(doc);
        String begin = "<!-- example-frame:begin -->\n```\n", end = "```\n<!-- example-frame:end -->";
        int a = text.indexOf(begin), z = text.indexOf(end);
        assertTrue(a >= 0 && z > a, "markers around the example frame in " + doc);
        assertEquals(expected, text.substring(a + begin.length(), z), "docs/wire-format.md's example frame is out of date; it should read:\n" + expected);
    }

    @Test void exampleDecodesToTheFieldsTheDocumentLists() throws Exception {
        ByteBuf b = Unpooled.wrappedBuffer(exampleFrame());
        assertEquals(new EthernetHeader(ENDPOINT, VRC, true, 7, 0x88B5), FrameCodec.readEthernet(b));
        FrameHeader h = FrameCodec.readHeader(b);
        assertEquals(new FrameHeader(FrameType.DATA, 1, 2, 0x1122334455667788L, 0x99AABBCCDDEEFF00L, 16, 5, 1024, 0, 32), h);
        ByteBuf payload = b.readSlice(h.payloadLength());
        assertEquals(READ, TlpCodec.decode(FrameCodec.readTlpRecord(payload)));
        assertEquals(WRITE, TlpCodec.decode(FrameCodec.readTlpRecord(payload)));
        assertNull(FrameCodec.readTlpRecord(payload));
        assertEquals(0, b.readableBytes());
    }
}
