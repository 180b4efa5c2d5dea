package dev.vpcie.vrc;

/**
 * The memory a function's DMA reads and writes, by bus address. The root complex's own
 * {@link HostMemory} by default; a front-end that brings its own RAM (a VM's guest memory
 * shared by QEMU) gives a function its own with {@link RootComplex#dmaMemory(int, DmaMemory)}.
 * The DMA windows of that function are then in this memory's addresses.
 *
 * <p>Called on link threads for every DMA request: implementations must not block for long and
 * must not throw for a range {@link #contains} accepted a moment before (a backing replaced in
 * between reads zeros and drops writes instead).
 */
public interface DmaMemory {

    /** True when every byte of {@code [busAddress, busAddress + length)} is backed. */
    boolean contains(long busAddress, long length);

    /** Copies {@code length} bytes at {@code busAddress} into {@code dst[dstOffset..]}. */
    void read(long busAddress, byte[] dst, int dstOffset, int length);

    /** Copies {@code src[srcOffset..srcOffset+length)} to {@code busAddress}. */
    void write(long busAddress, byte[] src, int srcOffset, int length);
}
