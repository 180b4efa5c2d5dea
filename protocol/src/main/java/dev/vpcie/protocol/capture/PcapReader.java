package dev.vpcie.protocol.capture;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Reads a classic pcap file frame by frame: either byte order, microsecond or nanosecond
 * timestamps, as tcpdump, tshark and {@link PcapWriter} write them. Only Ethernet captures are
 * accepted (vpcie frames are Ethernet frames). pcapng is refused with a message that says how to
 * convert it.
 */
public final class PcapReader implements AutoCloseable {
    /** One captured frame: when, its bytes as captured, and its length on the wire. */
    public record Frame(long timestampNanos, byte[] bytes, int originalLength) {}

    private static final int PCAPNG_MAGIC = 0x0a0d0d0a;

    private final InputStream in;
    private final ByteOrder order;
    private final boolean nanos;
    private final byte[] recordHeader = new byte[PcapWriter.RECORD_HEADER_LENGTH];

    private PcapReader(InputStream in, ByteOrder order, boolean nanos) {
        this.in = in;
        this.order = order;
        this.nanos = nanos;
    }

    /** Reads the file header; a file that is not an Ethernet pcap gets an IOException saying what it is. */
    public static PcapReader open(InputStream in) throws IOException {
        byte[] header = in.readNBytes(PcapWriter.GLOBAL_HEADER_LENGTH);
        if (header.length < PcapWriter.GLOBAL_HEADER_LENGTH) throw new IOException("not a pcap file: only " + header.length + " bytes");
        ByteBuffer b = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        int magic = b.getInt(0);
        ByteOrder order = ByteOrder.LITTLE_ENDIAN;
        if (magic == Integer.reverseBytes(0xa1b2c3d4) || magic == Integer.reverseBytes(PcapWriter.MAGIC_NANOS)) {
            order = ByteOrder.BIG_ENDIAN;
            magic = Integer.reverseBytes(magic);
        }
        if (magic == PCAPNG_MAGIC)
            throw new IOException("a pcapng file: convert it with 'editcap -F pcap IN OUT' (or capture with tcpdump -w)");
        if (magic != 0xa1b2c3d4 && magic != PcapWriter.MAGIC_NANOS)
            throw new IOException(String.format("not a pcap file (magic 0x%08x)", magic));
        b.order(order);
        int linkType = b.getInt(20) & 0x0FFFFFFF;
        if (linkType != PcapWriter.LINKTYPE_ETHERNET)
            throw new IOException("link type " + linkType + " is not Ethernet (1): vpcie frames are Ethernet frames");
        return new PcapReader(in, order, magic == PcapWriter.MAGIC_NANOS);
    }

    /** The next frame, or null at the end of the file; a truncated record is an EOFException. */
    public Frame next() throws IOException {
        int n = in.readNBytes(recordHeader, 0, recordHeader.length);
        if (n == 0) return null;
        if (n < recordHeader.length) throw new EOFException("pcap record header cut short");
        ByteBuffer b = ByteBuffer.wrap(recordHeader).order(order);
        long seconds = b.getInt(0) & 0xFFFFFFFFL, fraction = b.getInt(4) & 0xFFFFFFFFL;
        int captured = b.getInt(8), original = b.getInt(12);
        if (captured < 0 || captured > PcapWriter.SNAPLEN) throw new IOException("pcap record of " + (captured & 0xFFFFFFFFL) + " bytes: not a sane capture");
        byte[] bytes = in.readNBytes(captured);
        if (bytes.length < captured) throw new EOFException("pcap record cut short (" + bytes.length + " of " + captured + " bytes)");
        return new Frame(seconds * 1_000_000_000L + (nanos ? fraction : fraction * 1000), bytes, original);
    }

    @Override public void close() throws IOException { in.close(); }
}
