package dev.vpcie.devices.nic;

import dev.vpcie.devices.regs.RegisterTable;
import dev.vpcie.devices.spi.Counters;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;

/**
 * The I/O BAR of the 8254x and 82576: an indirect window onto the memory-mapped registers, for
 * software that can only do port I/O (the e1000 driver resets the 82540EM through it).
 *
 * <pre>
 *  offset 0x00  IOADDR  RW: the BAR0 offset of the register to reach (bits 1:0 and those beyond
 *                       the register window ignored)
 *  offset 0x04  IODATA  RW: reads and writes the selected register; a 1- or 2-byte access
 *                       reaches the same bytes of it
 *  0x08 ..      reserved: reads 0, writes ignored (counted, logged once per offset)
 * </pre>
 * Register side effects (clear-on-read, doorbells) happen exactly as through BAR0, because the
 * access goes to the same {@link RegisterTable}. Single-threaded, like the device that owns it.
 */
public final class IoWindow {
    public static final int IOADDR = 0x00;
    public static final int IODATA = 0x04;
    /** Counter name for accesses to the reserved offsets. */
    public static final String RESERVED_ACCESSES = "io-bar-reserved-accesses";

    private final RegisterTable registers;
    private final long registerWindowSize;
    private final Set<Long> warned = new HashSet<>();
    private int ioAddress;
    private Counters.Counter reserved;
    private Logger log;
    private String name = "nic";

    /**
     * @param registers           the BAR0 register table the window reaches
     * @param registerWindowSize  BAR0's size (a power of two): IOADDR bits beyond it are ignored
     */
    public IoWindow(RegisterTable registers, long registerWindowSize) {
        if (Long.bitCount(registerWindowSize) != 1) throw new IllegalArgumentException("register window " + registerWindowSize + " is not a power of two");
        this.registers = registers;
        this.registerWindowSize = registerWindowSize;
    }

    /** Where reserved-offset accesses are counted and logged. */
    public void attach(String instanceName, Counters counters, Logger logger) {
        this.name = instanceName;
        this.reserved = counters.counter(RESERVED_ACCESSES);
        this.log = logger;
    }

    /** A read of {@code size} (1, 2, 4) bytes at {@code offset}, naturally aligned. */
    public long read(long offset, int size) {
        if (offset < IODATA) return (ioAddress >>> (8 * offset)) & ((1L << (8 * size)) - 1);
        if (offset < IODATA + 4) return registers.read(windowOffset(offset, size), size);
        return reservedAccess(offset, "read");
    }

    /** A write of the low {@code size} (1, 2, 4) bytes of {@code value} at {@code offset}, naturally aligned. */
    public void write(long offset, int size, long value) {
        if (offset < IODATA) {
            int shift = (int) (8 * offset);
            int mask = (int) ((1L << (8 * size)) - 1) << shift;
            ioAddress = (ioAddress & ~mask) | ((int) value << shift & mask);
        } else if (offset < IODATA + 4) {
            registers.write(windowOffset(offset, size), size, value);
        } else {
            reservedAccess(offset, "write");
        }
    }

    /** IOADDR as last written. */
    public int ioAddress() { return ioAddress; }

    /** Device reset: IOADDR returns to 0. */
    public void reset() { ioAddress = 0; }

    private long windowOffset(long offset, int size) {
        long register = (ioAddress & (registerWindowSize - 1)) & ~3L;
        return register + (offset - IODATA) - ((offset - IODATA) % size);
    }

    private long reservedAccess(long offset, String what) {
        if (reserved != null) reserved.increment();
        if (log != null && warned.add(offset))
            log.warn("{}: {} of reserved I/O BAR offset 0x{} ignored (logged once)", name, what, Long.toHexString(offset));
        return 0;
    }
}
