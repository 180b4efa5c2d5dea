package dev.vpcie.devices.nic;

import java.util.function.IntSupplier;

/** The timing loop of the NIC models' throughput benchmarks: prints figures, asserts nothing. */
public final class FrameRate {
    private static final int SECONDS = Integer.getInteger("vpcie.bench.seconds", 3);

    private FrameRate() {}

    /**
     * Runs {@code step} (which returns how many frames it moved) for a one-second warm-up, then for
     * {@code -Dvpcie.bench.seconds} (default 3), and prints frames per second and Gbit/s.
     */
    public static void print(String what, int frameBytes, IntSupplier step) {
        long end = System.nanoTime() + 1_000_000_000L; // warm-up
        while (System.nanoTime() < end) step.getAsInt();
        long frames = 0;
        long start = System.nanoTime();
        end = start + SECONDS * 1_000_000_000L;
        while (System.nanoTime() < end) frames += step.getAsInt();
        double s = (System.nanoTime() - start) / 1e9;
        System.out.printf("%-58s %,12.0f frames/s %8.2f Gbit/s%n", what, frames / s, frames * frameBytes * 8 / s / 1e9);
    }
}
