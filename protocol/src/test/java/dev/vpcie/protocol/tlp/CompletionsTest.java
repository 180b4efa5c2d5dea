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
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class CompletionsTest {
    private static final int HOST = Bdf.of(0, 0, 0), NIC = Bdf.of(1, 0, 0);

    private static byte[] counting(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) i;
        return b;
    }

    @Test void oneCompletionWhenTheReadFitsMaxPayloadSize() {
        MemRead read = new MemRead(HOST, 9, 0x1000, 16, 0xF, 0xF);
        List<Completion> cpls = Completions.read(read, NIC, counting(64), 64, 128);
        assertEquals(List.of(new Completion(NIC, CplStatus.SC, false, 64, HOST, 9, 0, Attributes.DEFAULT, counting(64))), cpls);
    }

    @Test void splitsOnTheReadCompletionBoundary() {
        // 256 bytes from 0x1010, MPS 128, RCB 64: 0x1010-0x107f, 0x1080-0x10ff, 0x1100-0x110f
        MemRead read = new MemRead(HOST, 9, 0x1010, 64, 0xF, 0xF);
        List<Completion> cpls = Completions.read(read, NIC, counting(256), 64, 128);
        assertEquals(3, cpls.size());
        assertEquals(List.of(256, 144, 16), cpls.stream().map(Completion::byteCount).toList());
        assertEquals(List.of(0x10, 0x00, 0x00), cpls.stream().map(Completion::lowerAddress).toList());
        assertEquals(List.of(28, 32, 4), cpls.stream().map(Completion::length).toList());
        // RCB 128 from the same start: 0x1010-0x107f still (MPS 128 from 0x1010 ends at 0x1090, down to 0x1080)
        assertEquals(List.of(256, 144, 16), Completions.read(read, NIC, counting(256), 128, 128).stream().map(Completion::byteCount).toList());
    }

    @Test void byteCountAndLowerAddressFollowTheByteEnables() {
        MemRead read = new MemRead(HOST, 3, 0x2040, 2, 0xE, 0x3);
        Completion c = Completions.read(read, NIC, counting(8), 64, 256).getFirst();
        assertEquals(5, c.byteCount());
        assertEquals(0x41, c.lowerAddress());
        assertEquals(2, c.length());
    }

    @Test void copiesTrafficClassAndAttributesButNotPoison() {
        MemRead read = new MemRead(HOST, 0x301, 0x40, 1, 0xF, 0, false, new Attributes(5, true, false, true, true));
        Completion c = Completions.read(read, NIC, counting(4), 64, 128).getFirst();
        assertEquals(new Attributes(5, true, false, true, false), c.attributes());
        assertEquals(0x301, c.tag());
    }

    @Test void errorCompletions() {
        MemRead read = new MemRead(HOST, 4, 0x1000, 2, 0x8, 0x7); // bytes 0x1003..0x1006
        assertEquals(new Completion(NIC, CplStatus.UR, false, 4, HOST, 4, 0x03, Attributes.DEFAULT, null),
                Completions.unsupportedRequest(read, NIC));
        CfgRead cfg = new CfgRead(ConfigType.TYPE0, HOST, 5, NIC, 0x10, 0xF);
        assertEquals(new Completion(NIC, CplStatus.CA, false, 4, HOST, 5, 0, Attributes.DEFAULT, null), Completions.completerAbort(cfg, NIC));
        assertEquals(CplStatus.CRS, Completions.configRetry(cfg, NIC).status());
        assertThrows(IllegalArgumentException.class, () -> Completions.configRetry(read, NIC));
        assertThrows(IllegalArgumentException.class, () -> Completions.unsupportedRequest(Message.assertIntx(NIC, 0), NIC));
        assertThrows(IllegalArgumentException.class,
                () -> Completions.unsupportedRequest(new MemWrite(HOST, 0, 0, 0xF, 0, new byte[4]), NIC));
    }

    @Test void ioAndConfigCompletions() {
        CfgRead cfg = new CfgRead(ConfigType.TYPE0, HOST, 5, NIC, 0x0, 0xF);
        byte[] id = {(byte) 0x86, (byte) 0x80, 0x0E, 0x10};
        assertEquals(new Completion(NIC, CplStatus.SC, false, 4, HOST, 5, 0, Attributes.DEFAULT, id), Completions.readData(cfg, NIC, id));
        IoWrite io = new IoWrite(HOST, 6, 0x1000, 0x1, new byte[4]);
        assertEquals(new Completion(NIC, CplStatus.SC, false, 4, HOST, 6, 0, Attributes.DEFAULT, null), Completions.writeDone(io, NIC));
        assertThrows(IllegalArgumentException.class, () -> Completions.writeDone(cfg, NIC));
        assertThrows(IllegalArgumentException.class, () -> Completions.readData(io, NIC, id));
    }

    @Test void rejectsBadParameters() {
        MemRead read = new MemRead(HOST, 9, 0x1000, 2, 0xF, 0xF);
        assertThrows(IllegalArgumentException.class, () -> Completions.read(read, NIC, new byte[8], 32, 128));
        assertThrows(IllegalArgumentException.class, () -> Completions.read(read, NIC, new byte[8], 64, 192));
        assertThrows(IllegalArgumentException.class, () -> Completions.read(read, NIC, new byte[4], 64, 128));
    }

    /** Split by the completer, checked by the decoder, reassembled by the requester: the bytes come back. */
    @Property(tries = 1000)
    void splitCompletionsReassembleIntoTheRequestedBytes(@ForAll @LongRange(min = 0, max = 1L << 34) long address,
                                                         @ForAll @IntRange(min = 1, max = 4096) int byteCount,
                                                         @ForAll("rcb") int rcb, @ForAll("mps") int mps,
                                                         @ForAll long seed) throws MalformedTlpException {
        Random random = new Random(seed);
        for (ReadSplitter.Chunk chunk : ReadSplitter.split(address, byteCount, 4096)) {
            MemRead read = chunk.toRequest(HOST, 300, Attributes.DEFAULT);
            byte[] memory = new byte[read.length() * 4];
            random.nextBytes(memory);
            CompletionAssembler assembler = CompletionAssembler.forRequest(read);
            List<Completion> cpls = Completions.read(read, NIC, memory, rcb, mps);
            long end = read.address();
            for (int i = 0; i < cpls.size(); i++) {
                Completion c = cpls.get(i);
                assertTrue(c.data().length <= mps, "within MPS");
                end += c.data().length;
                if (i < cpls.size() - 1) assertEquals(0, end % rcb, "a non-final completion ends on the RCB");
                assertEquals(c, TlpCodec.decode(TlpCodec.encode(c)), "passes the decoder's rules");
                assertEquals(i == cpls.size() - 1 ? CompletionAssembler.State.DONE : CompletionAssembler.State.PENDING,
                        assembler.accept(c), () -> String.valueOf(assembler.failure()));
            }
            int offset = (int) (chunk.address() & 3);
            assertArrayEquals(java.util.Arrays.copyOfRange(memory, offset, offset + chunk.byteCount()), assembler.bytes());
        }
    }

    @Provide Arbitrary<Integer> rcb() { return Arbitraries.of(64, 128); }

    @Provide Arbitrary<Integer> mps() { return Arbitraries.of(128, 256, 512, 1024, 2048, 4096); }
}
