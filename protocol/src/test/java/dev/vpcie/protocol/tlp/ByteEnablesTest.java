package dev.vpcie.protocol.tlp;

import static org.junit.jupiter.api.Assertions.*;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class ByteEnablesTest {

    @Test void spansFromAddressAndByteCount() {
        assertEquals(new ByteEnables.Span(0x1000, 1, 0xF, 0), ByteEnables.of(0x1000, 4));
        assertEquals(new ByteEnables.Span(0x1000, 1, 0x6, 0), ByteEnables.of(0x1001, 2));
        assertEquals(new ByteEnables.Span(0x1000, 2, 0x8, 0x1), ByteEnables.of(0x1003, 2));
        assertEquals(new ByteEnables.Span(0x1000, 3, 0xC, 0x3), ByteEnables.of(0x1002, 8));
        assertEquals(new ByteEnables.Span(0x1000, 1024, 0xF, 0xF), ByteEnables.of(0x1000, 4096));
        assertEquals(new ByteEnables.Span(0x1004, 1, 0, 0), ByteEnables.of(0x1005, 0), "zero-length form");
        assertThrows(IllegalArgumentException.class, () -> ByteEnables.of(0, 4097));
    }

    @Test void byteCountTableOfTheSpecForOneDw() {
        // 1xx1 -> 4, 01x1 -> 3, 1x10 -> 3, 0011/0110/1100 -> 2, single bytes and 0000 -> 1
        int[][] table = {{0b1001, 4}, {0b1111, 4}, {0b1011, 4}, {0b0101, 3}, {0b0111, 3}, {0b1010, 3}, {0b1110, 3},
                {0b0011, 2}, {0b0110, 2}, {0b1100, 2}, {0b0001, 1}, {0b0010, 1}, {0b0100, 1}, {0b1000, 1}, {0b0000, 1}};
        for (int[] row : table) assertEquals(row[1], ByteEnables.byteCount(1, row[0], 0), "first BE " + Integer.toBinaryString(row[0]));
    }

    @Test void byteCountForLongerRequests() {
        assertEquals(12, ByteEnables.byteCount(3, 0xF, 0xF));
        assertEquals(6, ByteEnables.byteCount(2, 0b1010, 0b0101), "QW-aligned non-contiguous: first to last enabled byte");
        assertEquals(5, ByteEnables.byteCount(2, 0xE, 0x3));
        assertEquals(4096 - 3 - 3, ByteEnables.byteCount(1024, 0x8, 0x1));
        assertThrows(IllegalArgumentException.class, () -> ByteEnables.byteCount(2, 0xF, 0));
    }

    @Test void contiguity() {
        for (int be = 0; be < 16; be++) {
            assertEquals(be == 0xF || be == 0xE || be == 0xC || be == 0x8, ByteEnables.contiguousToTop(be), "to top " + be);
            assertEquals(be == 0xF || be == 0x7 || be == 0x3 || be == 0x1, ByteEnables.contiguousFromBottom(be), "from bottom " + be);
        }
    }

    @Property void spanAndByteCountAreInverse(@ForAll @LongRange(min = 0, max = 1L << 40) long address,
                                              @ForAll @IntRange(min = 1, max = 4096) int byteCount) throws MalformedTlpException {
        ByteEnables.Span s = ByteEnables.of(address, byteCount);
        assertEquals(ByteEnables.dwLength(address, byteCount), s.length());
        assertEquals(byteCount, ByteEnables.byteCount(s.length(), s.firstBe(), s.lastBe()));
        assertEquals(address, s.dwAddress() + ByteEnables.firstByteOffset(s.firstBe()));
        // and the span obeys the request byte-enable rules of the codec
        if (s.length() <= 1024) TlpCodec.checkRequestByteEnables("span", s.length(), s.firstBe(), s.lastBe(), s.dwAddress());
    }
}
