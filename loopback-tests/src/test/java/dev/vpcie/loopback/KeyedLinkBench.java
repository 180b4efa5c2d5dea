package dev.vpcie.loopback;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.protocol.link.GroupKey;
import dev.vpcie.vrc.DmaBuffer;
import dev.vpcie.vrc.PcieDevice;
import dev.vpcie.vrc.drivers.DmaTestDriver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * What sealing every frame with the group key costs (docs/security.md): MMIO read round trips and
 * DMA copies through a real VRC and endpoint on an in-memory cable, without a key (the baseline)
 * and with one, alternating in rounds in the same run. Prints medians, p99s and the load average;
 * asserts only that nothing failed. Runs with {@code -Dvpcie.bench=true}.
 */
class KeyedLinkBench {
    private static final int ROUNDS = 5, READS = 4000, COPY = 16 << 20;

    @Test
    void sealingCost() throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("vpcie.bench"), "benchmark skipped: run with -Dvpcie.bench=true");
        GroupKey key = GroupKey.of("a benchmark's group key, 32 bytes".getBytes());
        Histogram[] reads = {new Histogram(3), new Histogram(3)};
        Histogram[] copies = {new Histogram(3), new Histogram(3)};
        for (int round = 0; round < ROUNDS; round++) {
            for (int mode = 0; mode < 2; mode++) {
                try (LinkRig r = LinkRig.start(Wire.memory(), LinkRig.Options.defaults().withGroupKey(mode == 0 ? null : key))) {
                    PcieDevice d = r.enumerateOne();
                    for (int i = 0; i < READS; i++) {
                        long t = System.nanoTime();
                        d.mmioRead(0, 0, 4);
                        if (i >= READS / 4) reads[mode].recordValue(System.nanoTime() - t); // after a warm-up
                    }
                    DmaBuffer src = r.rc.hostMemory().allocate(COPY), dst = r.rc.hostMemory().allocate(COPY);
                    d.mapDma(src);
                    d.mapDma(dst);
                    try (DmaTestDriver drv = new DmaTestDriver(d)) {
                        for (int i = 0; i < 3; i++) {
                            long t = System.nanoTime();
                            DmaTestDriver.Completion c = drv.run(DmaTestDriver.Op.COPY, src.busAddress(), dst.busAddress(), COPY, 0, 60_000_000_000L);
                            assertTrue(c != null && c.ok(), "copy completes");
                            copies[mode].recordValue(System.nanoTime() - t);
                        }
                    }
                }
            }
        }
        System.out.printf("sealing cost, in-memory cable, %d rounds alternating (load average %s)%n", ROUNDS, loadAverage());
        String[] names = {"no key (baseline)", "group key"};
        for (int mode = 0; mode < 2; mode++) {
            System.out.printf("  %-18s MMIO read RTT median %6.1f us  p99 %7.1f us   16 MiB copy median %6.2f Gbit/s  p99 time %6.1f ms%n",
                    names[mode], reads[mode].getValueAtPercentile(50) / 1e3, reads[mode].getValueAtPercentile(99) / 1e3,
                    COPY * 8.0 / copies[mode].getValueAtPercentile(50), copies[mode].getValueAtPercentile(99) / 1e6);
        }
    }

    private static String loadAverage() throws IOException {
        return Files.readString(Path.of("/proc/loadavg")).trim();
    }
}
