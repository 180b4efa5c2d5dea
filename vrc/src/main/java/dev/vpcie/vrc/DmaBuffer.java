package dev.vpcie.vrc;

import java.lang.foreign.MemorySegment;

/**
 * A block of host memory handed out by {@link HostMemory#allocate}: the bus address a device
 * uses in its DMA requests, and the segment the driver reads and writes directly.
 */
public record DmaBuffer(long busAddress, long length, MemorySegment segment) {
    public long end() { return busAddress + length; }
}
