package dev.vpcie.vrc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The host's RAM as devices see it: one off-heap segment that occupies bus addresses
 * {@code [0, size)}, and a first-fit allocator drivers use for DMA buffers. Device DMA into this
 * memory is checked against {@link DmaWindows} by the root complex before it gets here.
 *
 * <p>Reads and writes at bus addresses are plain copies, cheap enough for the link thread.
 * The allocator is synchronized; copies are not (drivers and devices coordinate through
 * descriptors and interrupts, as on real hardware).
 */
public final class HostMemory implements DmaMemory, AutoCloseable {
    public static final long DEFAULT_SIZE = 256L << 20;
    /** Bus addresses below this are never handed out, so a zeroed pointer never hits a buffer. */
    public static final long FIRST_ALLOCATABLE = 0x1_0000;

    private final Arena arena;
    private final MemorySegment memory;
    private final RangeAllocator allocator;

    public HostMemory(long size) {
        if (size < 2 * FIRST_ALLOCATABLE || (size & 0xFFF) != 0)
            throw new IllegalArgumentException("host memory size must be a multiple of 4 KiB and at least 128 KiB: " + size);
        this.arena = Arena.ofShared();
        this.memory = arena.allocate(size, 4096);
        this.allocator = new RangeAllocator(FIRST_ALLOCATABLE, size);
    }

    public long size() { return memory.byteSize(); }

    /** The whole memory; offset = bus address. */
    public MemorySegment segment() { return memory; }

    /** True when {@code [busAddress, busAddress + length)} lies inside host memory. */
    @Override public boolean contains(long busAddress, long length) {
        return busAddress >= 0 && length >= 0 && busAddress <= memory.byteSize() - length;
    }

    /** Allocates {@code length} bytes aligned to {@code alignment} (a power of two), zero-filled. */
    public synchronized DmaBuffer allocate(long length, long alignment) {
        long start = allocator.allocate(length, alignment).orElseThrow(() -> new IllegalStateException(
                "host memory exhausted: no free block of " + length + " bytes aligned to " + alignment
                        + " (size " + memory.byteSize() + ", allocated " + allocator.usedBytes() + ")"));
        MemorySegment slice = memory.asSlice(start, length);
        slice.fill((byte) 0);
        return new DmaBuffer(start, length, slice);
    }

    /** Allocates with 4 KiB alignment (a page, as DMA APIs hand out). */
    public DmaBuffer allocate(long length) { return allocate(length, 4096); }

    /** Returns a buffer to the allocator. Freeing a buffer twice, or one not from here, throws. */
    public synchronized void free(DmaBuffer buffer) {
        if (allocator.lengthAt(buffer.busAddress()) != buffer.length())
            throw new IllegalArgumentException("not an allocated DMA buffer: 0x" + Long.toHexString(buffer.busAddress()));
        allocator.free(buffer.busAddress());
    }

    /** Bytes currently allocated (for tests and status output). */
    public synchronized long allocatedBytes() { return allocator.usedBytes(); }

    /** Copies {@code length} bytes at {@code busAddress} into {@code dst[dstOffset..]}. */
    @Override public void read(long busAddress, byte[] dst, int dstOffset, int length) {
        MemorySegment.copy(memory, ValueLayout.JAVA_BYTE, busAddress, dst, dstOffset, length);
    }

    /** Copies {@code src[srcOffset..srcOffset+length)} to {@code busAddress}. */
    @Override public void write(long busAddress, byte[] src, int srcOffset, int length) {
        MemorySegment.copy(src, srcOffset, memory, ValueLayout.JAVA_BYTE, busAddress, length);
    }

    @Override public void close() { arena.close(); }
}
