package dev.vpcie.endpoint;

import java.util.ArrayList;
import java.util.List;

/**
 * The bytes a memory, I/O or configuration request enables, as runs of consecutive bytes
 * relative to its DW-aligned address (PCIe base spec 2.2.5): the First DW Byte Enables cover
 * DW 0, the Last DW Byte Enables the last DW, every DW between is whole. A request with
 * non-contiguous enables (legal for one DW, or two QW-aligned DWs) has several runs; a
 * zero-length request (one DW, enables 0000b) has none.
 */
final class EnabledBytes {
    private EnabledBytes() {}

    /** {@code length} consecutive enabled bytes starting {@code offset} bytes after the DW address. */
    record Run(int offset, int length) {}

    static List<Run> of(int lengthDw, int firstBe, int lastBe) {
        List<Run> runs = new ArrayList<>(2);
        if (lengthDw == 1) {
            addBits(runs, 0, firstBe);
            return runs;
        }
        addBits(runs, 0, firstBe);
        if (lengthDw > 2) add(runs, 4, (lengthDw - 2) * 4);
        addBits(runs, (lengthDw - 1) * 4, lastBe);
        return runs;
    }

    /** Whether the request enables one unbroken run of bytes (or none). */
    static boolean contiguous(int lengthDw, int firstBe, int lastBe) { return of(lengthDw, firstBe, lastBe).size() <= 1; }

    private static void addBits(List<Run> runs, int at, int be) {
        for (int i = 0; i < 4; i++) if ((be >>> i & 1) != 0) add(runs, at + i, 1);
    }

    private static void add(List<Run> runs, int offset, int length) {
        if (!runs.isEmpty()) {
            Run last = runs.getLast();
            if (last.offset() + last.length() == offset) {
                runs.set(runs.size() - 1, new Run(last.offset(), last.length() + length));
                return;
            }
        }
        runs.add(new Run(offset, length));
    }
}
