package dev.vpcie.devices.nic.offload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class InternetChecksumTest {
    /** RFC 1071 word by word, the definition the fast sum must agree with. */
    private static long reference(long sum, byte[] b, int off, int len) {
        for (int i = off; i < off + len; i += 2) sum += (b[i] & 0xFF) << 8 | (i + 1 < off + len ? b[i + 1] & 0xFF : 0);
        return sum;
    }

    @Test
    void foldsToTheSameChecksumAsWordByWordAtEveryOffsetAndLength() {
        Random r = new Random(1071);
        for (int n = 0; n < 20_000; n++) {
            byte[] b = new byte[1 + r.nextInt(2000)];
            if (n % 3 == 0) java.util.Arrays.fill(b, (byte) 0xFF); // all ones: the end-around carry at its worst
            else r.nextBytes(b);
            int off = r.nextInt(b.length);
            int len = r.nextInt(b.length - off + 1);
            long seed = n % 2 == 0 ? 0 : r.nextInt(1 << 20);
            assertEquals(InternetChecksum.fold(reference(seed, b, off, len)), InternetChecksum.fold(InternetChecksum.add(seed, b, off, len)),
                    "offset " + off + ", length " + len);
        }
    }

    @Test
    void zeroOnlyForAllZeroBytesAndARegionWithItsChecksumVerifies() {
        assertEquals(0, InternetChecksum.fold(InternetChecksum.add(0, new byte[64], 0, 64)));
        byte[] b = new byte[1501];
        new Random(7).nextBytes(b);
        b[10] = 0;
        b[11] = 0;
        int c = InternetChecksum.checksum(b, 0, b.length);
        b[10] = (byte) (c >>> 8);
        b[11] = (byte) c;
        assertTrue(InternetChecksum.verifies(InternetChecksum.add(0, b, 0, b.length)));
    }
}
