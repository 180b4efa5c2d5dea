package dev.vpcie.vrc.nic;

import dev.vpcie.vrc.PcieDevice;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * One transmit ring in host memory with a fixed buffer per descriptor: a frame is copied
 * into consecutive buffers, behind a context descriptor when it asks for an offload. Completion is
 * read from DD in each frame's last descriptor (host memory, no register read). One slot stays
 * empty so that TDH == TDT always means "nothing to send". Not thread-safe: the driver's TX lock
 * guards it.
 */
final class TxRing implements AutoCloseable {
    /** Largest frame accepted for TSO: a 64 KiB IP datagram behind headers. */
    static final int MAX_TSO_FRAME = 65535 + 128;
    private static final int HEADER_SCRATCH = 256;

    private final int count, bufferSize;
    private final TxFormat format;
    private final DmaArea ring, buffers;
    private final int[] eopOf;
    private final long[] postedAt;
    private final byte[] headers = new byte[HEADER_SCRATCH];
    private int nextToUse, nextToClean, inUse;
    private long completedFrames;

    /**
     * @param bufferSize bytes per descriptor: the most one descriptor may carry (4 KiB for the
     *                   8254x as Linux limits it; larger buffers mean fewer DMA reads per frame)
     */
    TxRing(PcieDevice device, int count, int bufferSize, TxFormat format) {
        this.count = count;
        this.bufferSize = bufferSize;
        this.format = format;
        this.ring = new DmaArea(device, (long) count * Descriptors.SIZE, 4096);
        DmaArea b;
        try {
            b = new DmaArea(device, (long) count * bufferSize, 4096);
        } catch (RuntimeException e) {
            ring.close();
            throw e;
        }
        this.buffers = b;
        this.eopOf = new int[count];
        this.postedAt = new long[count];
        reset();
    }

    long ringAddress() { return ring.busAddress(); }

    int ringBytes() { return count * Descriptors.SIZE; }

    int count() { return count; }

    /** The software tail: where the next frame goes, the value for TDT. */
    int tail() { return nextToUse; }

    int inUse() { return inUse; }

    long completedFrames() { return completedFrames; }

    /** Forgets every frame in flight (after a reset the NIC has dropped them) and zeroes the ring. */
    void reset() {
        ring.segment().fill((byte) 0);
        Arrays.fill(eopOf, -1);
        nextToUse = nextToClean = inUse = 0;
    }

    /** Descriptors a frame of {@code length} bytes takes. */
    int descriptorsFor(int length, TxOffload offload) {
        return (length + bufferSize - 1) / bufferSize + (format.needsContext(offload) ? 1 : 0);
    }

    boolean hasRoom(int descriptors) { return count - 1 - inUse >= descriptors; }

    /** Copies the frame into the ring behind the tail; the caller checked {@link #hasRoom}. */
    void post(ByteBuffer frame, TxOffload offload, long nowNs) {
        int length = frame.remaining();
        int first = nextToUse, slot = first;
        MemorySegment r = ring.segment(), buf = buffers.segment();
        if (format.needsContext(offload)) {
            format.writeContext(r, (long) slot * Descriptors.SIZE, offload, length);
            slot = next(slot);
        }
        MemorySegment src = MemorySegment.ofBuffer(frame);
        int headerBytes = Math.min(length, HEADER_SCRATCH);
        MemorySegment.copy(src, ValueLayout.JAVA_BYTE, 0, headers, 0, headerBytes);
        int patched = HeaderPrep.prepare(headers, length, offload);
        int copied = 0, dataSlot = slot;
        while (copied < length) {
            int chunk = Math.min(bufferSize, length - copied);
            long at = (long) dataSlot * bufferSize;
            MemorySegment.copy(src, copied, buf, at, chunk);
            if (copied == 0 && patched > 0) MemorySegment.copy(headers, 0, buf, ValueLayout.JAVA_BYTE, at, patched);
            boolean last = copied + chunk == length;
            format.writeData(r, (long) dataSlot * Descriptors.SIZE, buffers.busAddress() + at, chunk, offload, length, copied == 0, last);
            copied += chunk;
            if (!last) dataSlot = next(dataSlot);
        }
        eopOf[first] = dataSlot;
        postedAt[first] = nowNs;
        int used = distance(first, dataSlot) + 1;
        inUse += used;
        nextToUse = next(dataSlot);
        frame.position(frame.limit());
    }

    /** Frees every frame whose last descriptor has DD; returns how many. */
    int reclaim() {
        int frames = 0;
        MemorySegment r = ring.segment();
        while (inUse > 0) {
            int eop = eopOf[nextToClean];
            if (eop < 0 || !format.done(r, (long) eop * Descriptors.SIZE)) break;
            eopOf[nextToClean] = -1;
            inUse -= distance(nextToClean, eop) + 1;
            nextToClean = next(eop);
            frames++;
        }
        completedFrames += frames;
        return frames;
    }

    /** When the oldest frame still in flight was queued, or -1 when none is. */
    long oldestPendingSince() {
        return inUse > 0 && eopOf[nextToClean] >= 0 ? postedAt[nextToClean] : -1;
    }

    private int next(int i) { return i + 1 == count ? 0 : i + 1; }

    private int distance(int from, int to) { return to >= from ? to - from : to + count - from; }

    @Override public void close() {
        ring.close();
        buffers.close();
    }
}
