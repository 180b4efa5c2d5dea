package dev.vpcie.protocol.encap;

import static dev.vpcie.protocol.encap.MalformedFrameException.Reason.*;

import dev.vpcie.protocol.transport.MacAddress;
import io.netty.buffer.ByteBuf;

/**
 * The native encapsulation, as pure functions over buffers: no sockets, threads or logging. A
 * frame is an Ethernet II header (with an 802.1Q tag whose VLAN ID is the group, unless the group
 * is 0), the 36-byte link header, then the payload; a DATA payload is a run of TLP records, each a
 * 2-byte big-endian length and that many bytes of TLP. The byte layout is drawn in
 * docs/wire-format.md; {@link #readHeader} checks every rule listed there before anything acts on
 * the frame.
 */
public final class FrameCodec {
    private FrameCodec() {}

    /** IEEE 802 "local experimental" EtherType 1. */
    public static final int DEFAULT_ETHER_TYPE = 0x88B5;
    public static final int TPID_8021Q = 0x8100;
    public static final int VERSION = 1;
    /** Version of a frame sealed with a group key: the header is the same, an ICV follows the payload. */
    public static final int VERSION_AUTHENTICATED = 2;
    /** Bytes of integrity check value after the payload of a sealed frame (truncated HMAC-SHA-256). */
    public static final int ICV_LENGTH = 16;

    public static final int ETHERNET_HEADER_LENGTH = 14;
    public static final int VLAN_TAG_LENGTH = 4;
    public static final int LINK_HEADER_LENGTH = 36;
    /** Bytes in front of each TLP of a DATA payload: its length. */
    public static final int TLP_RECORD_PREFIX = 2;
    /** The smallest TLP: a 3DW header. */
    public static final int MIN_TLP_LENGTH = 12;
    /** The largest TLP: a 4DW header, 1024 DW of data and a 1-DW digest. */
    public static final int MAX_TLP_LENGTH = 16 + 4096 + 4;
    /** Destination host-instance of a DISCOVER: every instance answers. */
    public static final int ANY_INSTANCE = 0xFFFF;
    /** Groups are VLAN IDs 1..4094; group 0 means untagged. */
    public static final int MAX_GROUP = 4094;

    /**
     * Code of a KEEPALIVE that challenges the peer to prove it still holds the session: the peer
     * answers with an ACK at once (a HELLO claimed to restart it; see docs/security.md).
     */
    public static final int KEEPALIVE_CHALLENGE = 1;

    private static final int PAYLOAD_LENGTH_OFFSET = 2;

    /** Bytes of Ethernet header (with the tag when {@code group != 0}). */
    public static int ethernetHeaderLength(int group) {
        return group == 0 ? ETHERNET_HEADER_LENGTH : ETHERNET_HEADER_LENGTH + VLAN_TAG_LENGTH;
    }

    /** Bytes in front of the payload: Ethernet header, tag, link header. */
    public static int frameOverhead(int group) {
        return ethernetHeaderLength(group) + LINK_HEADER_LENGTH;
    }

    public static void writeEthernet(ByteBuf out, MacAddress destination, MacAddress source, int group, int etherType) {
        checkGroup(group);
        writeMac(out, destination);
        writeMac(out, source);
        if (group != 0) {
            out.writeShort(TPID_8021Q);
            out.writeShort(group); // PCP 0, DEI 0, VID = group
        }
        out.writeShort(etherType);
    }

    /** Reads the Ethernet header (and a single 802.1Q tag if present), leaving the reader index after it. */
    public static EthernetHeader readEthernet(ByteBuf in) throws MalformedFrameException {
        if (in.readableBytes() < ETHERNET_HEADER_LENGTH)
            throw new MalformedFrameException(TRUNCATED, in.readableBytes() + " bytes, shorter than an Ethernet header");
        MacAddress dst = readMac(in), src = readMac(in);
        int type = in.readUnsignedShort();
        if (type != TPID_8021Q) return new EthernetHeader(dst, src, false, 0, type);
        if (in.readableBytes() < VLAN_TAG_LENGTH)
            throw new MalformedFrameException(TRUNCATED, "802.1Q tag cut short");
        int vid = in.readUnsignedShort() & 0xFFF;
        return new EthernetHeader(dst, src, true, vid, in.readUnsignedShort());
    }

    public static void writeHeader(ByteBuf out, FrameHeader h) {
        writeHeader(out, h.type(), h.srcInstance(), h.dstInstance(), h.srcEpoch(), h.dstEpoch(), h.seq(), h.ack(),
                h.window(), h.code(), h.payloadLength());
    }

    /** Writes the link header; for DATA, write {@code payloadLength} 0 and patch it with {@link #setPayloadLength}. */
    public static void writeHeader(ByteBuf out, FrameType type, int srcInstance, int dstInstance, long srcEpoch,
                                   long dstEpoch, int seq, int ack, int window, int code, int payloadLength) {
        out.writeByte(VERSION);
        out.writeByte(type.code());
        out.writeShort(payloadLength);
        out.writeShort(srcInstance);
        out.writeShort(dstInstance);
        out.writeLong(srcEpoch);
        out.writeLong(dstEpoch);
        out.writeInt(seq);
        out.writeInt(ack);
        out.writeShort(window);
        out.writeShort(code);
    }

    /** Sets Payload Length of the header written at {@code headerIndex} to what follows it up to the writer index. */
    public static void setPayloadLength(ByteBuf out, int headerIndex) {
        int length = out.writerIndex() - headerIndex - LINK_HEADER_LENGTH;
        if (length < 0 || length > 0xFFFF) throw new IllegalArgumentException("payload length out of range: " + length);
        out.setShort(headerIndex + PAYLOAD_LENGTH_OFFSET, length);
    }

    /** Starts a TLP record: writes a placeholder length and returns where it is, for {@link #endTlpRecord}. */
    public static int beginTlpRecord(ByteBuf out) {
        int at = out.writerIndex();
        out.writeShort(0);
        return at;
    }

    public static void endTlpRecord(ByteBuf out, int lengthIndex) {
        int length = out.writerIndex() - lengthIndex - TLP_RECORD_PREFIX;
        if (length < MIN_TLP_LENGTH || length > MAX_TLP_LENGTH)
            throw new IllegalArgumentException("TLP of " + length + " bytes cannot be framed");
        out.setShort(lengthIndex, length);
    }

    /**
     * Reads and verifies the link header, leaving the reader index at the payload. The payload is
     * the next {@link FrameHeader#payloadLength()} bytes; anything after it is Ethernet padding.
     * A DATA payload's TLP records are verified too (not the TLPs themselves: that is TlpCodec's
     * job), so {@link #readTlpRecord} cannot fail afterwards.
     */
    public static FrameHeader readHeader(ByteBuf in) throws MalformedFrameException {
        return readHeader(in, VERSION);
    }

    /**
     * {@link #readHeader(ByteBuf)} for frames of the given version: {@link #VERSION_AUTHENTICATED}
     * once the frame's ICV has been checked and cut off (a keyed link), {@link #VERSION} otherwise.
     */
    public static FrameHeader readHeader(ByteBuf in, int expectedVersion) throws MalformedFrameException {
        if (in.readableBytes() < LINK_HEADER_LENGTH)
            throw new MalformedFrameException(TRUNCATED, in.readableBytes() + " bytes, shorter than the link header");
        int version = in.readUnsignedByte();
        if (version != expectedVersion) throw new MalformedFrameException(UNSUPPORTED_VERSION, "version " + version);
        int typeCode = in.readUnsignedByte();
        FrameType type = FrameType.of(typeCode);
        if (type == null) throw new MalformedFrameException(UNKNOWN_TYPE, "type " + typeCode);
        int payloadLength = in.readUnsignedShort();
        int srcInstance = in.readUnsignedShort(), dstInstance = in.readUnsignedShort();
        long srcEpoch = in.readLong(), dstEpoch = in.readLong();
        int seq = in.readInt(), ack = in.readInt();
        int window = in.readUnsignedShort(), code = in.readUnsignedShort();
        if (payloadLength > in.readableBytes())
            throw new MalformedFrameException(BAD_LENGTH, "payload length " + payloadLength + " but " + in.readableBytes() + " bytes follow");
        if ((dstInstance == ANY_INSTANCE) != (type == FrameType.DISCOVER))
            throw new MalformedFrameException(BAD_INSTANCE, type + " to instance " + dstInstance);
        verifyEpochs(type, srcEpoch, dstEpoch);
        if (type == FrameType.CLOSE) {
            if (CloseReason.of(code) == null) throw new MalformedFrameException(BAD_CODE, "CLOSE reason " + code);
        } else if (type == FrameType.KEEPALIVE) {
            if (code != 0 && code != KEEPALIVE_CHALLENGE) throw new MalformedFrameException(BAD_CODE, "KEEPALIVE with code " + code);
        } else if (code != 0) {
            throw new MalformedFrameException(BAD_CODE, type + " with code " + code);
        }
        switch (type) {
            case DATA -> verifyTlpRecords(in, payloadLength);
            case ANNOUNCE -> { } // any self-description, including none
            case NAK -> {
                noPayload(type, payloadLength);
                int gap = Seq.diff(seq, ack);
                if (gap <= 0 || gap > 0xFFFF) throw new MalformedFrameException(BAD_NAK_RANGE, "NAK from " + Seq.toString(ack) + " to " + Seq.toString(seq));
            }
            case HELLO, HELLO_ACK, ACK, KEEPALIVE, CLOSE, DISCOVER -> noPayload(type, payloadLength);
        }
        return new FrameHeader(type, srcInstance, dstInstance, srcEpoch, dstEpoch, seq, ack, window, code, payloadLength);
    }

    /**
     * Reads the next TLP of a verified DATA payload as a slice (no copy), or returns null when the
     * payload is used up.
     */
    public static ByteBuf readTlpRecord(ByteBuf payload) {
        if (!payload.isReadable()) return null;
        return payload.readSlice(payload.readUnsignedShort());
    }

    /** The number of TLP records in a verified DATA payload, without consuming it. */
    public static int countTlpRecords(ByteBuf payload) {
        int count = 0;
        for (int i = payload.readerIndex(), end = payload.writerIndex(); i < end; count++)
            i += TLP_RECORD_PREFIX + payload.getUnsignedShort(i);
        return count;
    }

    private static void verifyEpochs(FrameType type, long srcEpoch, long dstEpoch) throws MalformedFrameException {
        boolean ok = switch (type) {
            case HELLO -> srcEpoch != 0 && dstEpoch == 0;
            case HELLO_ACK, DATA, ACK, NAK, KEEPALIVE -> srcEpoch != 0 && dstEpoch != 0;
            case CLOSE -> dstEpoch != 0; // a RESET may come from a process that has no session
            case DISCOVER, ANNOUNCE -> srcEpoch == 0 && dstEpoch == 0;
        };
        if (!ok) throw new MalformedFrameException(BAD_EPOCH, type + " with epochs " + Long.toHexString(srcEpoch) + "/" + Long.toHexString(dstEpoch));
    }

    private static void noPayload(FrameType type, int payloadLength) throws MalformedFrameException {
        if (payloadLength != 0) throw new MalformedFrameException(BAD_LENGTH, type + " with a payload of " + payloadLength + " bytes");
    }

    private static void verifyTlpRecords(ByteBuf in, int payloadLength) throws MalformedFrameException {
        if (payloadLength == 0) throw new MalformedFrameException(BAD_TLP_RECORD, "DATA without TLPs");
        int i = in.readerIndex(), end = i + payloadLength;
        while (i < end) {
            if (end - i < TLP_RECORD_PREFIX) throw new MalformedFrameException(BAD_TLP_RECORD, "TLP record length cut short");
            int length = in.getUnsignedShort(i);
            if (length < MIN_TLP_LENGTH || length > MAX_TLP_LENGTH)
                throw new MalformedFrameException(BAD_TLP_RECORD, "TLP record of " + length + " bytes");
            i += TLP_RECORD_PREFIX + length;
            if (i > end) throw new MalformedFrameException(BAD_TLP_RECORD, "TLP record runs " + (i - end) + " bytes past the payload");
        }
    }

    static void checkGroup(int group) {
        if (group < 0 || group > MAX_GROUP) throw new IllegalArgumentException("group (VLAN ID) must be 0..4094: " + group);
    }

    private static void writeMac(ByteBuf out, MacAddress mac) {
        long b = mac.bits();
        out.writeShort((int) (b >>> 32));
        out.writeInt((int) b);
    }

    private static MacAddress readMac(ByteBuf in) {
        long hi = in.readUnsignedShort();
        return new MacAddress(hi << 32 | in.readUnsignedInt());
    }
}
