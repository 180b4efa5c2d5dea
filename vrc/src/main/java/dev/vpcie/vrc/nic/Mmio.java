package dev.vpcie.vrc.nic;

import dev.vpcie.vrc.Access;
import dev.vpcie.vrc.Bar;
import dev.vpcie.vrc.PcieDevice;
import java.util.concurrent.atomic.LongAdder;

/**
 * 32-bit access to a NIC's register BAR. Writes are posted (no round trip); every read is a full
 * round trip over the interconnect, so drivers count them and keep them off the fast path. A read
 * that fails throws instead of returning all-ones.
 */
public final class Mmio {
    /** STATUS is at 0x0008 on both chips; reading it is the customary write flush. */
    private static final int STATUS = 0x0008;

    private final PcieDevice device;
    private final Bar bar;
    private final LongAdder reads = new LongAdder(), writes = new LongAdder(), statisticReads = new LongAdder();

    public Mmio(PcieDevice device, int barIndex) {
        this.device = device;
        this.bar = device.bar(barIndex);
        if (!bar.isMemory()) throw new NicException(device.name() + ": BAR " + barIndex + " is not a memory BAR");
        if (!bar.assigned()) throw new NicException(device.name() + ": BAR " + barIndex + " has no address assigned");
    }

    public PcieDevice device() { return device; }

    public int read(int offset) {
        reads.increment();
        return readUncounted(offset);
    }

    /**
     * A read of a statistics register: counted apart, so {@link #reads()} shows what the driver
     * itself needs and not how often someone asked for statistics.
     */
    public int readStatistic(int offset) {
        statisticReads.increment();
        return readUncounted(offset);
    }

    private int readUncounted(int offset) {
        check(offset);
        Access a = device.rootComplex().memRead(bar.address() + offset, 4);
        if (!a.outcome().ok())
            throw new DeviceUnreachableException(device.name() + ": read of register 0x" + Integer.toHexString(offset) + " failed: " + a.outcome());
        return (int) a.value();
    }

    /**
     * A read that does not wait, for the root complex's loop thread: the future completes there
     * with the access, or exceptionally when the link is or goes down.
     */
    public java.util.concurrent.CompletableFuture<Access> readAsync(int offset) {
        check(offset);
        reads.increment();
        return device.rootComplex().memReadAsync(bar.address() + offset, 4);
    }

    public void write(int offset, int value) {
        check(offset);
        writes.increment();
        device.rootComplex().memWrite(bar.address() + offset, 4, value & 0xFFFF_FFFFL);
    }

    /** Read-modify-write: sets {@code bits}. */
    public void set(int offset, int bits) { write(offset, read(offset) | bits); }

    /** Read-modify-write: clears {@code bits}. */
    public void clear(int offset, int bits) { write(offset, read(offset) & ~bits); }

    /** Makes sure earlier posted writes have reached the device (a read cannot pass them). */
    public void flush() { read(STATUS); }

    /** Register reads issued so far (each one a round trip), statistics registers not included. */
    public long reads() { return reads.sum(); }

    /** Statistics register reads issued so far. */
    public long statisticReads() { return statisticReads.sum(); }

    public long writes() { return writes.sum(); }

    private void check(int offset) {
        if ((offset & 3) != 0 || offset < 0 || offset + 4 > bar.size())
            throw new IllegalArgumentException("register offset 0x" + Integer.toHexString(offset) + " is not an aligned DW inside BAR "
                    + bar.index() + " (size 0x" + Long.toHexString(bar.size()) + ")");
    }
}
