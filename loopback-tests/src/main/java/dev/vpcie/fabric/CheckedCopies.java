package dev.vpcie.fabric;

import dev.vpcie.vrc.DmaBuffer;
import dev.vpcie.vrc.PcieDevice;
import dev.vpcie.vrc.RootComplex;
import dev.vpcie.vrc.drivers.DmaTestDriver;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * One dmatest COPY per device, all at once: each device copies its own random source buffer
 * into its own destination buffer in host memory (device DMA reads and writes over its link),
 * and the destination is compared with the source byte for byte.
 */
public final class CheckedCopies {
    private CheckedCopies() {}

    /**
     * What the copies did.
     *
     * @param devices  how many devices copied
     * @param failures one line per device whose copy failed, did not complete or copied wrong bytes
     * @param bytes    bytes each device copied
     * @param nanos    wall time from the first doorbell to the last check
     */
    public record Result(int devices, List<String> failures, int bytes, long nanos) {
        public boolean ok() { return failures.isEmpty() && devices > 0; }

        /** e.g. {@code 32 devices x 65536 bytes at once: all correct in 812 ms (20.6 Mbit/s in all)}. */
        public String describe() {
            double seconds = nanos / 1e9;
            return String.format(java.util.Locale.ROOT, "%d devices x %d bytes at once: %s in %.0f ms (%.1f Mbit/s in all)", devices, bytes,
                    failures.isEmpty() ? "all correct" : failures.size() + " FAILED " + failures, seconds * 1000,
                    devices * (double) bytes * 8 / seconds / 1e6);
        }
    }

    /** Runs the copies of {@code bytes} each, waiting at most {@code timeoutNanos} per copy. */
    public static Result run(RootComplex rc, List<PcieDevice> devices, int bytes, long timeoutNanos) throws InterruptedException {
        List<byte[]> sources = new ArrayList<>();
        List<DmaBuffer[]> buffers = new ArrayList<>();
        Random random = new Random(15);
        for (PcieDevice d : devices) {
            byte[] content = new byte[bytes];
            random.nextBytes(content);
            DmaBuffer src = rc.hostMemory().allocate(bytes), dst = rc.hostMemory().allocate(bytes);
            src.segment().copyFrom(java.lang.foreign.MemorySegment.ofArray(content));
            d.mapDma(src);
            d.mapDma(dst);
            sources.add(content);
            buffers.add(new DmaBuffer[] {src, dst});
        }
        List<String> failures = new ArrayList<>();
        long start = System.nanoTime();
        // The harness's own callers, one virtual thread per device, so that the 32 copies are in
        // flight together; they only wait on the VRC's agent (which runs the data path), never run it.
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<String>> outcomes = new ArrayList<>();
            for (int i = 0; i < devices.size(); i++) {
                PcieDevice d = devices.get(i);
                DmaBuffer src = buffers.get(i)[0], dst = buffers.get(i)[1];
                byte[] content = sources.get(i);
                outcomes.add(pool.submit(() -> copy(d, src, dst, content, timeoutNanos)));
            }
            for (Future<String> f : outcomes) {
                try {
                    String failure = f.get(timeoutNanos + TimeUnit.SECONDS.toNanos(10), TimeUnit.NANOSECONDS);
                    if (failure != null) failures.add(failure);
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    failures.add(e.toString());
                }
            }
        }
        return new Result(devices.size(), failures, bytes, System.nanoTime() - start);
    }

    /** One device's copy; null when right, else what went wrong. */
    private static String copy(PcieDevice d, DmaBuffer src, DmaBuffer dst, byte[] content, long timeoutNanos) {
        try (DmaTestDriver drv = new DmaTestDriver(d)) {
            DmaTestDriver.Completion c = drv.run(DmaTestDriver.Op.COPY, src.busAddress(), dst.busAddress(), content.length, 0, timeoutNanos);
            if (c == null) return "dmatest " + d.name() + ": no completion";
            if (!c.ok()) return "dmatest " + d.name() + ": " + c.statusName();
            byte[] got = dst.segment().toArray(ValueLayout.JAVA_BYTE);
            if (!Arrays.equals(content, got)) return "dmatest " + d.name() + ": DATA MISMATCH";
            return null;
        }
    }
}
