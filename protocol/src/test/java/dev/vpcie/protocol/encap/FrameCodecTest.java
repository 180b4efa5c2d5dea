package dev.vpcie.protocol.encap;

import static dev.vpcie.protocol.encap.MalformedFrameException.Reason.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.vpcie.protocol.transport.MacAddress;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.function.Consumer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class FrameCodecTest {
    static final MacAddress A = MacAddress.parse("02:00:00:00:00:0a"), B = MacAddress.parse("02:00:00:00:00:0b");

    @Provide Arbitrary<FrameHeader> headers() {
        return Arbitraries.of(FrameType.class).flatMap(type -> Combinators.combine(
                Arbitraries.integers().between(0, 0xFFFE), Arbitraries.integers().between(0, 0xFFFE),
                Arbitraries.longs().filter(e -> e != 0), Arbitraries.longs().filter(e -> e != 0),
                Arbitraries.integers(), Arbitraries.integers().between(1, 0xFFFF), Arbitraries.integers().between(0, 0xFFFF),
                Arbitraries.of(CloseReason.class)).as((src, dst, e1, e2, seq, gap, window, reason) -> {
                    long srcEpoch = switch (type) { case DISCOVER, ANNOUNCE -> 0; default -> e1; };
                    long dstEpoch = switch (type) { case HELLO, DISCOVER, ANNOUNCE -> 0; default -> e2; };
                    int ack = type == FrameType.NAK ? seq - gap : seq ^ 0x5A5A;
                    return new FrameHeader(type, src, type == FrameType.DISCOVER ? FrameCodec.ANY_INSTANCE : dst, srcEpoch,
                            dstEpoch, seq, ack, window, type == FrameType.CLOSE ? reason.code() : 0, type == FrameType.DATA ? 14 : 0);
                }));
    }

    @Property void headersRoundTrip(@ForAll("headers") FrameHeader h) throws Exception {
        ByteBuf b = Unpooled.buffer();
        FrameCodec.writeHeader(b, h);
        assertEquals(FrameCodec.LINK_HEADER_LENGTH, b.readableBytes());
        if (h.type() == FrameType.DATA) b.writeShort(12).writeZero(12); // DATA needs a TLP
        assertEquals(h, FrameCodec.readHeader(b));
        assertEquals(h.payloadLength(), b.readableBytes());
    }

    @Test void ethernetUntaggedAndTagged() throws Exception {
        for (int group : new int[] {0, 1, 7, 4094}) {
            ByteBuf b = Unpooled.buffer();
            FrameCodec.writeEthernet(b, A, B, group, 0x88B5);
            assertEquals(FrameCodec.ethernetHeaderLength(group), b.readableBytes());
            EthernetHeader e = FrameCodec.readEthernet(b);
            assertEquals(new EthernetHeader(A, B, group != 0, group, 0x88B5), e);
        }
        assertThrows(IllegalArgumentException.class, () -> FrameCodec.writeEthernet(Unpooled.buffer(), A, B, 4095, 0x88B5));
    }

    @Test void priorityTaggedFrameIsGroupZero() throws Exception {
        ByteBuf b = Unpooled.buffer();
        FrameCodec.writeEthernet(b, A, B, 0, 0x8100);
        b.writeShort(0xE000).writeShort(0x88B5); // PCP 7, VID 0
        assertEquals(new EthernetHeader(A, B, true, 0, 0x88B5), FrameCodec.readEthernet(b));
    }

    @Test void dataRecordsAreVerifiedThenReadAsSlices() throws Exception {
        ByteBuf b = Unpooled.buffer();
        int h = b.writerIndex();
        FrameCodec.writeHeader(b, FrameType.DATA, 1, 2, 3, 4, 10, 20, 30, 0, 0);
        for (int len : new int[] {12, 16, 4116}) {
            int at = FrameCodec.beginTlpRecord(b);
            b.writeZero(len);
            FrameCodec.endTlpRecord(b, at);
        }
        FrameCodec.setPayloadLength(b, h);
        b.writeZero(20); // Ethernet padding after the payload is allowed
        FrameHeader header = FrameCodec.readHeader(b);
        ByteBuf payload = b.readSlice(header.payloadLength());
        assertEquals(3, FrameCodec.countTlpRecords(payload));
        assertEquals(12, FrameCodec.readTlpRecord(payload).readableBytes());
        assertEquals(16, FrameCodec.readTlpRecord(payload).readableBytes());
        assertEquals(4116, FrameCodec.readTlpRecord(payload).readableBytes());
        assertNull(FrameCodec.readTlpRecord(payload));
        assertThrows(IllegalArgumentException.class, () -> {
            ByteBuf x = Unpooled.buffer();
            int at = FrameCodec.beginTlpRecord(x);
            x.writeZero(8);
            FrameCodec.endTlpRecord(x, at);
        });
    }

    // ---- one test per verify rule ----

    static MalformedFrameException.Reason reject(Consumer<ByteBuf> frame) {
        ByteBuf b = Unpooled.buffer();
        frame.accept(b);
        MalformedFrameException e = assertThrows(MalformedFrameException.class, () -> {
            FrameCodec.readEthernet(b);
            FrameCodec.readHeader(b);
        });
        return e.reason();
    }

    static Consumer<ByteBuf> eth(Consumer<ByteBuf> rest) {
        return b -> {
            FrameCodec.writeEthernet(b, A, B, 0, FrameCodec.DEFAULT_ETHER_TYPE);
            rest.accept(b);
        };
    }

    static Consumer<ByteBuf> header(FrameType t, int dstInstance, long srcEpoch, long dstEpoch, int seq, int ack, int code, int length) {
        return eth(b -> FrameCodec.writeHeader(b, t, 1, dstInstance, srcEpoch, dstEpoch, seq, ack, 0, code, length));
    }

    @Test void truncatedEthernet() { assertEquals(TRUNCATED, reject(b -> b.writeZero(13))); }

    @Test void truncatedVlanTag() { assertEquals(TRUNCATED, reject(b -> { b.writeZero(12); b.writeShort(0x8100).writeByte(0); })); }

    @Test void truncatedLinkHeader() { assertEquals(TRUNCATED, reject(eth(b -> b.writeByte(1).writeZero(34)))); }

    @Test void unsupportedVersion() { assertEquals(UNSUPPORTED_VERSION, reject(eth(b -> b.writeByte(2).writeZero(35)))); }

    @Test void unknownType() {
        assertEquals(UNKNOWN_TYPE, reject(eth(b -> b.writeByte(1).writeByte(0).writeZero(34))));
        assertEquals(UNKNOWN_TYPE, reject(eth(b -> b.writeByte(1).writeByte(10).writeZero(34))));
    }

    @Test void payloadLongerThanTheFrame() { assertEquals(BAD_LENGTH, reject(header(FrameType.ANNOUNCE, 1, 0, 0, 0, 0, 0, 1))); }

    @Test void payloadOnATypeWithout() {
        assertEquals(BAD_LENGTH, reject(b -> { header(FrameType.ACK, 1, 1, 2, 0, 0, 0, 4).accept(b); b.writeInt(0); }));
    }

    @Test void epochsMustBeSetOrZeroAsTheTypeSays() {
        assertEquals(BAD_EPOCH, reject(header(FrameType.HELLO, 1, 0, 0, 0, 0, 0, 0)));
        assertEquals(BAD_EPOCH, reject(header(FrameType.HELLO, 1, 5, 6, 0, 0, 0, 0)));
        assertEquals(BAD_EPOCH, reject(header(FrameType.ACK, 1, 5, 0, 0, 0, 0, 0)));
        assertEquals(BAD_EPOCH, reject(header(FrameType.CLOSE, 1, 5, 0, 0, 0, 2, 0)));
        assertEquals(BAD_EPOCH, reject(header(FrameType.ANNOUNCE, 1, 5, 0, 0, 0, 0, 0)));
    }

    @Test void codeOnlyOnCloseAndChallengingKeepalive() {
        assertEquals(BAD_CODE, reject(header(FrameType.ACK, 1, 5, 6, 0, 0, 1, 0)));
        assertEquals(BAD_CODE, reject(header(FrameType.KEEPALIVE, 1, 5, 6, 0, 0, 2, 0)));
        assertEquals(BAD_CODE, reject(header(FrameType.CLOSE, 1, 5, 6, 0, 0, 0, 0)));
        assertEquals(BAD_CODE, reject(header(FrameType.CLOSE, 1, 5, 6, 0, 0, 4, 0)));
    }

    @Test void anyInstanceOnlyOnDiscover() {
        assertEquals(BAD_INSTANCE, reject(header(FrameType.DISCOVER, 1, 0, 0, 0, 0, 0, 0)));
        assertEquals(BAD_INSTANCE, reject(header(FrameType.ACK, FrameCodec.ANY_INSTANCE, 5, 6, 0, 0, 0, 0)));
    }

    @Test void nakRangeMustBeAForwardGap() {
        assertEquals(BAD_NAK_RANGE, reject(header(FrameType.NAK, 1, 5, 6, 10, 10, 0, 0)));
        assertEquals(BAD_NAK_RANGE, reject(header(FrameType.NAK, 1, 5, 6, 9, 10, 0, 0)));
        assertEquals(BAD_NAK_RANGE, reject(header(FrameType.NAK, 1, 5, 6, 0x10000 + 10, 10, 0, 0)));
    }

    @Test void dataRecords() {
        assertEquals(BAD_TLP_RECORD, reject(header(FrameType.DATA, 1, 5, 6, 0, 0, 0, 0)));
        assertEquals(BAD_TLP_RECORD, reject(b -> { header(FrameType.DATA, 1, 5, 6, 0, 0, 0, 1).accept(b); b.writeByte(0); }));
        assertEquals(BAD_TLP_RECORD, reject(b -> { header(FrameType.DATA, 1, 5, 6, 0, 0, 0, 13).accept(b); b.writeShort(11).writeZero(11); }));
        assertEquals(BAD_TLP_RECORD, reject(b -> { header(FrameType.DATA, 1, 5, 6, 0, 0, 0, 14).accept(b); b.writeShort(13).writeZero(12); }));
        assertEquals(BAD_TLP_RECORD, reject(b -> { header(FrameType.DATA, 1, 5, 6, 0, 0, 0, 4119).accept(b); b.writeShort(4117).writeZero(4117); }));
    }

    @Test void frameTypeCodesAreStable() {
        // The wire format (docs/wire-format.md) fixes these numbers.
        int[] codes = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        FrameType[] types = {FrameType.HELLO, FrameType.HELLO_ACK, FrameType.DATA, FrameType.ACK, FrameType.NAK,
                FrameType.KEEPALIVE, FrameType.CLOSE, FrameType.DISCOVER, FrameType.ANNOUNCE};
        for (int i = 0; i < codes.length; i++) {
            assertEquals(codes[i], types[i].code());
            assertEquals(types[i], FrameType.of(codes[i]));
        }
        assertNull(FrameType.of(0));
        assertNull(FrameType.of(200));
    }
}
