package dev.vpcie.devices.config;

import dev.vpcie.protocol.pci.PciConfig;

/**
 * The shape of one Base Address Register: what it decodes and how large it is. Its address is in
 * configuration space, written by enumeration software.
 *
 * <pre>
 *  Memory BAR (32-bit, or low half of 64-bit)          I/O BAR
 *  31                     4  3    2 1   0              31                 2  1  0
 * +------------------------+----+-----+---+           +-------------------+---+---+
 * | base address (RW above | Pf | Typ | 0 |           | base (RW above    | 0 | 1 |
 * | the size, RO 0 below)  |    |     |   |           |  the size)        |   |   |
 * +------------------------+----+-----+---+           +-------------------+---+---+
 *   Typ: 00 = 32-bit, 10 = 64-bit (next BAR is the high dword); Pf = prefetchable
 * </pre>
 * Writing all-ones reads back the size mask, because the bits below the size are read-only zero.
 *
 * @param type          memory 32/64-bit or I/O
 * @param size          bytes, a power of two: memory at least 16, I/O 4..256
 * @param prefetchable  memory only: reads have no side effects
 */
public record Bar(BarType type, long size, boolean prefetchable) {

    public Bar {
        if (Long.bitCount(size) != 1) throw new IllegalArgumentException("BAR size " + size + " is not a power of two");
        switch (type) {
            case MEMORY_32 -> {
                if (size < 16 || size > 1L << 31) throw new IllegalArgumentException("32-bit memory BAR size " + size + " outside 16 B..2 GiB");
            }
            case MEMORY_64 -> {
                if (size < 16 || size > 1L << 62) throw new IllegalArgumentException("64-bit memory BAR size " + size + " outside 16 B..4 EiB");
            }
            case IO -> {
                if (size < 4 || size > 256) throw new IllegalArgumentException("I/O BAR size " + size + " outside 4..256");
                if (prefetchable) throw new IllegalArgumentException("an I/O BAR cannot be prefetchable");
            }
        }
    }

    public static Bar memory32(long size) { return new Bar(BarType.MEMORY_32, size, false); }

    public static Bar memory64(long size, boolean prefetchable) { return new Bar(BarType.MEMORY_64, size, prefetchable); }

    public static Bar io(long size) { return new Bar(BarType.IO, size, false); }

    /** How many BAR registers this BAR occupies. */
    public int registers() { return type == BarType.MEMORY_64 ? 2 : 1; }

    /** Whether this BAR decodes I/O space. */
    public boolean isIo() { return type == BarType.IO; }

    /** The read-only low bits of the (low) BAR register: space indicator, type, prefetchable. */
    int typeBits() {
        return switch (type) {
            case MEMORY_32 -> PciConfig.Bar.MEMORY_TYPE_32 | (prefetchable ? PciConfig.Bar.PREFETCHABLE : 0);
            case MEMORY_64 -> PciConfig.Bar.MEMORY_TYPE_64 | (prefetchable ? PciConfig.Bar.PREFETCHABLE : 0);
            case IO -> PciConfig.Bar.IO_SPACE;
        };
    }

    /** Writable bits of the low BAR register. */
    int lowWriteMask() {
        long addressBits = ~(size - 1) & 0xFFFF_FFFFL;
        return (int) addressBits & (type == BarType.IO ? PciConfig.Bar.IO_ADDRESS_MASK : PciConfig.Bar.MEMORY_ADDRESS_MASK);
    }

    /** Writable bits of the high BAR register (64-bit BARs). */
    int highWriteMask() {
        return (int) (~(size - 1) >>> 32);
    }
}
