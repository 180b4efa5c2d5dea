package dev.vpcie.protocol.capture;

import static org.junit.jupiter.api.Assertions.*;

import dev.vpcie.protocol.transport.FrameTap;
import dev.vpcie.protocol.transport.MemoryTransport;
import dev.vpcie.protocol.transport.TappedTransport;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The capture decorator and the pcap files: both directions, exact bytes, timestamps, caps and rotation. */
class CaptureTest {
    @TempDir Path dir;

    static byte[] frame(int n, int length) {
        byte[] f = new byte[length];
        for (int i = 0; i < length; i++) f[i] = (byte) (n * 31 + i);
        return f;
    }

    static List<PcapReader.Frame> read(Path file) throws IOException {
        List<PcapReader.Frame> frames = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file); PcapReader r = PcapReader.open(in)) {
            for (PcapReader.Frame f; (f = r.next()) != null; ) frames.add(f);
        }
        return frames;
    }

    @Test void recordsBothDirectionsExactlyAsSentAndReceivedWithTheirTimes() throws Exception {
        Path file = dir.resolve("both.pcap");
        AtomicLong clock = new AtomicLong(1_700_000_000_123_456_789L);
        try (MemoryTransport.Pair cable = MemoryTransport.pair()) {
            PcapWriter writer = PcapWriter.open(CaptureSpec.of(file), clock::get);
            TappedTransport a = new TappedTransport(cable.a(), List.of(writer));
            ByteBuffer out = ByteBuffer.allocate(200);
            out.put(new byte[7]).put(frame(1, 60)).flip().position(7); // the frame starts mid-buffer
            a.send(out);
            assertEquals(7, out.position(), "the tap leaves the sender's buffer alone");
            clock.addAndGet(1_500);
            ByteBuffer reply = ByteBuffer.wrap(frame(2, 90));
            cable.b().send(reply);
            ByteBuffer in = ByteBuffer.allocate(2048);
            assertEquals(90, a.receive(in, 1_000_000_000L));
            // the receive buffer is reused: the capture must hold its own copy
            Arrays.fill(in.array(), (byte) 0);
            a.close();
            assertEquals(2, writer.frames());
        }
        List<PcapReader.Frame> frames = read(file);
        assertEquals(2, frames.size());
        assertArrayEquals(frame(1, 60), frames.get(0).bytes());
        assertArrayEquals(frame(2, 90), frames.get(1).bytes());
        assertEquals(1_700_000_000_123_456_789L, frames.get(0).timestampNanos(), "nanosecond timestamps");
        assertEquals(1_700_000_000_123_458_289L, frames.get(1).timestampNanos());
        assertEquals(90, frames.get(1).originalLength());
    }

    @Test void aFullFileStopsTheCaptureWithoutDisturbingTheLink() throws Exception {
        Path file = dir.resolve("capped.pcap");
        long cap = 24 + 3 * (16 + 100);
        try (PcapWriter w = PcapWriter.open(new CaptureSpec(file, cap, 1))) {
            for (int i = 0; i < 5; i++) w.onFrame(true, ByteBuffer.wrap(frame(i, 100)), 0, 100);
            assertEquals(3, w.frames());
            assertEquals(2, w.dropped());
        }
        assertEquals(cap, Files.size(file));
        assertEquals(3, read(file).size());
    }

    @Test void rotationKeepsTheNewestFramesInNumberedFiles() throws Exception {
        Path file = dir.resolve("rot.pcap");
        CaptureSpec spec = new CaptureSpec(file, 24 + 2 * (16 + 100), 3);
        try (PcapWriter w = PcapWriter.open(spec)) {
            for (int i = 0; i < 9; i++) w.onFrame(i % 2 == 0, ByteBuffer.wrap(frame(i, 100)), 0, 100);
            assertEquals(9, w.frames());
            assertEquals(0, w.dropped());
            assertEquals(4, w.rotations());
        }
        // frames 0..8 two per file: the current file has 8, .1 has 6 and 7, .2 has 4 and 5; older ones are gone
        assertArrayEquals(frame(8, 100), read(spec.rotated(0)).getFirst().bytes());
        assertEquals(List.of(6, 7), firstBytes(read(spec.rotated(1))));
        assertEquals(List.of(4, 5), firstBytes(read(spec.rotated(2))));
        assertFalse(Files.exists(spec.rotated(3)));
    }

    private static List<Integer> firstBytes(List<PcapReader.Frame> frames) {
        return frames.stream().map(f -> (int) Arrays.stream(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
                .filter(n -> f.bytes()[0] == (byte) (n * 31)).findFirst().orElse(-1)).toList();
    }

    @Test void aTapIsClosedWithTheTransport() {
        boolean[] closed = {false};
        FrameTap tap = new FrameTap() {
            @Override public void onFrame(boolean outbound, ByteBuffer frame, int offset, int length) {}

            @Override public void close() { closed[0] = true; }
        };
        MemoryTransport.Pair cable = MemoryTransport.pair();
        new TappedTransport(cable.a(), List.of(tap)).close();
        cable.close();
        assertTrue(closed[0]);
    }

    @Test void notAPcapFileIsSaidPlainly() {
        IOException e = assertThrows(IOException.class, () -> PcapReader.open(InputStream.nullInputStream()));
        assertTrue(e.getMessage().contains("not a pcap file"), e.getMessage());
        byte[] pcapng = {0x0a, 0x0d, 0x0d, 0x0a, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        e = assertThrows(IOException.class, () -> PcapReader.open(new java.io.ByteArrayInputStream(pcapng)));
        assertTrue(e.getMessage().contains("pcapng"), e.getMessage());
    }

    @Test void queuedCaptureWritesEveryFrameInOrderWithTheTimeItWasSeen() throws Exception {
        Path file = dir.resolve("queued.pcap");
        AtomicLong clock = new AtomicLong(1_700_000_000_000_000_000L);
        QueuedCapture c = QueuedCapture.unstarted(PcapWriter.open(CaptureSpec.of(file), clock::get), 64);
        c.start();
        ByteBuffer buf = ByteBuffer.allocate(2048);
        for (int n = 0; n < 50; n++) {
            buf.clear().put(frame(n, 60 + n)).flip();
            c.onFrame(n % 2 == 0, buf, 0, 60 + n);
            Arrays.fill(buf.array(), (byte) 0); // the link reuses its buffer at once
            clock.addAndGet(1_000);
        }
        c.close();
        List<PcapReader.Frame> frames = read(file);
        assertEquals(50, frames.size());
        for (int n = 0; n < 50; n++) {
            assertArrayEquals(frame(n, 60 + n), frames.get(n).bytes(), "frame " + n);
            assertEquals(1_700_000_000_000_000_000L + n * 1_000L, frames.get(n).timestampNanos(), "stamped when seen");
        }
        assertEquals(50, c.frames());
        assertEquals(0, c.dropped());
    }

    @Test void aFullQueueDropsAndCountsFramesInsteadOfWaiting() throws Exception {
        Path file = dir.resolve("full.pcap");
        QueuedCapture c = QueuedCapture.unstarted(PcapWriter.open(CaptureSpec.of(file)), 8); // the writer is not running: nothing drains
        int capacity = c.capacity();
        ByteBuffer buf = ByteBuffer.wrap(frame(1, 64));
        for (int n = 0; n < capacity + 5; n++) c.onFrame(true, buf, 0, 64);
        assertEquals(5, c.queueDrops(), "the frames beyond the queue's capacity are dropped and counted");
        c.start();
        c.close();
        assertEquals(capacity, read(file).size(), "what was queued is written at close");
        assertEquals(5, c.dropped());
        c.onFrame(true, buf, 0, 64);
        assertEquals(6, c.dropped(), "after close, frames are dropped");
    }
}
