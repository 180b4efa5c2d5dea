package dev.vpcie.vrc;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * One address window (32-bit MMIO, 64-bit MMIO or I/O) shared by the buses so that a bus's BAR
 * addresses depend on nothing but its bus number and its own BARs: the first half of the window
 * is cut into one equal, aligned slice per bus (bus N at {@code base + (N-1) * slice}), and each
 * bus places its BARs in its own slice first; a BAR too large for it goes to the second half,
 * first fit. So claiming, releasing or re-enumerating another endpoint never moves a BAR, and an
 * endpoint pinned to a bus ({@code vrc --bus}) gets the same addresses after a VRC restart.
 * A window too small for useful slices is all shared.
 */
final class BusWindow {
    private final long sliceBase, slice;
    private final RangeAllocator shared;
    private final Map<Integer, RangeAllocator> slices = new HashMap<>();

    /** {@code minSlice}: the smallest slice worth having (a page for memory, 16 ports for I/O). */
    BusWindow(Window w, long minSlice) {
        long perBus = Long.highestOneBit(Math.max(1, w.size() / 2 / RootComplex.MAX_BUSES));
        this.slice = perBus >= minSlice && (w.base() & (perBus - 1)) == 0 ? perBus : 0;
        this.sliceBase = w.base();
        long sharedStart = w.base() + (slice == 0 ? 0 : (RootComplex.MAX_BUSES + 1) * slice);
        this.shared = new RangeAllocator(sharedStart, w.end());
    }

    /** Where {@code size} bytes aligned to {@code alignment} go for a BAR of {@code bus}, if anywhere. */
    OptionalLong allocate(int bus, long size, long alignment) {
        if (slice != 0 && size <= slice) {
            OptionalLong at = slices.computeIfAbsent(bus, b -> new RangeAllocator(sliceBase + (b - 1) * slice, sliceBase + b * slice))
                    .allocate(size, alignment);
            if (at.isPresent()) return at;
        }
        return shared.allocate(size, alignment);
    }

    void free(int bus, long address) {
        RangeAllocator own = slices.get(bus);
        if (own != null && own.lengthAt(address) >= 0) own.free(address);
        else shared.free(address);
    }

    /** Each bus's slice in bytes (0: the window is all shared). */
    long slice() { return slice; }
}
