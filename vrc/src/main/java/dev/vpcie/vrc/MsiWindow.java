package dev.vpcie.vrc;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The address range MSI and MSI-X writes land in (like x86's 0xFEEx_xxxx). Each function that
 * enables message interrupts is given its own 16-byte slot, and the message data is the vector
 * number, so every (function, vector) has a distinct address/data pair and a write in the
 * window names both. MSI's multiple-message mode ORs the vector into the low data bits, which
 * this encoding (base data 0) allows.
 */
final class MsiWindow {
    static final int SLOT_BYTES = 16;

    private final Window window;
    private final AtomicReferenceArray<PcieDevice> slots;

    MsiWindow(Window window) {
        this.window = window;
        this.slots = new AtomicReferenceArray<>((int) Math.min(window.size() / SLOT_BYTES, 1 << 16));
    }

    Window window() { return window; }

    boolean contains(long address) { return window.contains(address, 1); }

    /** The message address of {@code device}, assigning it a slot on first use. */
    synchronized long addressOf(PcieDevice device) {
        for (int i = 0; i < slots.length(); i++) if (slots.get(i) == device) return window.base() + (long) i * SLOT_BYTES;
        for (int i = 0; i < slots.length(); i++) {
            if (slots.get(i) == null) {
                slots.set(i, device);
                return window.base() + (long) i * SLOT_BYTES;
            }
        }
        throw new IllegalStateException("MSI window " + window + " has no free slot");
    }

    synchronized void release(PcieDevice device) {
        for (int i = 0; i < slots.length(); i++) if (slots.get(i) == device) slots.set(i, null);
    }

    /** The function whose slot holds {@code address}, or null (link thread; lock-free). */
    PcieDevice owner(long address) {
        long off = address - window.base();
        if (off < 0 || off % SLOT_BYTES != 0 || off / SLOT_BYTES >= slots.length()) return null;
        return slots.get((int) (off / SLOT_BYTES));
    }
}
