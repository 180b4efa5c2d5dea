package dev.vpcie.devices.spi;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class AccessesTest {

    private static List<long[]> split(long offset, long length) {
        List<long[]> out = new ArrayList<>();
        Accesses.forEachAligned(offset, length, (o, s) -> out.add(new long[] {o, s}));
        return out;
    }

    @Test
    void alignedRunIsOneAccess() {
        assertEquals(1, split(0x10, 8).size());
        assertArrayEquals(new long[] {0x10, 8}, split(0x10, 8).get(0));
    }

    @Test
    void unalignedRunSplitsIntoLargestNaturalPieces() {
        // bytes 3..14: 1 at 3, 4 at 4 (8 would cross the end), 4 at 8 (7 bytes left), 2 at 12, 1 at 14
        List<long[]> parts = split(3, 12);
        long[][] expected = {{3, 1}, {4, 4}, {8, 4}, {12, 2}, {14, 1}};
        assertEquals(expected.length, parts.size());
        for (int i = 0; i < expected.length; i++) assertArrayEquals(expected[i], parts.get(i), "piece " + i);
    }

    @Test
    void byteEnablesWithHolesBecomeSeparateWrites() {
        List<long[]> out = new ArrayList<>();
        Accesses.forEachEnabled(0x100, 0b0101, (o, s) -> out.add(new long[] {o, s}));
        assertEquals(2, out.size());
        assertArrayEquals(new long[] {0x100, 1}, out.get(0));
        assertArrayEquals(new long[] {0x102, 1}, out.get(1));

        out.clear();
        Accesses.forEachEnabled(0, -1L, (o, s) -> out.add(new long[] {o, s}));
        assertEquals(8, out.size(), "64 enabled bytes from 0 are eight qwords");
    }

    @Test
    void negativeLengthIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Accesses.forEachAligned(0, -1, (o, s) -> { }));
    }

    @Property
    void piecesAreNaturallyAlignedAscendingAndCoverExactly(@ForAll @LongRange(min = 0, max = 1 << 20) long offset,
                                                           @ForAll @IntRange(min = 0, max = 200) int length) {
        long at = offset;
        for (long[] p : split(offset, length)) {
            assertEquals(at, p[0], "contiguous, ascending");
            long size = p[1];
            assertTrue(size == 1 || size == 2 || size == 4 || size == 8);
            assertEquals(0, p[0] % size, "naturally aligned");
            at += size;
        }
        assertEquals(offset + length, at);
    }

    @Property
    void enabledPiecesTouchExactlyTheEnabledBytes(@ForAll long byteEnables) {
        long touched = 0;
        for (long[] p : collectEnabled(byteEnables)) {
            assertEquals(0, p[0] % p[1], "naturally aligned");
            for (int i = 0; i < p[1]; i++) {
                long bit = 1L << (p[0] + i);
                assertEquals(0, touched & bit, "each byte once");
                touched |= bit;
            }
        }
        assertEquals(byteEnables, touched);
    }

    private static List<long[]> collectEnabled(long be) {
        List<long[]> out = new ArrayList<>();
        Accesses.forEachEnabled(0, be, (o, s) -> out.add(new long[] {o, s}));
        return out;
    }
}
