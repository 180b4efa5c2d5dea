package dev.vpcie.vrc;

/** A range of bus addresses {@code [base, base + size)} the root complex hands out or decodes. */
public record Window(long base, long size) {
    public Window {
        if (base < 0 || size <= 0 || base + size < base)
            throw new IllegalArgumentException("bad window base 0x" + Long.toHexString(base) + " size " + size);
    }

    public long end() { return base + size; }

    public boolean contains(long address, long length) {
        return address >= base && length >= 0 && address - base <= size - length;
    }

    public boolean overlaps(Window o) { return base < o.end() && o.base < end(); }

    @Override public String toString() { return String.format("[0x%x-0x%x]", base, end() - 1); }
}
