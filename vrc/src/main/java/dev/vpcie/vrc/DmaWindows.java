package dev.vpcie.vrc;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The software IOMMU: for each requester ID, the bus address ranges a driver has mapped for
 * that function's DMA. Mappings may overlap and are reference-counted by handle; lookups see
 * the union. Lookups run on link threads and take no lock: every change publishes a fresh,
 * immutable table of merged intervals per requester.
 */
public final class DmaWindows {

    /** One mapping a driver made; pass it back to {@link #unmap}. */
    public record Mapping(int requester, long busAddress, long length) {
        public long end() { return busAddress + length; }
    }

    private final List<Mapping> mappings = new ArrayList<>();
    /** requester → sorted, disjoint, merged [start, end) pairs flattened into one array. */
    private volatile Map<Integer, long[]> merged = Map.of();

    public synchronized Mapping map(int requester, long busAddress, long length) {
        if (length <= 0) throw new IllegalArgumentException("DMA window length must be positive: " + length);
        if (busAddress < 0 || busAddress + length < busAddress)
            throw new IllegalArgumentException("DMA window out of range: 0x" + Long.toHexString(busAddress) + " + " + length);
        Mapping m = new Mapping(requester, busAddress, length);
        mappings.add(m);
        publish();
        return m;
    }

    /** Removes one mapping (by identity, so two equal mappings unmap one at a time). */
    public synchronized void unmap(Mapping mapping) {
        for (int i = 0; i < mappings.size(); i++) {
            if (mappings.get(i) == mapping) {
                mappings.remove(i);
                publish();
                return;
            }
        }
        throw new IllegalArgumentException("not a current DMA mapping: " + mapping);
    }

    /** Removes every mapping of a requester (its device went away or was re-enumerated). */
    public synchronized void unmapAll(int requester) {
        if (mappings.removeIf(m -> m.requester() == requester)) publish();
    }

    /** True when every byte of {@code [busAddress, busAddress + length)} is mapped for {@code requester}. */
    public boolean permits(int requester, long busAddress, long length) {
        long[] ranges = merged.get(requester);
        if (ranges == null || length <= 0) return false;
        long end = busAddress + length;
        // Binary search for the last range starting at or below busAddress; merged ranges are
        // disjoint and non-adjacent, so one range must cover the whole access.
        int lo = 0, hi = ranges.length / 2 - 1, found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (ranges[2 * mid] <= busAddress) { found = mid; lo = mid + 1; } else hi = mid - 1;
        }
        return found >= 0 && end <= ranges[2 * found + 1] && end > busAddress;
    }

    public synchronized List<Mapping> mappings() { return List.copyOf(mappings); }

    private void publish() {
        Map<Integer, List<Mapping>> byRequester = new HashMap<>();
        for (Mapping m : mappings) byRequester.computeIfAbsent(m.requester(), k -> new ArrayList<>()).add(m);
        Map<Integer, long[]> next = new HashMap<>();
        byRequester.forEach((requester, list) -> {
            list.sort((a, b) -> Long.compare(a.busAddress(), b.busAddress()));
            long[] out = new long[list.size() * 2];
            int n = 0;
            for (Mapping m : list) {
                if (n > 0 && m.busAddress() <= out[n - 1]) out[n - 1] = Math.max(out[n - 1], m.end());
                else { out[n++] = m.busAddress(); out[n++] = m.end(); }
            }
            next.put(requester, Arrays.copyOf(out, n));
        });
        merged = Map.copyOf(next);
    }
}
