package dev.vpcie.protocol.pci;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;

/**
 * Walks a function's standard capability list (from the Capabilities Pointer, inside the first
 * 256 bytes) and its extended capability list (from 0x100). Configuration space comes from a
 * device or a peer and may be wrong, so a walk never loops and never throws on bad pointers:
 * it stops at a pointer into the header or at a pointer it has already visited, and reports
 * the defect with the capabilities found before it. Pointers are DW aligned, so refusing to
 * revisit one also bounds a walk: at most 48 hops in 0x40..0xFC, 960 in 0x100..0xFFC.
 */
public final class CapabilityWalker {
    private CapabilityWalker() {}

    /** The capabilities found, in list order, and what stopped the walk early if anything did. */
    public record Walk(List<Capability> capabilities, Optional<String> defect) {
        public Walk {
            capabilities = List.copyOf(capabilities);
        }

        /** The first capability with {@code id}, if listed. */
        public Optional<Capability> find(int id) {
            return capabilities.stream().filter(c -> c.id() == id).findFirst();
        }
    }

    /** Standard and extended capabilities together; defects of both lists joined. */
    public static Walk all(ConfigReader config) {
        Walk standard = standard(config), extended = extended(config);
        List<Capability> caps = new ArrayList<>(standard.capabilities());
        caps.addAll(extended.capabilities());
        Optional<String> defect = standard.defect().isPresent() && extended.defect().isPresent()
                ? Optional.of(standard.defect().get() + "; " + extended.defect().get())
                : standard.defect().or(extended::defect);
        return new Walk(caps, defect);
    }

    /** The standard list: empty when Status says there is no Capabilities List. */
    public static Walk standard(ConfigReader config) {
        List<Capability> caps = new ArrayList<>();
        int id = config.read32(PciConfig.VENDOR_ID);
        if ((id & 0xFFFF) == 0xFFFF) return new Walk(caps, Optional.of("no function responds (Vendor ID 0xffff)"));
        int status = config.read32(PciConfig.COMMAND) >>> 16;
        if ((status & PciConfig.Status.CAPABILITIES_LIST) == 0) return new Walk(caps, Optional.empty());
        int headerType = config.read32(PciConfig.CACHE_LINE_SIZE) >>> 16 & PciConfig.HeaderType.LAYOUT_MASK;
        int pointerRegister = headerType == PciConfig.HeaderType.CARDBUS
                ? PciConfig.CARDBUS_CAPABILITIES_POINTER : PciConfig.CAPABILITIES_POINTER;
        // bits 1:0 of every capability pointer are reserved: software masks them
        int next = config.read32(pointerRegister) & 0xFC;
        BitSet visited = new BitSet(PciConfig.LEGACY_CONFIG_SPACE_SIZE);
        while (next != 0) {
            if (next < PciConfig.HEADER_SIZE)
                return new Walk(caps, Optional.of(String.format("capability pointer 0x%02x points into the header", next)));
            if (visited.get(next))
                return new Walk(caps, Optional.of(String.format("capability list loops back to 0x%02x", next)));
            visited.set(next);
            int header = config.read32(next);
            caps.add(new Capability(header & 0xFF, next, false, 0));
            next = header >>> 8 & 0xFC;
        }
        return new Walk(caps, Optional.empty());
    }

    /**
     * The extended list from 0x100: empty when the header there is 0 (no extended
     * capabilities) or all ones (conventional PCI function, or nothing there).
     */
    public static Walk extended(ConfigReader config) {
        List<Capability> caps = new ArrayList<>();
        int next = PciConfig.EXTENDED_CAPABILITIES;
        BitSet visited = new BitSet(PciConfig.CONFIG_SPACE_SIZE);
        while (true) {
            int header = config.read32(next);
            if (header == 0 || header == -1) {
                if (next == PciConfig.EXTENDED_CAPABILITIES) return new Walk(caps, Optional.empty());
                return new Walk(caps, Optional.of(String.format("extended capability pointer 0x%03x leads to an empty header", next)));
            }
            visited.set(next);
            caps.add(new Capability(header & 0xFFFF, next, true, header >>> 16 & 0xF));
            // Next Capability Offset is bits 31:20; its bits 1:0 are reserved
            next = header >>> 20 & 0xFFC;
            if (next == 0) return new Walk(caps, Optional.empty());
            if (next < PciConfig.EXTENDED_CAPABILITIES)
                return new Walk(caps, Optional.of(String.format("extended capability pointer 0x%03x is below 0x100", next)));
            if (visited.get(next))
                return new Walk(caps, Optional.of(String.format("extended capability list loops back to 0x%03x", next)));
        }
    }
}
