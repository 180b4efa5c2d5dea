package dev.vpcie.devices.nic;

import java.util.ArrayDeque;

/**
 * The receive packet buffer (on-chip FIFO) of a NIC: frames that passed the filters wait here until
 * the driver has given descriptors for them. Its size in bytes comes from the packet buffer
 * allocation (PBA/RXPBS). When a frame does not fit, the MAC drops it and counts a missed packet —
 * that, not a lack of descriptors, is what loses frames on the chip.
 */
public final class PacketBuffer {
    private final ArrayDeque<byte[]> frames = new ArrayDeque<>();
    private int capacityBytes;
    private int usedBytes;

    public PacketBuffer(int capacityBytes) { setCapacity(capacityBytes); }

    /** Changes the size (a PBA write); frames already queued stay. */
    public void setCapacity(int bytes) {
        if (bytes < 0) throw new IllegalArgumentException("packet buffer of " + bytes + " bytes");
        capacityBytes = bytes;
    }

    public int capacityBytes() { return capacityBytes; }

    public int usedBytes() { return usedBytes; }

    /** Queues {@code frame} (kept, not copied) if it fits; returns false, queuing nothing, if not. */
    public boolean offer(byte[] frame) {
        if (usedBytes + frame.length > capacityBytes) return false;
        frames.addLast(frame);
        usedBytes += frame.length;
        return true;
    }

    /** The oldest frame, or null. */
    public byte[] peek() { return frames.peekFirst(); }

    /** Removes and returns the oldest frame, or null. */
    public byte[] poll() {
        byte[] f = frames.pollFirst();
        if (f != null) usedBytes -= f.length;
        return f;
    }

    public boolean isEmpty() { return frames.isEmpty(); }

    public int size() { return frames.size(); }

    /** Drops everything (reset, receiver disabled). */
    public void clear() {
        frames.clear();
        usedBytes = 0;
    }
}
