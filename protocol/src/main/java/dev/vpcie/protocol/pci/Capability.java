package dev.vpcie.protocol.pci;

/**
 * One entry of a function's capability lists: where it sits, its ID and (for extended
 * capabilities) its version.
 */
public record Capability(int id, int offset, boolean extended, int version) {

    public String name() {
        return extended ? PciConfig.ExtCapId.name(id) : PciConfig.CapId.name(id);
    }

    @Override public String toString() {
        return String.format(extended ? "[%03x] %s (0x%04x v%d)" : "[%02x] %s (0x%02x)", offset, name(), id, version);
    }
}
