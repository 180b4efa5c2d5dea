package dev.vpcie.protocol.tlp;

import static org.junit.jupiter.api.Assertions.*;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Vectors written by hand from the header figures of PCIe base spec section 2.2 (request header
 * for 32/64-bit memory, configuration, completion and message headers), in the hex-word form a
 * Linux AER log prints. Each is checked in both directions.
 */
class TlpCodecGoldenTest {
    private static final int HOST = Bdf.of(0, 0, 0), NIC = Bdf.of(1, 0, 0);

    private static byte[] hex(String words) { return HexFormat.of().parseHex(words.replace(" ", "")); }

    private static void golden(String words, Tlp tlp) throws MalformedTlpException {
        assertEquals(words.replace(" ", ""), HexFormat.of().formatHex(TlpCodec.encode(tlp)), "encode " + tlp);
        assertEquals(tlp, TlpCodec.decode(hex(words)), "decode " + words);
        assertEquals(hex(words).length, TlpCodec.encodedLength(tlp));
    }

    @Test void memoryRead32() throws Exception {
        // Fmt 000 Type 00000, Length 1 | requester 01:00.0, tag 5, Last BE 0000 First BE 1111 | address
        golden("00000001 0100050f fedc0010", new MemRead(NIC, 5, 0xFEDC0010L, 1, 0xF, 0));
    }

    @Test void memoryRead32WithTenBitTagAndAttributes() throws Exception {
        // tag 0x3A5: T9 (byte 1 bit 7) and T8 (byte 1 bit 3) set, tag byte A5; TC 3; IDO (byte 1 bit 2), RO+NS (byte 2 bits 5:4)
        // Length 0 means 1024 DW, which with a 4 KiB aligned address does not cross a 4 KiB boundary.
        golden("00bc3000 0000a5ff 80000000", new MemRead(HOST, 0x3A5, 0x8000_0000L, 1024, 0xF, 0xF, false,
                new Attributes(3, true, true, true, false)));
    }

    @Test void memoryWrite64() throws Exception {
        // Fmt 011 Type 00000, Length 2 | requester 00:00.0 tag 0x0a BEs ff | address 63:32, 31:2 | 2 DW payload
        golden("60000002 00000aff 00000001 23456780 11223344 55667788",
                new MemWrite(HOST, 0x0A, 0x1_2345_6780L, 0xF, 0xF, hex("11223344 55667788")));
    }

    @Test void poisonedMemoryWrite32() throws Exception {
        // EP is byte 2 bit 6
        golden("40004001 0100000c 000e2000 deadbeef",
                new MemWrite(NIC, 0, 0xE2000L, 0xC, 0, false, new Attributes(0, false, false, false, true), hex("deadbeef")));
    }

    @Test void configReadType0() throws Exception {
        // Fmt 000 Type 00100 | requester 00:00.0 tag 1 BE 0f | target bus 01 dev/fn 00, register 0x10 (BAR0)
        golden("04000001 0000010f 01000010", new CfgRead(ConfigType.TYPE0, HOST, 1, NIC, 0x10, 0xF));
    }

    @Test void configWriteType1ExtendedRegister() throws Exception {
        // Type 00101; register 0x104: Extended Register Number 1 in byte 10 [3:0], Register Number 0x41 in byte 11 [7:2]
        golden("45000001 00000203 02080104 78563412",
                new CfgWrite(ConfigType.TYPE1, HOST, 2, Bdf.of(2, 1, 0), 0x104, 0x3, hex("78563412")));
    }

    @Test void completionWithDataAsAerPrintsIt() throws Exception {
        // "TLP Header: 4a000001 01000004 00000100": CplD from 01:00.0, SC, Byte Count 4, to 00:00.0 tag 1, Lower Address 0
        golden("4a000001 01000004 00000100 8680 0e10", new Completion(NIC, CplStatus.SC, false, 4, HOST, 1, 0,
                Attributes.DEFAULT, hex("86800e10")));
    }

    @Test void completionWithoutDataUnsupportedRequest() throws Exception {
        // Status UR = 001 in byte 6 [7:5]; Byte Count 4096 travels as 0; Lower Address 0x40
        golden("0a000000 01002000 00000740", new Completion(NIC, CplStatus.UR, false, 4096, HOST, 7, 0x40, Attributes.DEFAULT, null));
    }

    @Test void assertIntA() throws Exception {
        // Fmt 001 Type 10100 (Msg, routed Local) | requester 01:00.0 tag 0 code 0x20 | bytes 8-15 zero
        golden("34000000 01000020 00000000 00000000", Message.assertIntx(NIC, 0));
        golden("34000000 01000027 00000000 00000000", Message.deassertIntx(NIC, 3));
    }

    @Test void vendorDefinedMessageWithData() throws Exception {
        // Fmt 011 Type 10010 (routed by ID) Length 1 | code 0x7f | target 01:00.0, vendor 0x1af4, vendor word | payload
        golden("72000001 0000007f 01001af4 cafef00d 01020304",
                Message.vendorDefined(HOST, true, NIC, 0x1AF4, 0xCAFEF00D, hex("01020304")));
    }

    @Test void stripsEndToEndDigest() throws Exception {
        // TD (byte 2 bit 7) set: one DW of ECRC follows the payload and is not part of the data
        Tlp tlp = TlpCodec.decode(hex("40008001 0100000f 000e2000 deadbeef 12345678"));
        assertEquals(new MemWrite(NIC, 0, 0xE2000L, 0xF, 0, hex("deadbeef")), tlp);
    }

    @Test void aerHeaderLogOfAFourDwWrite() throws Exception {
        // "TLP Header: 60000080 010000ff 00000001 fee00000": MWr64 of 128 DW from 01:00.0 to 0x1_fee0_0000, header only
        Tlp tlp = TlpCodec.decodeHeader(io.netty.buffer.Unpooled.wrappedBuffer(hex("60000080 010000ff 00000001 fee00000")));
        MemWrite w = assertInstanceOf(MemWrite.class, tlp);
        assertEquals(Bdf.of(1, 0, 0), w.requester());
        assertEquals(0x1_FEE0_0000L, w.address());
        assertEquals(128, w.length());
        assertEquals(0xF, w.firstBe());
        assertEquals(0xF, w.lastBe());
        assertTrue(w.longAddress());
    }
}
