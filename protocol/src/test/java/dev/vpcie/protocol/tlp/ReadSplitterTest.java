package dev.vpcie.protocol.tlp;

import static org.junit.jupiter.api.Assertions.*;

import dev.vpcie.protocol.tlp.ReadSplitter.Chunk;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class ReadSplitterTest {

    @Test void splitsAt4KiBAndMaxReadRequestSize() {
        assertEquals(List.of(new Chunk(0xFFE, 2), new Chunk(0x1000, 2)), ReadSplitter.split(0xFFE, 4, 4096));
        assertEquals(List.of(new Chunk(0x10, 0x1F0), new Chunk(0x200, 0x10)), ReadSplitter.split(0x10, 0x200, 512));
        assertEquals(4, ReadSplitter.split(0x1000, 1024, 256).size());
        assertEquals(List.of(new Chunk(0x1234, 1)), ReadSplitter.split(0x1234, 1, 128));
        assertThrows(IllegalArgumentException.class, () -> ReadSplitter.split(0, 0, 512));
        assertThrows(IllegalArgumentException.class, () -> ReadSplitter.split(0, 8, 96));
        assertThrows(IllegalArgumentException.class, () -> ReadSplitter.split(Long.MAX_VALUE - 2, 8, 512));
    }

    @Test void crossesTheFourGigabyteLineWithTheRightHeaders() {
        List<Chunk> chunks = ReadSplitter.split(0xFFFF_FFF0L, 32, 4096);
        assertEquals(2, chunks.size());
        assertFalse(chunks.get(0).toRequest(0, 1, Attributes.DEFAULT).longAddress());
        assertTrue(chunks.get(1).toRequest(0, 2, Attributes.DEFAULT).longAddress());
    }

    @Test void unalignedChunkBecomesARequestWithByteEnables() {
        MemRead r = new Chunk(0x1003, 6).toRequest(0x100, 7, Attributes.DEFAULT);
        assertEquals(new MemRead(0x100, 7, 0x1000, 3, 0x8, 0x1), r);
    }

    @Property(tries = 500)
    void chunksCoverTheRangeAsLegalRequests(@ForAll @LongRange(min = 0, max = 1L << 36) long address,
                                            @ForAll @IntRange(min = 1, max = 70_000) int byteCount,
                                            @ForAll("mrrs") int mrrs) throws MalformedTlpException {
        long next = address;
        for (Chunk c : ReadSplitter.split(address, byteCount, mrrs)) {
            assertEquals(next, c.address(), "contiguous");
            MemRead r = c.toRequest(1, 2, Attributes.DEFAULT);
            assertTrue(r.length() * 4 <= mrrs, "within Max_Read_Request_Size");
            assertEquals(r, TlpCodec.decode(TlpCodec.encode(r)), "passes the decoder's rules, 4 KiB included");
            assertEquals(TlpWarning.of(r).isEmpty(), true);
            next += c.byteCount();
        }
        assertEquals(address + byteCount, next, "covers exactly");
    }

    @net.jqwik.api.Provide net.jqwik.api.Arbitrary<Integer> mrrs() {
        return net.jqwik.api.Arbitraries.of(128, 256, 512, 1024, 2048, 4096);
    }
}
