package dev.vpcie.vrc;

import java.time.Duration;

/**
 * Settings of a {@link RootComplex}. Host memory occupies bus addresses {@code [0, hostMemorySize)};
 * the MMIO, I/O and MSI windows must lie outside it and apart from each other.
 *
 * @param hostMemorySize     bytes of off-heap host memory devices may DMA into (4 KiB multiple)
 * @param completionTimeout  how long a non-posted request waits before it reads as all-ones
 * @param mmio32             window below 4 GiB for non-prefetchable and 32-bit BARs
 * @param mmio64             window above 4 GiB for 64-bit prefetchable BARs, or null to put them in {@code mmio32}
 * @param io                 I/O port window for I/O BARs
 * @param msiWindow          where MSI/MSI-X writes land; each vector gets its own address/data inside it
 * @param maxPayloadSize     largest MPS to program (128..4096, a power of two); a function gets the
 *                           smaller of this and what its Device Capabilities support
 * @param maxReadRequestSize MRRS to program into every function (128..4096, a power of two)
 */
public record RootComplexConfig(long hostMemorySize, Duration completionTimeout, Window mmio32, Window mmio64,
                                Window io, Window msiWindow, int maxPayloadSize, int maxReadRequestSize) {

    public static final Window DEFAULT_MMIO32 = new Window(0xE000_0000L, 256L << 20);
    public static final Window DEFAULT_MMIO64 = new Window(0x8_0000_0000L, 16L << 30);
    public static final Window DEFAULT_IO = new Window(0x1000, 0xF000);
    public static final Window DEFAULT_MSI = new Window(0xFEE0_0000L, 1L << 20);

    public RootComplexConfig {
        if (completionTimeout == null || completionTimeout.isNegative() || completionTimeout.isZero())
            throw new IllegalArgumentException("completion timeout must be positive");
        checkPowerOfTwo(maxPayloadSize, "max payload size");
        checkPowerOfTwo(maxReadRequestSize, "max read request size");
        if (mmio32.end() > 1L << 32) throw new IllegalArgumentException("mmio32 window must end below 4 GiB: " + mmio32);
        if (mmio64 != null && mmio64.base() < 1L << 32) throw new IllegalArgumentException("mmio64 window must start above 4 GiB: " + mmio64);
        if (msiWindow.end() > 1L << 32) throw new IllegalArgumentException("MSI window must lie below 4 GiB: " + msiWindow);
        if (io.end() > 1L << 32) throw new IllegalArgumentException("I/O window must lie below 4 GiB: " + io);
        Window ram = new Window(0, hostMemorySize);
        Window[] mem = mmio64 == null ? new Window[] {ram, mmio32, msiWindow} : new Window[] {ram, mmio32, mmio64, msiWindow};
        for (int i = 0; i < mem.length; i++)
            for (int j = i + 1; j < mem.length; j++)
                if (mem[i].overlaps(mem[j]))
                    throw new IllegalArgumentException("address windows overlap: " + mem[i] + " and " + mem[j]);
    }

    /**
     * PCIe's default completion timeout is 50 ms, but over Ethernet a lost frame costs a
     * retransmission timeout that backs off to 250 ms on a loaded host; 500 ms keeps a slow
     * answer from turning into all-ones while a dead endpoint still gives all-ones promptly.
     */
    public static final Duration DEFAULT_COMPLETION_TIMEOUT = Duration.ofMillis(500);

    public static RootComplexConfig defaults() {
        return new RootComplexConfig(HostMemory.DEFAULT_SIZE, DEFAULT_COMPLETION_TIMEOUT, DEFAULT_MMIO32, DEFAULT_MMIO64,
                DEFAULT_IO, DEFAULT_MSI, 256, 512);
    }

    public RootComplexConfig withHostMemorySize(long bytes) {
        return new RootComplexConfig(bytes, completionTimeout, mmio32, mmio64, io, msiWindow, maxPayloadSize, maxReadRequestSize);
    }

    public RootComplexConfig withCompletionTimeout(Duration timeout) {
        return new RootComplexConfig(hostMemorySize, timeout, mmio32, mmio64, io, msiWindow, maxPayloadSize, maxReadRequestSize);
    }

    public RootComplexConfig withPayloadSizes(int mps, int mrrs) {
        return new RootComplexConfig(hostMemorySize, completionTimeout, mmio32, mmio64, io, msiWindow, mps, mrrs);
    }

    private static void checkPowerOfTwo(int v, String what) {
        if (v < 128 || v > 4096 || Integer.bitCount(v) != 1)
            throw new IllegalArgumentException(what + " must be 128, 256, 512, 1024, 2048 or 4096: " + v);
    }
}
