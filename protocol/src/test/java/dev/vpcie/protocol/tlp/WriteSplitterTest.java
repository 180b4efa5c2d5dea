package dev.vpcie.protocol.tlp;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class WriteSplitterTest {

    @Test void unalignedWriteAcrossAPage() {
        byte[] data = {1, 2, 3, 4, 5, 6};
        List<MemWrite> w = WriteSplitter.split(0x100, 0x0FFD, data, 128);
        assertEquals(2, w.size());
        assertEquals(new MemWrite(0x100, 0, 0x0FFC, 0xE, 0, new byte[] {0, 1, 2, 3}), w.get(0));
        assertEquals(new MemWrite(0x100, 0, 0x1000, 0x7, 0, new byte[] {4, 5, 6, 0}), w.get(1));
    }

    @Property(tries = 300)
    void writesRebuildTheDataWithinMaxPayloadSize(@ForAll @IntRange(min = 0, max = 10_000) int offsetInWindow,
                                                  @ForAll @IntRange(min = 1, max = 20_000) int length,
                                                  @ForAll("mps") int mps, @ForAll long seed) throws MalformedTlpException {
        byte[] data = new byte[length];
        new Random(seed).nextBytes(data);
        long base = 0x7FFF_0000L; // the window straddles 4 GiB for some offsets
        byte[] memory = new byte[offsetInWindow + length + 8];
        for (MemWrite w : WriteSplitter.split(0x200, base + offsetInWindow, data, 0, length, mps, Attributes.DEFAULT)) {
            assertTrue(w.data().length <= mps, "within Max_Payload_Size");
            assertEquals(w, TlpCodec.decode(TlpCodec.encode(w)), "passes the decoder's rules");
            for (int i = 0; i < w.data().length; i++) {
                int be = i < 4 ? w.firstBe() : i >= w.data().length - 4 ? w.lastBe() : 0xF;
                if ((be >> (i & 3) & 1) != 0) memory[(int) (w.address() - base) + i] = w.data()[i];
            }
        }
        assertArrayEquals(data, java.util.Arrays.copyOfRange(memory, offsetInWindow, offsetInWindow + length));
    }

    @Provide Arbitrary<Integer> mps() { return Arbitraries.of(128, 256, 512, 1024, 2048, 4096); }
}
