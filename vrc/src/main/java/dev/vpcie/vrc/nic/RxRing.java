package dev.vpcie.vrc.nic;

import dev.vpcie.vrc.PcieDevice;
import dev.vpcie.vrc.trace.VrcPoint;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * One receive ring in host memory with a fixed buffer per descriptor. Frames longer than a
 * buffer span several descriptors, EOP on the last; a frame is taken only once its EOP
 * descriptor is written back, so nothing is carried between polls. Descriptors are re-armed as
 * they are consumed, and the new tail is left for the driver to post (batched). One slot stays
 * empty so that RDH == RDT means "no buffers". Used by the driver's poll thread only.
 */
final class RxRing implements AutoCloseable {
    private final int queue, count, bufferSize, crcBytes, maxFrame;
    private final RxFormat format;
    private final DmaArea ring, buffers;
    private final ByteBuffer[] views;
    private final ByteBuffer assembly;
    private int nextToClean, nextToUse;
    private long frames, bytes, errors, unclaimed;

    /**
     * @param crcBytes what the NIC counts in the length beyond the frame (4 on the e1000, which
     *                 does not strip the CRC; 0 with RCTL.SECRC)
     */
    RxRing(PcieDevice device, int queue, int count, int bufferSize, int crcBytes, int maxFrame, RxFormat format) {
        this.queue = queue;
        this.count = count;
        this.bufferSize = bufferSize;
        this.crcBytes = crcBytes;
        this.maxFrame = maxFrame;
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
        this.views = new ByteBuffer[count];
        for (int i = 0; i < count; i++) views[i] = buffers.segment().asSlice((long) i * bufferSize, bufferSize).asByteBuffer();
        this.assembly = ByteBuffer.allocate(maxFrame + crcBytes + bufferSize);
        arm();
    }

    int queue() { return queue; }

    long ringAddress() { return ring.busAddress(); }

    int ringBytes() { return count * Descriptors.SIZE; }

    int bufferSize() { return bufferSize; }

    /** The software tail: the value for RDT. */
    int tail() { return nextToUse; }

    long frames() { return frames; }

    long bytes() { return bytes; }

    long errors() { return errors; }

    /** Frames dropped because no receiver was installed. */
    long unclaimed() { return unclaimed; }

    /** Gives every buffer but one to the NIC; the tail to post is then {@code count - 1}. */
    void arm() {
        MemorySegment r = ring.segment();
        for (int i = 0; i < count; i++) format.arm(r, (long) i * Descriptors.SIZE, buffers.busAddress() + (long) i * bufferSize);
        nextToClean = 0;
        nextToUse = count - 1;
    }

    /**
     * Takes up to {@code budget} complete frames, hands each to {@code receiver} and re-arms their
     * descriptors. Returns the number of frames taken (including dropped ones).
     */
    int clean(int budget, FrameReceiver receiver) {
        MemorySegment r = ring.segment();
        int done = 0;
        while (done < budget) {
            long upper = Descriptors.upperAcquire(r, (long) nextToClean * Descriptors.SIZE);
            if (!format.done(upper)) break;
            // Find the frame's last descriptor; leave the frame for later if it is not written yet.
            int last = nextToClean, n = 1;
            long lastUpper = upper;
            boolean error = format.frameError(upper);
            while (!format.endOfPacket(lastUpper)) {
                if (n == count - 1) { // no EOP in the whole ring: the NIC wrote garbage
                    error = true;
                    break;
                }
                last = next(last);
                n++;
                lastUpper = Descriptors.upperAcquire(r, (long) last * Descriptors.SIZE);
                if (!format.done(lastUpper)) return done;
                error |= format.frameError(lastUpper);
            }
            VrcPoint.RX_FOUND.mark();
            deliver(nextToClean, n, error, format.l4ChecksumGood(lastUpper), receiver);
            for (int i = 0; i < n; i++) {
                format.arm(r, (long) nextToUse * Descriptors.SIZE, buffers.busAddress() + (long) nextToUse * bufferSize);
                nextToUse = next(nextToUse);
                nextToClean = next(nextToClean);
            }
            done++;
        }
        return done;
    }

    private void deliver(int first, int n, boolean error, boolean checksumGood, FrameReceiver receiver) {
        MemorySegment r = ring.segment();
        int total = 0;
        for (int i = 0, s = first; i < n; i++, s = next(s)) {
            int len = format.length(Descriptors.upperAcquire(r, (long) s * Descriptors.SIZE));
            if (len > bufferSize) error = true;
            total += len;
        }
        int frameLength = total - crcBytes;
        if (error || frameLength < 14 || frameLength > maxFrame + 4) { // +4: a VLAN tag kept in line
            errors++;
            return;
        }
        ByteBuffer frame;
        if (n == 1) {
            frame = views[first].clear().limit(frameLength);
        } else {
            assembly.clear();
            for (int i = 0, s = first; i < n; i++, s = next(s)) {
                int len = format.length(Descriptors.upperAcquire(r, (long) s * Descriptors.SIZE));
                assembly.put(views[s].clear().limit(len));
            }
            frame = assembly.flip().limit(frameLength);
        }
        frames++;
        bytes += frameLength;
        if (receiver == null) unclaimed++;
        else receiver.receive(frame, queue, checksumGood);
    }

    private int next(int i) { return i + 1 == count ? 0 : i + 1; }

    @Override public void close() {
        ring.close();
        buffers.close();
    }
}
