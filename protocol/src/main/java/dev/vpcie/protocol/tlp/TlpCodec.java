package dev.vpcie.protocol.tlp;

import static dev.vpcie.protocol.tlp.MalformedTlpException.Reason.*;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Encodes and decodes TLPs in the PCIe base spec's header layout (section 2.2), big-endian as
 * on a link, so captures are genuine TLPs. Pure functions over buffers: no state, no logging.
 *
 * <pre>
 * DW0  byte 0: Fmt[2:0] Type[4:0]
 *      byte 1: T9 TC[2:0] T8 Attr[2](IDO) LN TH
 *      byte 2: TD EP Attr[1:0](RO,NS) AT[1:0] Length[9:8]
 *      byte 3: Length[7:0]                        (0 means 1024 DW)
 * requests  DW1: Requester ID, Tag[7:0], Last DW BE, First DW BE
 *           memory DW2(,DW3): Address[31:2] or Address[63:32], Address[31:2]
 *           config DW2: target Bus, Device/Function, Ext Register[3:0], Register[7:2]
 * completions DW1: Completer ID, Status[2:0] BCM Byte Count[11:0] (0 means 4096)
 *             DW2: Requester ID, Tag[7:0], R Lower Address[6:0]
 * messages  DW1: Requester ID, Tag[7:0], Message Code; DW2-DW3: header bytes 8-15
 * </pre>
 *
 * <p>The encoder never sets TD, TH, LN or AT. The decoder strips a TD=1 digest (ECRC) without
 * checking it: the reliable link below already protects every frame with its own check, and a
 * digest only reaches us from captures of real links. Reserved bits are ignored on receipt, as
 * the spec requires.
 */
public final class TlpCodec {
    private TlpCodec() {}

    // DW0 bits
    private static final int T9 = 1 << 23, T8 = 1 << 19, IDO = 1 << 18, LN = 1 << 17, TH = 1 << 16;
    private static final int TD = 1 << 15, EP = 1 << 14, RO = 1 << 13, NS = 1 << 12, AT = 3 << 10, LENGTH = 0x3FF;

    /** Header plus payload bytes of {@code tlp} as {@link #encode} writes them. */
    public static int encodedLength(Tlp tlp) {
        return TlpType.of(tlp).headerBytes() + payloadBytes(tlp);
    }

    private static int payloadBytes(Tlp tlp) {
        return switch (tlp) {
            case MemRead r -> 0;
            case IoRead r -> 0;
            case CfgRead r -> 0;
            case MemWrite w -> w.data().length;
            case IoWrite w -> 4;
            case CfgWrite w -> 4;
            case Completion c -> c.hasData() ? c.data().length : 0;
            case Message m -> m.hasData() ? m.data().length : 0;
        };
    }

    /** Writes {@code tlp} (header then payload) at {@code out}'s writer index. */
    public static void encode(Tlp tlp, ByteBuf out) {
        TlpType kind = TlpType.of(tlp);
        switch (tlp) {
            case MemRead r -> {
                out.writeInt(dw0(kind, r.tag(), r.attributes(), r.length()));
                out.writeInt(requestDw1(r.requester(), r.tag(), r.lastBe(), r.firstBe()));
                writeAddress(out, r.address(), r.longAddress());
            }
            case MemWrite w -> {
                out.writeInt(dw0(kind, w.tag(), w.attributes(), w.length()));
                out.writeInt(requestDw1(w.requester(), w.tag(), w.lastBe(), w.firstBe()));
                writeAddress(out, w.address(), w.longAddress());
                out.writeBytes(w.data());
            }
            case IoRead r -> {
                out.writeInt(dw0(kind, r.tag(), Attributes.DEFAULT, 1));
                out.writeInt(requestDw1(r.requester(), r.tag(), 0, r.firstBe()));
                out.writeInt(r.address());
            }
            case IoWrite w -> {
                out.writeInt(dw0(kind, w.tag(), Attributes.DEFAULT, 1));
                out.writeInt(requestDw1(w.requester(), w.tag(), 0, w.firstBe()));
                out.writeInt(w.address());
                out.writeBytes(w.data());
            }
            case CfgRead r -> {
                out.writeInt(dw0(kind, r.tag(), Attributes.DEFAULT, 1));
                out.writeInt(requestDw1(r.requester(), r.tag(), 0, r.firstBe()));
                // register is DW aligned and < 4 KiB, so its bits 11:8 land in byte 10 [3:0] and 7:2 in byte 11 [7:2]
                out.writeInt(r.target() << 16 | r.register());
            }
            case CfgWrite w -> {
                out.writeInt(dw0(kind, w.tag(), Attributes.DEFAULT, 1));
                out.writeInt(requestDw1(w.requester(), w.tag(), 0, w.firstBe()));
                out.writeInt(w.target() << 16 | w.register());
                out.writeBytes(w.data());
            }
            case Completion c -> {
                out.writeInt(dw0(kind, c.tag(), c.attributes(), c.length()));
                out.writeInt(c.completer() << 16 | c.status().code << 13 | (c.bcm() ? 1 << 12 : 0) | (c.byteCount() & 0xFFF));
                out.writeInt(c.requester() << 16 | (c.tag() & 0xFF) << 8 | c.lowerAddress());
                if (c.hasData()) out.writeBytes(c.data());
            }
            case Message m -> {
                int length = m.hasData() ? m.data().length >>> 2 : 0;
                out.writeInt(dw0(kind, m.tag(), m.attributes(), length) | m.routing().code << 24);
                out.writeInt(m.requester() << 16 | (m.tag() & 0xFF) << 8 | m.code());
                out.writeLong(m.headerTail());
                if (m.hasData()) out.writeBytes(m.data());
            }
        }
    }

    /** The encoded bytes of {@code tlp}. */
    public static byte[] encode(Tlp tlp) {
        byte[] bytes = new byte[encodedLength(tlp)];
        encode(tlp, Unpooled.wrappedBuffer(bytes).writerIndex(0));
        return bytes;
    }

    /** Decodes {@code bytes} as exactly one TLP. */
    public static Tlp decode(byte[] bytes) throws MalformedTlpException {
        return decode(Unpooled.wrappedBuffer(bytes));
    }

    /**
     * Decodes all readable bytes of {@code in} as exactly one TLP (the encapsulation hands over
     * a slice per TLP). The header is verified before the payload is looked at. On success the
     * reader index moves to the writer index; on failure it is unchanged.
     */
    public static Tlp decode(ByteBuf in) throws MalformedTlpException {
        return decode(in, false);
    }

    /**
     * Decodes and verifies only the header at {@code in}'s reader index, as a PCIe Header Log
     * (Linux AER "TLP Header: ...") holds it; bytes after the header are ignored. A kind that
     * carries data gets a zero-filled payload of the size Length announces: the returned record
     * describes the header, its payload bytes are not the TLP's. The reader index moves past
     * the header.
     */
    public static Tlp decodeHeader(ByteBuf in) throws MalformedTlpException {
        return decode(in, true);
    }

    private static Tlp decode(ByteBuf in, boolean headerOnly) throws MalformedTlpException {
        final int at = in.readerIndex(), available = in.readableBytes();
        if (available < 4) throw new MalformedTlpException(TRUNCATED_HEADER, available + " bytes, less than the first header DW");
        final int dw0 = in.getInt(at);
        final TlpType kind = TlpType.decode(dw0 >>> 29, dw0 >>> 24 & 0x1F);
        final int header = kind.headerBytes();
        if (available < header)
            throw new MalformedTlpException(TRUNCATED_HEADER,
                    kind.mnemonic + " has a " + header / 4 + "DW header but only " + available + " bytes are present");
        final int dw1 = in.getInt(at + 4), dw2 = in.getInt(at + 8), dw3 = header == 16 ? in.getInt(at + 12) : 0;
        final int length = (dw0 & LENGTH) == 0 ? 1024 : dw0 & LENGTH;

        verifyHeader(kind, dw0, dw1, dw2, dw3, length);

        final int payload = kind.hasData() ? length * 4 : 0;
        final int digest = (dw0 & TD) != 0 ? 4 : 0;
        if (!headerOnly && available != header + payload + digest)
            throw new MalformedTlpException(LENGTH_MISMATCH, kind.mnemonic + " Length " + length + " DW"
                    + (kind.hasData() ? "" : " (no data)") + (digest != 0 ? " with TD digest" : "") + " needs "
                    + (payload + digest) + " bytes after the " + header + "-byte header, got " + (available - header));
        byte[] data = null;
        if (kind.hasData()) {
            data = new byte[payload];
            if (!headerOnly) in.getBytes(at + header, data);
        }
        Tlp tlp = build(kind, dw0, dw1, dw2, dw3, length, data);
        in.readerIndex(at + (headerOnly ? header : available));
        return tlp;
    }

    /** The header rules of PCIe base spec 2.2, one {@link MalformedTlpException.Reason} each. */
    private static void verifyHeader(TlpType kind, int dw0, int dw1, int dw2, int dw3, int length)
            throws MalformedTlpException {
        switch (kind) {
            case MRD_32, MRD_64, MWR_32, MWR_64 -> {
                if ((dw0 & (TH | LN | AT)) != 0)
                    throw new MalformedTlpException(UNSUPPORTED_FIELD, kind.mnemonic + " with "
                            + ((dw0 & TH) != 0 ? "TH=1 (processing hints)" : (dw0 & LN) != 0 ? "LN=1 (lightweight notification)"
                            : "AT=" + (dw0 >>> 10 & 3) + " (translated address)") + " is not supported");
                long address = memoryAddress(kind, dw2, dw3);
                checkRequestByteEnables(kind.mnemonic, length, dw1 & 0xF, dw1 >>> 4 & 0xF, address);
                if ((address & 0xFFF) + length * 4L > 4096)
                    throw new MalformedTlpException(CROSSES_4K, kind.mnemonic + " at 0x" + Long.toHexString(address) + " for "
                            + length + " DW crosses a 4 KiB boundary");
            }
            case IORD, IOWR, CFGRD0, CFGWR0, CFGRD1, CFGWR1 -> {
                if ((dw0 >>> 20 & 7) != 0 || (dw0 & (RO | NS)) != 0)
                    throw new MalformedTlpException(IO_CONFIG_TC_ATTR, kind.mnemonic + " must use TC0 and Attr 00, has TC"
                            + (dw0 >>> 20 & 7) + " Attr " + (dw0 >>> 12 & 3));
                if (length != 1)
                    throw new MalformedTlpException(IO_CONFIG_LENGTH, kind.mnemonic + " must be 1 DW long, Length is " + length);
                if ((dw1 >>> 4 & 0xF) != 0)
                    throw new MalformedTlpException(LAST_BE_ON_1DW, kind.mnemonic + " is 1 DW, Last DW BE must be 0000b, is "
                            + bits4(dw1 >>> 4));
                if ((dw0 & EP) != 0)
                    throw new MalformedTlpException(POISONED_IO_CONFIG, "poisoned (EP=1) " + kind.mnemonic + " is not supported");
            }
            case CPL, CPLD -> {
                if (CplStatus.fromCode(dw1 >>> 13 & 7) == null)
                    throw new MalformedTlpException(BAD_COMPLETION_STATUS, "Completion Status " + TlpType.bits3(dw1 >>> 13 & 7)
                            + " is reserved");
                boolean bcm = (dw1 & 1 << 12) != 0;
                int byteCount = (dw1 & 0xFFF) == 0 ? 4096 : dw1 & 0xFFF;
                int lowerAddress = dw2 & 0x7F;
                // The payload starts at the DW holding Lower Address and may not run past the bytes still owed.
                // BCM=1 (PCI-X completers) makes Byte Count describe only this completion, so nothing to compare.
                if (kind == TlpType.CPLD && !bcm && length * 4 > ((lowerAddress & 3) + byteCount + 3 & ~3))
                    throw new MalformedTlpException(BYTE_COUNT_MISMATCH, "CplD carries " + length + " DW but Byte Count "
                            + byteCount + " from Lower Address 0x" + Integer.toHexString(lowerAddress) + " leaves only "
                            + ((lowerAddress & 3) + byteCount + 3) / 4 + " DW");
            }
            case MSG, MSGD -> {
                MessageRouting routing = MessageRouting.fromCode(dw0 >>> 24 & 7);
                if (routing == null)
                    throw new MalformedTlpException(RESERVED_ROUTING, "message routing r[2:0] = " + TlpType.bits3(dw0 >>> 24 & 7)
                            + " is reserved");
                int code = dw1 & 0xFF;
                if (code >= Message.ASSERT_INTA && code <= Message.DEASSERT_INTD && (routing != MessageRouting.LOCAL || kind == TlpType.MSGD))
                    throw new MalformedTlpException(BAD_MESSAGE, "INTx message 0x" + Integer.toHexString(code)
                            + " must be a Msg without data routed Local, is " + kind.mnemonic + " routed " + routing);
            }
        }
    }

    /**
     * Byte-enable rules for memory, I/O and configuration requests (PCIe base spec 2.2.5): a 1-DW
     * request has Last DW BE 0000b; a longer one has neither BE 0000b; non-contiguous enables
     * only in 1-DW requests and in QW-aligned 2-DW requests.
     */
    static void checkRequestByteEnables(String what, int length, int firstBe, int lastBe, long address)
            throws MalformedTlpException {
        if (length == 1) {
            if (lastBe != 0)
                throw new MalformedTlpException(LAST_BE_ON_1DW, what + " is 1 DW, Last DW BE must be 0000b, is " + bits4(lastBe));
            return;
        }
        if (firstBe == 0 || lastBe == 0)
            throw new MalformedTlpException(ZERO_BE_MULTI_DW, what + " is " + length + " DW, First DW BE " + bits4(firstBe)
                    + " and Last DW BE " + bits4(lastBe) + " must both be non-zero");
        boolean qwAligned2Dw = length == 2 && (address & 4) == 0;
        if (!qwAligned2Dw && (!ByteEnables.contiguousToTop(firstBe) || !ByteEnables.contiguousFromBottom(lastBe)))
            throw new MalformedTlpException(NON_CONTIGUOUS_BE, what + " of " + length + " DW at 0x" + Long.toHexString(address)
                    + " must have contiguous byte enables, has First " + bits4(firstBe) + " Last " + bits4(lastBe));
    }

    private static long memoryAddress(TlpType kind, int dw2, int dw3) {
        return kind.headerBytes() == 16 ? (dw2 & 0xFFFFFFFFL) << 32 | (dw3 & 0xFFFFFFFCL) : dw2 & 0xFFFFFFFCL;
    }

    private static Tlp build(TlpType kind, int dw0, int dw1, int dw2, int dw3, int length, byte[] data) {
        int tagHigh = ((dw0 & T9) != 0 ? 0x200 : 0) | ((dw0 & T8) != 0 ? 0x100 : 0);
        int requestTag = tagHigh | dw1 >>> 8 & 0xFF;
        int requester = dw1 >>> 16, firstBe = dw1 & 0xF, lastBe = dw1 >>> 4 & 0xF;
        return switch (kind) {
            case MRD_32, MRD_64 -> new MemRead(requester, requestTag, memoryAddress(kind, dw2, dw3), length, firstBe, lastBe,
                    kind == TlpType.MRD_64, attributes(dw0));
            case MWR_32, MWR_64 -> new MemWrite(requester, requestTag, memoryAddress(kind, dw2, dw3), firstBe, lastBe,
                    kind == TlpType.MWR_64, attributes(dw0), data);
            case IORD -> new IoRead(requester, requestTag, dw2 & ~3, firstBe);
            case IOWR -> new IoWrite(requester, requestTag, dw2 & ~3, firstBe, data);
            case CFGRD0, CFGRD1 -> new CfgRead(kind == TlpType.CFGRD0 ? ConfigType.TYPE0 : ConfigType.TYPE1, requester, requestTag,
                    dw2 >>> 16, dw2 & 0xFFC, firstBe);
            case CFGWR0, CFGWR1 -> new CfgWrite(kind == TlpType.CFGWR0 ? ConfigType.TYPE0 : ConfigType.TYPE1, requester, requestTag,
                    dw2 >>> 16, dw2 & 0xFFC, firstBe, data);
            case CPL, CPLD -> new Completion(dw1 >>> 16, CplStatus.fromCode(dw1 >>> 13 & 7), (dw1 & 1 << 12) != 0,
                    (dw1 & 0xFFF) == 0 ? 4096 : dw1 & 0xFFF, dw2 >>> 16, tagHigh | dw2 >>> 8 & 0xFF, dw2 & 0x7F,
                    attributes(dw0), data);
            case MSG, MSGD -> new Message(requester, requestTag, MessageRouting.fromCode(dw0 >>> 24 & 7), dw1 & 0xFF,
                    (long) dw2 << 32 | (dw3 & 0xFFFFFFFFL), attributes(dw0), data);
        };
    }

    private static Attributes attributes(int dw0) {
        int attr = ((dw0 & IDO) != 0 ? 4 : 0) | ((dw0 & RO) != 0 ? 2 : 0) | ((dw0 & NS) != 0 ? 1 : 0);
        return Attributes.of(dw0 >>> 20 & 7, attr, (dw0 & EP) != 0);
    }

    private static int dw0(TlpType kind, int tag, Attributes a, int lengthDw) {
        return kind.fmt << 29 | kind.type << 24 | ((tag & 0x200) != 0 ? T9 : 0) | a.trafficClass() << 20
                | ((tag & 0x100) != 0 ? T8 : 0) | (a.idBasedOrdering() ? IDO : 0) | (a.poisoned() ? EP : 0)
                | (a.relaxedOrdering() ? RO : 0) | (a.noSnoop() ? NS : 0) | (lengthDw & LENGTH);
    }

    private static int requestDw1(int requester, int tag, int lastBe, int firstBe) {
        return requester << 16 | (tag & 0xFF) << 8 | lastBe << 4 | firstBe;
    }

    private static void writeAddress(ByteBuf out, long address, boolean longAddress) {
        if (longAddress) out.writeLong(address);
        else out.writeInt((int) address);
    }

    static String bits4(int v) { return "0b" + Integer.toBinaryString(16 | v & 0xF).substring(1); }
}
