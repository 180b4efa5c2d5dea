package dev.vpcie.protocol.nettlp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vpcie.protocol.tlp.Attributes;
import dev.vpcie.protocol.tlp.Completion;
import dev.vpcie.protocol.tlp.CplStatus;
import dev.vpcie.protocol.tlp.MemRead;
import dev.vpcie.protocol.tlp.MemWrite;
import dev.vpcie.protocol.tlp.Tlp;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * NetTLP datagrams byte by byte. Every vector is worked out by hand from the TLP header layout
 * (PCIe base spec 2.2) behind the 6-byte NetTLP header; requester 01:00.0, tag 5.
 */
class NetTlpCodecTest {
    private static final HexFormat HEX = HexFormat.of();

    private static byte[] hex(String s) { return HEX.parseHex(s.replace(" ", "")); }

    private static void roundTrip(Tlp tlp, String datagram) throws MalformedDatagramException {
        assertEquals(datagram.replace(" ", ""), HEX.formatHex(NetTlpCodec.encode(0, 0, tlp)), "encode");
        NetTlpDatagram d = NetTlpCodec.decode(hex(datagram));
        assertEquals(tlp, d.tlp(), "decode");
        assertEquals(0, d.sequence());
        assertEquals(0, d.timestamp());
    }

    @Test void mrd3dw() throws Exception {
        // 64 bytes at 0x1000: Fmt/Type 00 (MRd, 3DW), Length 16; requester 0100, tag 05, BEs FF; address
        roundTrip(new MemRead(0x0100, 5, 0x1000, 16, 0xF, 0xF), "0000 00000000 00000010 010005ff 00001000");
    }

    @Test void mrd4dw() throws Exception {
        // one DW at 0x1_2345_6780: Fmt/Type 20 (MRd, 4DW), Length 1; last BE 0, first BE F; address high then low
        roundTrip(new MemRead(0x0100, 5, 0x1_2345_6780L, 1, 0xF, 0), "0000 00000000 20000001 0100050f 00000001 23456780");
    }

    @Test void cpldAlignedRead() throws Exception {
        // the CplD for the 64-byte read: 4A, Length 16; completer 0000, SC, byte count 64; requester 0100, tag 05, lower address 00
        byte[] data = new byte[64];
        for (int i = 0; i < 64; i++) data[i] = (byte) i;
        roundTrip(new Completion(0, CplStatus.SC, false, 64, 0x0100, 5, 0x00, Attributes.DEFAULT, data),
                "0000 00000000 4a000010 00000040 01000500 " + HEX.formatHex(data));
    }

    @Test void cpldUnalignedRead() throws Exception {
        // MRd at 0x1004, 2 DW, first BE 1100, last BE 0011: bytes 0x1006..0x1009, byte count 4, lower address 0x06;
        // libtlp's last-completion test holds: Length 2 == ((6 & 3) + 4 + 3) >> 2
        roundTrip(new Completion(0, CplStatus.SC, false, 4, 0x0100, 5, 0x06, Attributes.DEFAULT, hex("0000aabb ccdd0000")),
                "0000 00000000 4a000002 00000004 01000506 0000aabb ccdd0000");
        assertEquals(2, ((0x06 & 3) + 4 + 3) >> 2);
    }

    @Test void cpld4096BytesEncodesByteCountAndLengthAsZero() throws Exception {
        Completion c = new Completion(0, CplStatus.SC, false, 4096, 0x0100, 5, 0, Attributes.DEFAULT, new byte[4096]);
        byte[] d = NetTlpCodec.encode(0, 0, c);
        assertEquals("4a000000 00000000 01000500".replace(" ", ""), HEX.formatHex(d, 6, 18));
        assertEquals(c, NetTlpCodec.decode(d).tlp());
    }

    @Test void shortMemoryWriteIsPaddedAndKeepsItsByteEnables() throws Exception {
        // dma_write of "ab" at 0x2000: Fmt/Type 40 (MWr, 3DW), Length 1, first BE 0011, and only the two bytes
        NetTlpDatagram d = NetTlpCodec.decode(hex("0000 00000000 40000001 01000003 00002000 6162"));
        MemWrite w = (MemWrite) d.tlp();
        assertEquals(0x0003, w.firstBe());
        assertEquals(0x2000, w.address());
        assertArrayEquals(hex("61620000"), w.data());
    }

    @Test void wholeMemoryWriteRoundTrips() throws Exception {
        roundTrip(new MemWrite(0x0100, 0, 0x2000, 0xF, 0xF, hex("01020304 05060708")),
                "0000 00000000 40000002 010000ff 00002000 01020304 05060708");
    }

    @Test void headerFieldsAreReadBigEndianAndWritten() throws Exception {
        MemRead r = new MemRead(0x0100, 5, 0x1000, 1, 0xF, 0);
        byte[] d = NetTlpCodec.encode(0x1234, 0x89ABCDEFL, r);
        assertEquals("123489abcdef", HEX.formatHex(d, 0, 6));
        NetTlpDatagram back = NetTlpCodec.decode(d);
        assertEquals(0x1234, back.sequence());
        assertEquals(0x89ABCDEFL, back.timestamp());
    }

    @Test void truncatedAndBadDatagramsAreRefused() {
        var e = assertThrows(MalformedDatagramException.class, () -> NetTlpCodec.decode(hex("0000 00000000 0000")));
        assertEquals(MalformedDatagramException.Reason.TRUNCATED, e.reason());
        var bad = assertThrows(MalformedDatagramException.class,
                () -> NetTlpCodec.decode(hex("0000 00000000 00000010 010005ff")));
        assertEquals(MalformedDatagramException.Reason.BAD_TLP, bad.reason());
        // a longer MWr that is short of its Length is not padded: only 1-3 byte writes are
        assertThrows(MalformedDatagramException.class, () -> NetTlpCodec.decode(hex("0000 00000000 40000002 010000ff 00002000 01020304")));
    }
}
