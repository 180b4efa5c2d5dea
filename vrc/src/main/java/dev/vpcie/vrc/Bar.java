package dev.vpcie.vrc;

/**
 * One Base Address Register as enumeration found and assigned it. A 64-bit BAR occupies two
 * register slots; {@code index} is the lower one. {@code size} is what BAR sizing found.
 */
public record Bar(int index, Kind kind, boolean prefetchable, long address, long size) {
    public enum Kind { MEMORY_32, MEMORY_64, IO }

    public boolean isMemory() { return kind != Kind.IO; }

    /** False when no window had room for it (address 0, which host memory occupies, means unassigned). */
    public boolean assigned() { return address != 0; }

    public boolean contains(long addr, long length) {
        return addr >= address && length >= 0 && addr - address <= size - length;
    }

    /** As the enumeration log shows it, addresses in hex: {@code BAR0 mem 0xe0000000 size 0x20000 (32-bit, non-prefetchable)}. */
    @Override public String toString() {
        String where = assigned() ? String.format("0x%x", address) : "unassigned";
        return switch (kind) {
            case IO -> String.format("BAR%d io %s size 0x%x", index, where, size);
            case MEMORY_32, MEMORY_64 -> String.format("BAR%d mem %s size 0x%x (%s, %s)", index, where, size,
                    kind == Kind.MEMORY_64 ? "64-bit" : "32-bit", prefetchable ? "prefetchable" : "non-prefetchable");
        };
    }
}
