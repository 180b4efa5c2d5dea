package dev.vpcie.vrc.nic;

import dev.vpcie.vrc.trace.VrcPoint;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;

/**
 * A driver's transmit path: the TX ring shared between whoever transmits (the TAP bridge on the
 * root complex's loop, a test, the pinger) and the ring poll that reclaims completed descriptors,
 * under one lock held for a few descriptor writes at most. Frames queued with {@code more} wait
 * for one doorbell (the chip's tail write) per batch; a full ring refuses the frame
 * (back-pressure) and rings the doorbell for what is queued. Stopped while the NIC resets.
 */
final class TxPath {
    private final TxRing ring;
    private final IntConsumer doorbell;
    private final int maxFrameSize;
    private final String chip;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition space = lock.newCondition();
    private boolean stopped = true;
    private int unflushed;
    /** The last time TX made progress or could start to (link up, reset): a hang is measured from here. */
    private volatile long progressNs;
    private final LongAdder frames = new LongAdder(), bytes = new LongAdder(), busy = new LongAdder(), doorbells = new LongAdder();

    /** @param doorbell writes the chip's TX tail register with the ring's tail */
    TxPath(TxRing ring, IntConsumer doorbell, int maxFrameSize, String chip) {
        this.ring = ring;
        this.doorbell = doorbell;
        this.maxFrameSize = maxFrameSize;
        this.chip = chip;
    }

    long ringAddress() { return ring.ringAddress(); }

    int ringBytes() { return ring.ringBytes(); }

    /** See {@link NicDriver#transmit}. */
    boolean transmit(ByteBuffer frame, TxOffload offload, boolean more) {
        int length = frame.remaining();
        int max = offload instanceof TxOffload.Segmentation ? TxRing.MAX_TSO_FRAME : maxFrameSize;
        if (length < 14 || length > max)
            throw new IllegalArgumentException("frame of " + length + " bytes; " + chip + " sends 14.." + max + " bytes here");
        lock.lock();
        try {
            if (stopped) return false;
            int needed = ring.descriptorsFor(length, offload);
            if (needed > ring.count() - 1)
                throw new IllegalArgumentException("a frame of " + length + " bytes needs " + needed + " descriptors; the TX ring holds " + (ring.count() - 1));
            if (!ring.hasRoom(needed)) {
                reclaimLocked();
                if (!ring.hasRoom(needed)) {
                    busy.increment();
                    ringDoorbell();
                    return false;
                }
            }
            ring.post(frame, offload, System.nanoTime());
            frames.increment();
            bytes.add(length);
            unflushed++;
            if (!more) ringDoorbell();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Rings the doorbell for frames queued with {@code more}. */
    void flush() {
        lock.lock();
        try {
            ringDoorbell();
        } finally {
            lock.unlock();
        }
    }

    private void ringDoorbell() {
        if (unflushed == 0 || stopped) return;
        unflushed = 0;
        doorbells.increment();
        VrcPoint.DOORBELL.mark();
        doorbell.accept(ring.tail());
    }

    /** Waits until a frame of the largest size fits (false on timeout, or once {@code open} says the driver closed). */
    boolean awaitSpace(long timeoutNanos, java.util.function.BooleanSupplier open) throws InterruptedException {
        long left = timeoutNanos;
        lock.lock();
        try {
            int needed = ring.descriptorsFor(TxRing.MAX_TSO_FRAME, TxOffload.NONE) + 1;
            while (stopped || !ring.hasRoom(needed)) {
                if (!open.getAsBoolean()) return false;
                if (!stopped) reclaimLocked();
                if (!stopped && ring.hasRoom(needed)) break;
                if (left <= 0) return false;
                left = space.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    private void reclaimLocked() {
        if (ring.reclaim() > 0) {
            progressNs = System.nanoTime();
            space.signalAll();
        }
    }

    /** Frees completed descriptors (DD written back in host memory); wakes waiting senders. Returns whether any were freed. */
    boolean clean() {
        lock.lock();
        try {
            int before = ring.inUse();
            reclaimLocked();
            return ring.inUse() != before;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The watchdog's look (after a clean): how long TX has waited without progress at {@code now},
     * 0 when nothing waits or {@code linkUp} is false (frames queued while the link is down only start
     * to go when it comes up); and since when the oldest frame waits (-1 for none).
     */
    long stalledFor(long now, boolean linkUp) {
        clean();
        long since = oldestPendingSince();
        return since < 0 || !linkUp ? 0 : now - Math.max(since, progressNs);
    }

    long oldestPendingSince() {
        lock.lock();
        try {
            return ring.oldestPendingSince();
        } finally {
            lock.unlock();
        }
    }

    /** The watchdog's second chance: the doorbell again with the present tail (a descriptor fetch lost on the interconnect waits for one). */
    void ringAgain() {
        lock.lock();
        try {
            if (!stopped) doorbell.accept(ring.tail());
        } finally {
            lock.unlock();
        }
    }

    /** TX may start now (the link came up, a reset ended): the hang clock starts here. */
    void progress() { progressNs = System.nanoTime(); }

    /** Refuses frames from now on and wakes waiting senders (reset, close). */
    void stop() { setStopped(true); }

    /** Forgets every frame in the ring (the NIC was reset; call while stopped). */
    void reset() {
        lock.lock();
        try {
            ring.reset();
            unflushed = 0;
        } finally {
            lock.unlock();
        }
    }

    /** Accepts frames again and wakes waiting senders. */
    void start() { setStopped(false); }

    private void setStopped(boolean stop) {
        lock.lock();
        try {
            stopped = stop;
            space.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Stops and gives the ring's DMA memory back. */
    void close() {
        stop();
        lock.lock();
        try {
            ring.close();
        } finally {
            lock.unlock();
        }
    }

    long frames() { return frames.sum(); }

    long bytes() { return bytes.sum(); }

    long busy() { return busy.sum(); }

    long doorbells() { return doorbells.sum(); }
}
