package dev.vpcie.protocol.nettlp;

import dev.vpcie.protocol.tlp.MalformedTlpException;
import dev.vpcie.protocol.tlp.Tlp;
import dev.vpcie.protocol.tlp.TlpCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * NetTLP's datagram: a 6-byte header (big-endian u16 sequence, big-endian u32 timestamp) and one
 * TLP exactly as {@link TlpCodec} writes it. Pure functions over buffers.
 *
 * <pre>
 *  0      2              6
 *  +------+--------------+-----------------------------------+
 *  | seq  | timestamp    | TLP: header DWs then payload DWs   |
 *  +------+--------------+-----------------------------------+
 * </pre>
 *
 * <p>One leniency, because libtlp needs it: a memory write shorter than one DW (dma_write of 1 to
 * 3 bytes) arrives with Length 1 and only the bytes it writes, no tail padding. Such a payload is
 * padded with zeros to whole DWs before the TLP codec sees it; the byte enables say which bytes
 * count, so nothing is invented.
 */
public final class NetTlpCodec {
    /** Bytes of the NetTLP header before the TLP. */
    public static final int HEADER_BYTES = 6;
    /** The largest datagram: header, a 4DW TLP header, 4096 bytes of payload and a digest. */
    public static final int MAX_DATAGRAM = HEADER_BYTES + 16 + 4096 + 4;

    private static final int FMT_WITH_DATA = 0x40, FMT_4DW = 0x20, TYPE_MASK = 0x1F, TYPE_MEM = 0x00;

    private NetTlpCodec() {}

    /** Bytes {@code tlp} takes as a datagram. */
    public static int encodedLength(Tlp tlp) { return HEADER_BYTES + TlpCodec.encodedLength(tlp); }

    /** Writes the header ({@code sequence} 16 bits, {@code timestamp} 32 bits) and {@code tlp} to {@code out}. */
    public static void encode(int sequence, long timestamp, Tlp tlp, ByteBuf out) {
        out.writeShort(sequence & 0xFFFF);
        out.writeInt((int) timestamp);
        TlpCodec.encode(tlp, out);
    }

    /** The datagram as a new array. */
    public static byte[] encode(int sequence, long timestamp, Tlp tlp) {
        byte[] bytes = new byte[encodedLength(tlp)];
        encode(sequence, timestamp, tlp, Unpooled.wrappedBuffer(bytes).writerIndex(0));
        return bytes;
    }

    /** Decodes all readable bytes of {@code in} as one datagram; the reader index moves to the end on success. */
    public static NetTlpDatagram decode(ByteBuf in) throws MalformedDatagramException {
        int available = in.readableBytes();
        if (available < HEADER_BYTES + 4)
            throw new MalformedDatagramException(MalformedDatagramException.Reason.TRUNCATED,
                    available + " bytes, less than the 6-byte header and a TLP's first DW");
        int at = in.readerIndex();
        int sequence = in.getUnsignedShort(at);
        long timestamp = in.getUnsignedInt(at + 2);
        ByteBuf tlpBytes = padShortWrite(in.slice(at + HEADER_BYTES, available - HEADER_BYTES));
        try {
            Tlp tlp = TlpCodec.decode(tlpBytes);
            in.readerIndex(at + available);
            return new NetTlpDatagram(sequence, timestamp, tlp);
        } catch (MalformedTlpException e) {
            throw new MalformedDatagramException(MalformedDatagramException.Reason.BAD_TLP, e.getMessage());
        }
    }

    /** Decodes {@code bytes} as one datagram. */
    public static NetTlpDatagram decode(byte[] bytes) throws MalformedDatagramException {
        return decode(Unpooled.wrappedBuffer(bytes));
    }

    /**
     * A 1-DW memory write whose payload is 1 to 3 bytes, copied with zeros up to the whole DW;
     * every other TLP is returned as it is (the TLP codec judges it).
     */
    private static ByteBuf padShortWrite(ByteBuf tlp) {
        int byte0 = tlp.getUnsignedByte(tlp.readerIndex());
        if ((byte0 & FMT_WITH_DATA) == 0 || (byte0 & TYPE_MASK) != TYPE_MEM) return tlp;
        int header = (byte0 & FMT_4DW) != 0 ? 16 : 12;
        int length = tlp.getInt(tlp.readerIndex()) & 0x3FF;
        int payload = tlp.readableBytes() - header;
        if (length != 1 || payload < 1 || payload > 3) return tlp;
        byte[] padded = new byte[header + 4];
        tlp.getBytes(tlp.readerIndex(), padded, 0, header + payload);
        return Unpooled.wrappedBuffer(padded);
    }
}
