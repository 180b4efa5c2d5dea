package dev.vpcie.protocol.tlp;

import java.util.EnumSet;
import java.util.Set;

/**
 * Things a received TLP may legally carry but a well-behaved sender avoids. The decoder accepts
 * them (the spec tells receivers to) and the record keeps the evidence, so a warning is a pure
 * function of the record: a receiver that wants to count or log them asks {@link #of(Tlp)}.
 */
public enum TlpWarning {
    /**
     * A memory request in the 4DW (64-bit) format whose address is below 4 GiB. PCIe base spec
     * 2.2.4.1: requesters must use the 3DW format there; receivers should still handle it.
     * The record shows it as {@code longAddress() == true} with {@code address() < 1L << 32}.
     */
    ADDRESS_64_BELOW_4G;

    /** The warnings that apply to {@code tlp}; empty for almost every TLP. */
    public static Set<TlpWarning> of(Tlp tlp) {
        boolean longBelow4G = switch (tlp) {
            case MemRead r -> r.longAddress() && (r.address() >>> 32) == 0;
            case MemWrite w -> w.longAddress() && (w.address() >>> 32) == 0;
            case IoRead r -> false;
            case IoWrite w -> false;
            case CfgRead r -> false;
            case CfgWrite w -> false;
            case Completion c -> false;
            case Message m -> false;
        };
        return longBelow4G ? EnumSet.of(ADDRESS_64_BELOW_4G) : EnumSet.noneOf(TlpWarning.class);
    }
}
