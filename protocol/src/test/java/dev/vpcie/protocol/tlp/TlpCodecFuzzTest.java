package dev.vpcie.protocol.tlp;

import static org.junit.jupiter.api.Assertions.*;

import dev.vpcie.protocol.tlp.MalformedTlpException.Reason;
import io.netty.buffer.Unpooled;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Throws random bytes and mutated valid TLPs at {@link TlpCodec#decode} and
 * {@link TlpCodec#decodeHeader} for {@code -Dvpcie.fuzz.seconds} (default 60) of wall time.
 * Anything thrown other than {@link MalformedTlpException} is a codec bug. Whatever decodes must
 * encode and decode again to the same record. Reproduce a failure with {@code -Dvpcie.fuzz.seed}.
 */
class TlpCodecFuzzTest {
    private static final long SECONDS = Long.getLong("vpcie.fuzz.seconds", 60);
    private static final long SEED = Long.getLong("vpcie.fuzz.seed", System.nanoTime());

    @Test void decoderOnlyEverThrowsTheTypedException() {
        SplittableRandom random = new SplittableRandom(SEED);
        List<byte[]> valid = TlpArbitraries.any().sampleStream().limit(2000).map(TlpCodec::encode).toList();
        Map<Reason, Long> rejected = new EnumMap<>(Reason.class);
        long accepted = 0, total = 0;
        long deadline = System.nanoTime() + SECONDS * 1_000_000_000L;
        while (total % 1024 != 0 || System.nanoTime() < deadline) {
            byte[] input = random.nextInt(4) == 0 ? randomBytes(random) : mutate(valid.get(random.nextInt(valid.size())), random);
            boolean headerOnly = random.nextInt(8) == 0;
            total++;
            try {
                Tlp tlp = headerOnly ? TlpCodec.decodeHeader(Unpooled.wrappedBuffer(input)) : TlpCodec.decode(input);
                accepted++;
                assertEquals(tlp, TlpCodec.decode(TlpCodec.encode(tlp)), () -> "re-encoding changed " + describe(input));
            } catch (MalformedTlpException e) {
                rejected.merge(e.reason(), 1L, Long::sum);
            } catch (RuntimeException | AssertionError e) {
                fail("decoder threw " + e + " for " + describe(input) + (headerOnly ? " (header only)" : ""), e);
            }
        }
        System.out.printf("TLP fuzz: %d inputs in %d s (seed %d): %d accepted, rejected %s%n",
                total, SECONDS, SEED, accepted, rejected);
        assertTrue(accepted > 0 && !rejected.isEmpty(), "the fuzzer reached both outcomes");
    }

    private static String describe(byte[] input) {
        return HexFormat.of().formatHex(input) + " (seed " + SEED + ")";
    }

    private static byte[] randomBytes(SplittableRandom random) {
        int length = random.nextInt(8) == 0 ? random.nextInt(4200) : random.nextInt(40);
        byte[] b = new byte[length];
        random.nextBytes(b);
        return b;
    }

    /** One to four of: bit flips, random byte, header field rewrites, truncation, extension. */
    private static byte[] mutate(byte[] original, SplittableRandom random) {
        byte[] b = original.clone();
        for (int n = 1 + random.nextInt(4); n > 0; n--) {
            switch (random.nextInt(7)) {
                case 0 -> b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
                case 1 -> b[random.nextInt(Math.min(b.length, 16))] = (byte) random.nextInt(256);
                case 2 -> b[0] = (byte) random.nextInt(256);                                        // Fmt/Type
                case 3 -> {                                                                         // Length
                    if (b.length >= 4) { b[2] = (byte) (b[2] & 0xFC | random.nextInt(4)); b[3] = (byte) random.nextInt(256); }
                }
                case 4 -> b = java.util.Arrays.copyOf(b, random.nextInt(b.length + 1));             // truncate
                case 5 -> b = java.util.Arrays.copyOf(b, b.length + 4 * (1 + random.nextInt(4)));  // extend
                default -> b[random.nextInt(b.length)] = (byte) random.nextInt(256);
            }
            if (b.length == 0) return b;
        }
        return b;
    }
}
