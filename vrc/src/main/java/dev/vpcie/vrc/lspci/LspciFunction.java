package dev.vpcie.vrc.lspci;

import dev.vpcie.vrc.Bar;
import dev.vpcie.vrc.PcieDevice;

/**
 * What lspci needs to show one function: its Routing ID, a configuration space snapshot (64,
 * 256 or 4096 bytes), and the BAR sizes enumeration measured (by register index; 0 where none),
 * which, like the kernel's sysfs, lspci prints as {@code [size=...]}.
 */
public record LspciFunction(int bdf, byte[] config, long[] barSizes) {
    public LspciFunction {
        if (config.length < 64) throw new IllegalArgumentException("need at least the 64-byte header");
        if (barSizes.length != 6) throw new IllegalArgumentException("six BAR sizes expected");
    }

    /** Reads a function's whole configuration space (4 KiB for PCI Express, else 256 bytes) through the VRC. */
    public static LspciFunction of(PcieDevice d) {
        long[] sizes = new long[6];
        for (Bar b : d.bars()) sizes[b.index()] = b.size();
        return new LspciFunction(d.bdf(), d.readConfigSpace(d.configSpaceSize()), sizes);
    }
}
