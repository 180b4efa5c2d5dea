package dev.vpcie.protocol.capture;

import dev.vpcie.protocol.transport.FrameTap;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the frames it is shown to a classic pcap file (link type Ethernet, nanosecond
 * timestamps), which tcpdump, tshark and Wireshark read. Written here rather than with pcap4j's
 * {@code PcapDumper}: the format is a 24-byte file header and a 16-byte header per frame, and
 * doing it ourselves needs no libpcap handle (a UDP or in-memory link has none, and libpcap may
 * not be installed), keeps nanosecond timestamps and lets us cap and rotate the files.
 *
 * <p>Each frame is one {@code write} to the file (header and bytes copied into one buffer), so
 * the file is readable at any moment, also while the process runs or after it was killed.
 * Direction is not a pcap field; the MAC addresses tell it. A write error stops the capture with
 * one warning; it never disturbs the link.
 */
public final class PcapWriter implements FrameTap {
    /** pcap magic number for nanosecond timestamps (microseconds would be 0xa1b2c3d4). */
    static final int MAGIC_NANOS = 0xa1b23c4d;
    static final int GLOBAL_HEADER_LENGTH = 24;
    static final int RECORD_HEADER_LENGTH = 16;
    static final int LINKTYPE_ETHERNET = 1;
    static final int SNAPLEN = 262_144;

    private static final Logger log = LoggerFactory.getLogger(PcapWriter.class);

    private final CaptureSpec spec;
    private final LongSupplier wallClockNanos;
    private final ByteBuffer record = ByteBuffer.allocate(RECORD_HEADER_LENGTH + SNAPLEN).order(ByteOrder.LITTLE_ENDIAN);
    private final AtomicLong frames = new AtomicLong(), dropped = new AtomicLong();
    private FileChannel channel;
    private long size;
    private int rotations;
    private boolean stopped;

    private PcapWriter(CaptureSpec spec, LongSupplier wallClockNanos) throws IOException {
        this.spec = spec;
        this.wallClockNanos = wallClockNanos;
        openFile();
    }

    /** Creates (or truncates) the file and writes the pcap header; the message of a failure names the file. */
    public static PcapWriter open(CaptureSpec spec) throws IOException {
        Instant start = Instant.now();
        long startWall = start.getEpochSecond() * 1_000_000_000L + start.getNano(), startMono = System.nanoTime();
        return open(spec, () -> startWall + (System.nanoTime() - startMono));
    }

    /** With an injected clock (nanoseconds since 1970), for tests. */
    public static PcapWriter open(CaptureSpec spec, LongSupplier wallClockNanos) throws IOException {
        return new PcapWriter(spec, wallClockNanos);
    }

    public CaptureSpec spec() { return spec; }

    /** Frames written so far. */
    public long frames() { return frames.get(); }

    /** Frames not written: the file was full (and not rotating) or writing failed. */
    public long dropped() { return dropped.get(); }

    /** Times the file was rotated. */
    public synchronized int rotations() { return rotations; }

    @Override public void onFrame(boolean outbound, ByteBuffer frame, int offset, int length) {
        write(wallClockNanos.getAsLong(), frame, offset, length);
    }

    /** The capture's clock, nanoseconds since 1970: what {@link QueuedCapture} stamps a frame with when it is seen. */
    long nowNanos() { return wallClockNanos.getAsLong(); }

    /** Writes one frame seen at {@code timestampNanos} (nanoseconds since 1970). */
    synchronized void write(long timestampNanos, ByteBuffer frame, int offset, int length) {
        if (stopped) {
            dropped.incrementAndGet();
            return;
        }
        int kept = Math.min(length, SNAPLEN);
        long recordBytes = RECORD_HEADER_LENGTH + kept;
        try {
            if (spec.maxBytes() > 0 && size + recordBytes > spec.maxBytes()) {
                if (spec.files() == 1) {
                    stop("capture file " + spec.file() + " reached its " + spec.maxBytes() + "-byte limit: capture stopped");
                    dropped.incrementAndGet();
                    return;
                }
                rotate();
            }
            long ts = timestampNanos;
            record.clear();
            record.putInt((int) (ts / 1_000_000_000L)).putInt((int) (ts % 1_000_000_000L)).putInt(kept).putInt(length);
            record.put(record.position(), frame, offset, kept).position(RECORD_HEADER_LENGTH + kept).flip();
            while (record.hasRemaining()) channel.write(record);
            size += recordBytes;
            frames.incrementAndGet();
        } catch (IOException e) {
            dropped.incrementAndGet();
            stop("capture to " + spec.file() + " failed, capture stopped: " + e.getMessage());
        }
    }

    @Override public synchronized void close() {
        stopped = true;
        closeFile();
    }

    private void openFile() throws IOException {
        channel = FileChannel.open(spec.file(), StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        ByteBuffer header = ByteBuffer.allocate(GLOBAL_HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(MAGIC_NANOS).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(SNAPLEN).putInt(LINKTYPE_ETHERNET).flip();
        while (header.hasRemaining()) channel.write(header);
        size = GLOBAL_HEADER_LENGTH;
    }

    /** FILE becomes FILE.1, FILE.1 becomes FILE.2, ...; the oldest beyond the count is deleted. */
    private void rotate() throws IOException {
        closeFile();
        Files.deleteIfExists(spec.rotated(spec.files() - 1));
        for (int i = spec.files() - 2; i >= 0; i--)
            if (Files.exists(spec.rotated(i))) Files.move(spec.rotated(i), spec.rotated(i + 1), StandardCopyOption.REPLACE_EXISTING);
        rotations++;
        openFile();
    }

    private void stop(String why) {
        stopped = true;
        log.warn(why);
        closeFile();
    }

    private void closeFile() {
        if (channel == null) return;
        try {
            channel.close();
        } catch (IOException e) {
            log.warn("closing capture file {}: {}", spec.file(), e.getMessage());
        }
        channel = null;
    }
}
