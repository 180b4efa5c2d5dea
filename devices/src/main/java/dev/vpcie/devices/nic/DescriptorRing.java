package dev.vpcie.devices.nic;

/**
 * A descriptor ring as the base/length/head/tail registers describe it (RDBAL/RDBAH/RDLEN/RDH/RDT,
 * TDBAL/…/TDT, and the 82576's per-queue copies): the ring arithmetic, written once.
 *
 * <p>Hardware owns the descriptors from {@code head} up to {@code tail - 1}; head == tail means it
 * owns none (no receive buffers, nothing to transmit). Descriptors are 16 bytes on both chips.
 *
 * @param base   host address of descriptor 0 (16-byte aligned: the low 4 bits of the low register are ignored)
 * @param count  descriptors in the ring (length register / 16)
 * @param head   next descriptor hardware processes
 * @param tail   first descriptor hardware does not own
 */
public record DescriptorRing(long base, int count, int head, int tail) {
    public static final int DESCRIPTOR_SIZE = 16;

    /**
     * The ring the registers describe: the length register in bytes, bits 19:4 used (the register
     * tables mask what each chip implements, e.g. bits 19:7 on the 8254x).
     */
    public static DescriptorRing of(int baseLow, int baseHigh, int lengthBytes, int head, int tail) {
        long base = (baseHigh & 0xFFFF_FFFFL) << 32 | (baseLow & 0xFFFF_FFF0L);
        return new DescriptorRing(base, (lengthBytes & 0x000F_FFF0) / DESCRIPTOR_SIZE, head & 0xFFFF, tail & 0xFFFF);
    }

    /**
     * Whether the registers make sense: a non-empty ring and head and tail inside it. Hardware with
     * nonsense registers does nothing (and a model counts it) rather than walk off the ring.
     */
    public boolean valid() { return count > 0 && head < count && tail < count; }

    /** Hardware owns no descriptor. */
    public boolean isEmpty() { return head == tail; }

    /** Descriptors hardware owns: {@code (tail - head) mod count}. */
    public int owned() { return Math.floorMod(tail - head, count); }

    /** Owned descriptors from head before the ring wraps (so one DMA read can fetch them). */
    public int ownedBeforeWrap() { return Math.min(owned(), count - head); }

    /** Host address of descriptor {@code index}. */
    public long address(int index) { return base + (long) index * DESCRIPTOR_SIZE; }

    /** Host address of the head descriptor. */
    public long headAddress() { return address(head); }

    /** The index after {@code index}, wrapping. */
    public int next(int index) { return index + 1 == count ? 0 : index + 1; }

    /** {@code index} advanced by {@code n}, wrapping. */
    public int advance(int index, int n) { return (int) ((index + (long) n) % count); }
}
