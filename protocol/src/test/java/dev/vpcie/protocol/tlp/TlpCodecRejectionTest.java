package dev.vpcie.protocol.tlp;

import static dev.vpcie.protocol.tlp.MalformedTlpException.Reason.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.vpcie.protocol.tlp.MalformedTlpException.Reason;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** One malformed TLP per verify rule, each rejected with its own reason; and what must be accepted. */
class TlpCodecRejectionTest {

    record Case(Reason reason, String why, String hex) {
        @Override public String toString() { return reason + ": " + why; }
    }

    static final List<Case> CASES = List.of(
            new Case(TRUNCATED_HEADER, "less than one DW", "000000"),
            new Case(TRUNCATED_HEADER, "MRd32 with only 2 of 3 header DWs", "00000001 0100050f"),
            new Case(TRUNCATED_HEADER, "MRd64 with a 3DW header", "20000001 0100050f 00000001"),
            new Case(LENGTH_MISMATCH, "MWr32 Length 2 with 1 DW of payload", "40000002 010000ff 000e2000 deadbeef"),
            new Case(LENGTH_MISMATCH, "MWr32 Length 1 with 2 DW of payload", "40000001 0100000f 000e2000 deadbeef 01020304"),
            new Case(LENGTH_MISMATCH, "MRd32 followed by a stray DW", "00000001 0100050f fedc0010 00000000"),
            new Case(LENGTH_MISMATCH, "TD=1 but no digest", "40008001 0100000f 000e2000 deadbeef"),
            new Case(RESERVED_FMT, "Fmt 101", "a0000001 0100050f fedc0010"),
            new Case(RESERVED_FMT, "Fmt 111", "e0000001 0100050f fedc0010"),
            new Case(RESERVED_TYPE, "Fmt 000 Type 00011", "03000001 0100050f fedc0010"),
            new Case(RESERVED_TYPE, "I/O read in 4DW format", "22000001 0000000f 00000000 00001000"),
            new Case(RESERVED_TYPE, "message in 3DW format", "14000000 01000020 00000000"),
            new Case(RESERVED_TYPE, "completion in 4DW format", "2a000000 01000004 00000100 00000000"),
            new Case(UNSUPPORTED_TYPE, "MRdLk", "01000001 0100050f fedc0010"),
            new Case(UNSUPPORTED_TYPE, "FetchAdd AtomicOp", "4c000001 0100050f fedc0010 00000001"),
            new Case(UNSUPPORTED_TYPE, "TLP prefix", "80000000 00000001 0100050f fedc0010"),
            new Case(UNSUPPORTED_FIELD, "MRd32 with TH=1", "00010001 0100050f fedc0010"),
            new Case(UNSUPPORTED_FIELD, "MRd32 with AT=10b (translated)", "00000801 0100050f fedc0010"),
            new Case(RESERVED_ROUTING, "message routing 110", "36000000 0100007e 00000000 00000000"),
            new Case(RESERVED_ROUTING, "message routing 111", "37000000 0100007e 00000000 00000000"),
            new Case(BAD_COMPLETION_STATUS, "Completion Status 011", "0a000000 01006004 00000100"),
            new Case(BAD_COMPLETION_STATUS, "Completion Status 111", "0a000000 0100e004 00000100"),
            new Case(LAST_BE_ON_1DW, "MRd32 of 1 DW with Last DW BE 1111", "00000001 010005ff fedc0010"),
            new Case(LAST_BE_ON_1DW, "CfgRd0 with Last DW BE 0001", "04000001 0000011f 01000010"),
            new Case(ZERO_BE_MULTI_DW, "MRd32 of 2 DW with Last DW BE 0000", "00000002 0100050f fedc0010"),
            new Case(ZERO_BE_MULTI_DW, "MRd32 of 3 DW with First DW BE 0000", "00000003 010005f0 fedc0010"),
            new Case(NON_CONTIGUOUS_BE, "MRd32 of 3 DW with First DW BE 0101", "00000003 010005f5 fedc0010"),
            new Case(NON_CONTIGUOUS_BE, "MRd32 of 3 DW with Last DW BE 1000", "00000003 0100058f fedc0010"),
            new Case(NON_CONTIGUOUS_BE, "MRd32 of 2 DW not QW aligned, First DW BE 0101", "00000002 010005f5 fedc0014"),
            new Case(CROSSES_4K, "MRd32 of 2 DW at 0xffc", "00000002 010005ff 00000ffc"),
            new Case(CROSSES_4K, "MRd32 of 1024 DW at 0x1004", "00000000 010005ff 00001004"),
            new Case(CROSSES_4K, "MWr64 of 2 DW ending past 4 KiB", "60000002 000000ff 00000001 00000ffc 00000000 00000000"),
            new Case(IO_CONFIG_TC_ATTR, "CfgRd0 with TC1", "04100001 0000010f 01000010"),
            new Case(IO_CONFIG_TC_ATTR, "IORd with No Snoop", "02001001 0000000f 00001000"),
            new Case(IO_CONFIG_LENGTH, "CfgRd0 with Length 2", "04000002 0000010f 01000010"),
            new Case(IO_CONFIG_LENGTH, "IOWr with Length 2", "42000002 0000000f 00001000 00000000 00000000"),
            new Case(POISONED_IO_CONFIG, "poisoned IOWr", "42004001 0000000f 00001000 00000000"),
            new Case(BYTE_COUNT_MISMATCH, "CplD of 2 DW with Byte Count 4", "4a000002 01000004 00000100 00000000 00000000"),
            new Case(BYTE_COUNT_MISMATCH, "CplD of 2 DW, Byte Count 5 from Lower Address 0x3 needs 2 DW - but 3 sent",
                    "4a000003 01000005 00000103 00000000 00000000 00000000"),
            new Case(BAD_MESSAGE, "Assert_INTA routed by ID", "32000000 01000020 00000000 00000000"),
            new Case(BAD_MESSAGE, "Deassert_INTB with data", "74000001 01000025 00000000 00000000 00000000"));

    @ParameterizedTest(name = "{0}") @FieldSource("CASES")
    void rejected(Case c) {
        byte[] bytes = HexFormat.of().parseHex(c.hex.replace(" ", ""));
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        MalformedTlpException e = assertThrows(MalformedTlpException.class, () -> TlpCodec.decode(buf), c.why);
        assertEquals(c.reason, e.reason(), c.why + ": " + e.getMessage());
        assertTrue(e.getMessage().startsWith(c.reason.name() + ": "), e.getMessage());
        assertEquals(0, buf.readerIndex(), "a rejected TLP leaves the reader index alone");
    }

    @Test void everyReasonHasARejectionCase() {
        Set<Reason> covered = CASES.stream().map(Case::reason).collect(Collectors.toCollection(() -> EnumSet.noneOf(Reason.class)));
        assertEquals(EnumSet.allOf(Reason.class), covered);
    }

    private static Tlp decode(String hex) throws MalformedTlpException {
        return TlpCodec.decode(HexFormat.of().parseHex(hex.replace(" ", "")));
    }

    @Test void longFormatBelow4GiBIsAcceptedButFlagged() throws Exception {
        Tlp tlp = decode("20000001 0100050f 00000000 fedc0010");
        assertEquals(new MemRead(Bdf.of(1, 0, 0), 5, 0xFEDC0010L, 1, 0xF, 0, true, Attributes.DEFAULT), tlp);
        assertEquals(EnumSet.of(TlpWarning.ADDRESS_64_BELOW_4G), TlpWarning.of(tlp));
        assertEquals(Set.of(), TlpWarning.of(decode("20000001 0100050f 00000001 fedc0010")));
        assertEquals(Set.of(), TlpWarning.of(decode("00000001 0100050f fedc0010")));
    }

    @Test void acceptsWhatTheSpecAllows() throws Exception {
        // non-contiguous BEs in a 1-DW request and in a QW-aligned 2-DW request
        assertInstanceOf(MemRead.class, decode("00000001 0100050a fedc0010"));
        assertInstanceOf(MemRead.class, decode("00000002 01000559 fedc0010"));
        // zero-length read: 1 DW with First DW BE 0000
        assertInstanceOf(MemRead.class, decode("00000001 01000500 fedc0010"));
        // a request that ends exactly on a 4 KiB boundary
        assertInstanceOf(MemRead.class, decode("00000001 0100050f 00000ffc"));
        assertInstanceOf(MemRead.class, decode("00000000 010005ff 00001000"));
        // BCM=1 completions: Byte Count covers only this completion, so no comparison
        assertInstanceOf(Completion.class, decode("4a000002 01001004 00000100 00000000 00000000"));
        // the last completion of a read: 3 bytes from Lower Address 0x3 span 2 DWs
        assertInstanceOf(Completion.class, decode("4a000002 01000003 00000103 00000000 00000000"));
        // reserved bits are ignored (byte 11 bit 7 of a completion, Attr[2] on a config request)
        assertInstanceOf(Completion.class, decode("0a000000 01000004 00000180"));
        assertInstanceOf(CfgRead.class, decode("04040001 0000010f 01000010"));
    }

    @Test void decodesOnlyTheReadableSlice() throws Exception {
        ByteBuf buf = Unpooled.wrappedBuffer(HexFormat.of().parseHex("ffffffff" + "00000001 0100050f fedc0010".replace(" ", "") + "ffff"));
        ByteBuf slice = buf.slice(4, 12);
        assertInstanceOf(MemRead.class, TlpCodec.decode(slice));
        assertEquals(12, slice.readerIndex(), "consumed");
    }

    @Test void headerOnlyDecodingForHeaderLogs() throws Exception {
        // AER logs 4 DWs: a CplD header of 3 DW and one more DW; Length 1 but no payload
        ByteBuf buf = Unpooled.wrappedBuffer(HexFormat.of().parseHex("4a000001010000040000010000000000"));
        Completion c = (Completion) TlpCodec.decodeHeader(buf);
        assertEquals(4, c.byteCount());
        assertArrayEquals(new byte[4], c.data());
        assertEquals(12, buf.readerIndex());
        // header rules still apply
        assertEquals(BAD_COMPLETION_STATUS, assertThrows(MalformedTlpException.class,
                () -> TlpCodec.decodeHeader(Unpooled.wrappedBuffer(HexFormat.of().parseHex("4a000001010060040000010000")))).reason());
        assertEquals(TRUNCATED_HEADER, assertThrows(MalformedTlpException.class,
                () -> TlpCodec.decodeHeader(Unpooled.wrappedBuffer(HexFormat.of().parseHex("4a000001010000040000")))).reason());
    }
}
