package dev.vpcie.protocol.tlp;

import static org.junit.jupiter.api.Assertions.*;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;

/** Every valid TLP survives encode then decode unchanged, through byte arrays and through buffers at an offset. */
class TlpCodecRoundTripTest {

    @Provide Arbitrary<Tlp> tlps() { return TlpArbitraries.any(); }

    @Property(tries = 3000)
    @StatisticsReport(StatisticsReport.StatisticsReportMode.OFF) // the coverage checks below fail the property instead
    void roundTrips(@ForAll("tlps") Tlp tlp) throws MalformedTlpException {
        // coverage: every kind, 10-bit tags and maximum-size TLPs must actually be generated
        Statistics.label("kind").collect(TlpType.of(tlp));
        Statistics.label("tag").collect(tlp.tag() > 255 ? "10-bit" : "8-bit");
        Statistics.label("max length").collect(TlpCodec.encodedLength(tlp) >= 4096 || tlp instanceof MemRead r && r.length() == 1024);
        Statistics.label("kind").coverage(c -> { for (TlpType t : TlpType.values()) c.check(t).count(n -> n > 0); });
        Statistics.label("tag").coverage(c -> c.check("10-bit").count(n -> n > 0));
        Statistics.label("max length").coverage(c -> c.check(true).count(n -> n > 0));
        byte[] bytes = TlpCodec.encode(tlp);
        assertEquals(TlpCodec.encodedLength(tlp), bytes.length);
        assertEquals(tlp, TlpCodec.decode(bytes));
        assertEquals(TlpType.of(tlp), TlpType.decode((bytes[0] & 0xFF) >>> 5, bytes[0] & 0x1F));
    }

    @Property(tries = 500)
    void roundTripsThroughABufferSlice(@ForAll("tlps") Tlp tlp) throws MalformedTlpException {
        ByteBuf buf = Unpooled.buffer();
        buf.writeInt(0xDEADBEEF);
        TlpCodec.encode(tlp, buf);
        int end = buf.writerIndex();
        buf.writeInt(0xCAFEF00D);
        ByteBuf slice = buf.slice(4, end - 4);
        assertEquals(tlp, TlpCodec.decode(slice));
        assertFalse(slice.isReadable());
    }

    @Property(tries = 500)
    void headerOnlyDecodingKeepsEveryHeaderField(@ForAll("tlps") Tlp tlp) throws MalformedTlpException {
        byte[] bytes = TlpCodec.encode(tlp);
        int header = TlpType.of(tlp).headerBytes();
        Tlp fromHeader = TlpCodec.decodeHeader(Unpooled.wrappedBuffer(bytes, 0, header));
        // same header bytes when encoded again (the payload is zero-filled, its length preserved)
        byte[] again = TlpCodec.encode(fromHeader);
        assertEquals(bytes.length, again.length);
        assertArrayEquals(java.util.Arrays.copyOf(bytes, header), java.util.Arrays.copyOf(again, header));
    }
}
