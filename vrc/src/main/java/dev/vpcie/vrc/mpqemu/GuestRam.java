package dev.vpcie.vrc.mpqemu;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import dev.vpcie.vrc.DmaMemory;
import dev.vpcie.vrc.Window;
import dev.vpcie.vrc.mpqemu.MpqemuMessage.Region;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A VM's RAM as QEMU shares it (memfd sections from SYNC_SYSMEM), serving a function's DMA at
 * guest-physical addresses. Each SYNC_SYSMEM replaces the whole layout: the new sections are
 * mapped, swapped in, and only then is the previous mapping released, under a write lock, so
 * no DMA copy ever touches unmapped memory. Copies run under the read lock (many at once).
 */
public final class GuestRam implements DmaMemory, AutoCloseable {

    private record Section(long gpa, long size, MemorySegment memory) {
        long end() { return gpa + size; }
    }

    private record Layout(Arena arena, Section[] sections) {}

    private static final Layout EMPTY = new Layout(null, new Section[0]);

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private Layout layout = EMPTY;
    private final AtomicLong unbacked = new AtomicLong();
    private final AtomicLong layouts = new AtomicLong();

    /**
     * Maps {@code regions} (closing their descriptors, which the mappings no longer need) and
     * makes them the layout; the previous one is unmapped. If a region cannot be mapped the old
     * layout stays and every descriptor is closed all the same.
     */
    public void replace(List<Region> regions) throws IOException {
        Arena arena = Arena.ofShared();
        List<Section> sections = new ArrayList<>();
        try {
            for (Region r : regions) sections.add(new Section(r.gpa(), r.size(), SharedMemory.map(r.fd(), r.offset(), r.size(), arena)));
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        } finally {
            for (Region r : regions) SharedMemory.close(r.fd());
        }
        sections.sort(Comparator.comparingLong(Section::gpa));
        for (int i = 1; i < sections.size(); i++) {
            if (sections.get(i).gpa() < sections.get(i - 1).end()) {
                arena.close();
                throw new IOException("guest RAM sections overlap at gpa 0x" + Long.toHexString(sections.get(i).gpa()));
            }
        }
        Layout old;
        lock.writeLock().lock();
        try {
            old = layout;
            layout = new Layout(arena, sections.toArray(Section[]::new));
        } finally {
            lock.writeLock().unlock();
        }
        layouts.incrementAndGet();
        if (old.arena() != null) old.arena().close();
    }

    /** The guest-physical ranges currently mapped, in address order. */
    public List<Window> sections() {
        lock.readLock().lock();
        try {
            List<Window> out = new ArrayList<>();
            for (Section s : layout.sections()) out.add(new Window(s.gpa(), s.size()));
            return out;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** How many layouts have been installed (one per SYNC_SYSMEM that mapped). */
    public long layouts() { return layouts.get(); }

    /** Bytes a copy found unbacked (a layout changed between check and copy): read as zero, written nowhere. */
    public long unbackedBytes() { return unbacked.get(); }

    @Override public boolean contains(long gpa, long length) {
        if (length < 0 || gpa < 0 || gpa + length < gpa) return false;
        lock.readLock().lock();
        try {
            long at = gpa, end = gpa + length;
            Section[] s = layout.sections();
            for (int i = find(s, at); i >= 0 && i < s.length && at < end; i++) {
                if (s[i].gpa() > at) return false;
                at = Math.min(end, s[i].end());
            }
            return at >= end;
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override public void read(long gpa, byte[] dst, int dstOffset, int length) { copy(gpa, dst, dstOffset, length, false); }

    @Override public void write(long gpa, byte[] src, int srcOffset, int length) { copy(gpa, src, srcOffset, length, true); }

    private void copy(long gpa, byte[] array, int offset, int length, boolean toGuest) {
        lock.readLock().lock();
        try {
            Section[] s = layout.sections();
            long at = gpa, end = gpa + length;
            while (at < end) {
                int i = find(s, at);
                int arrayAt = offset + (int) (at - gpa);
                if (i >= 0 && at < s[i].end()) {
                    int n = (int) (Math.min(end, s[i].end()) - at);
                    if (toGuest) MemorySegment.copy(array, arrayAt, s[i].memory(), JAVA_BYTE, at - s[i].gpa(), n);
                    else MemorySegment.copy(s[i].memory(), JAVA_BYTE, at - s[i].gpa(), array, arrayAt, n);
                    at += n;
                } else { // a hole up to the next section (or the end)
                    long next = i + 1 < s.length ? Math.min(end, s[i + 1].gpa()) : end;
                    unbacked.addAndGet(next - at);
                    if (!toGuest) Arrays.fill(array, arrayAt, arrayAt + (int) (next - at), (byte) 0);
                    at = next;
                }
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Index of the last section starting at or below {@code gpa}, or -1. */
    private static int find(Section[] s, long gpa) {
        int lo = 0, hi = s.length - 1, found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (s[mid].gpa() <= gpa) { found = mid; lo = mid + 1; } else hi = mid - 1;
        }
        return found;
    }

    /** Unmaps everything; later copies find nothing backed. */
    @Override public void close() {
        Layout old;
        lock.writeLock().lock();
        try {
            old = layout;
            layout = EMPTY;
        } finally {
            lock.writeLock().unlock();
        }
        if (old.arena() != null) old.arena().close();
    }
}
