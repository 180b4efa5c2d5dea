package dev.vpcie.cli;

import dev.vpcie.vrc.DmaBuffer;
import dev.vpcie.vrc.DmaWindows;
import dev.vpcie.vrc.PcieDevice;
import dev.vpcie.vrc.RootComplex;
import dev.vpcie.vrc.drivers.DmaTestDriver;
import java.io.PrintWriter;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code vpcie vrc dmatest [BDF] copy|fill|checksum}: one dmatest command end to end, for demos.
 * Maps DMA buffers, enables the chosen interrupt mechanism, rings the doorbell, waits for the
 * interrupt, checks the result against what the host computes, and prints one line per step.
 */
@Command(name = "dmatest", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run one dmatest command with an interrupt and check its result: copy (host to host), "
                + "fill (a 32-bit pattern into host memory) or checksum (CRC-32 of host memory).",
                "Exit status 1 when the command fails, no interrupt arrives, the link goes down (at once) or the data is wrong."})
final class VrcDmatestCommand implements Callable<Integer> {
    static final int VENDOR_ID = 0x1AF4, DEVICE_ID = 0x10F0;

    /** The interrupt mechanisms {@code --interrupt} accepts. */
    enum Interrupt {
        msix("MSI-X"), msi("MSI"), intx("INTx");

        final String label;

        Interrupt(String label) { this.label = label; }
    }

    @ParentCommand VrcCommand vrc;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin Logging.Options logging;

    @Parameters(arity = "1..2", paramLabel = "[BDF] copy|fill|checksum",
            description = "the function (default: the first dmatest found) and the command") List<String> args;
    @Option(names = "--size", paramLabel = "N", defaultValue = "1M",
            description = "bytes to move: a number with an optional K, M or G (powers of 1024), 1 .. 1G (default: ${DEFAULT-VALUE})")
    String sizeText;
    @Option(names = "--interrupt", defaultValue = "msix", description = "msix, msi or intx (default: ${DEFAULT-VALUE})")
    Interrupt interrupt;
    @Option(names = "--pattern", paramLabel = "HEX", defaultValue = "a5c35a3c", description = "32-bit fill pattern (default: ${DEFAULT-VALUE})")
    String patternText;
    @Option(names = "--src-offset", paramLabel = "N", defaultValue = "0", description = "source offset into its page, to test alignment (default: ${DEFAULT-VALUE})")
    int srcOffset;
    @Option(names = "--dst-offset", paramLabel = "N", defaultValue = "0", description = "destination offset into its page (default: ${DEFAULT-VALUE})")
    int dstOffset;
    @Option(names = "--timeout-ms", paramLabel = "MS", defaultValue = "10000", description = "how long to wait for the interrupt (default: ${DEFAULT-VALUE})")
    long timeoutMillis;

    /** The three commands a demo runs; the opcodes come from the driver. */
    private enum Op {
        copy(DmaTestDriver.Op.COPY, true, true), fill(DmaTestDriver.Op.FILL, false, true), checksum(DmaTestDriver.Op.CHECKSUM, true, false);

        final DmaTestDriver.Op op;
        final boolean reads, writes;

        Op(DmaTestDriver.Op op, boolean reads, boolean writes) {
            this.op = op;
            this.reads = reads;
            this.writes = writes;
        }
    }

    @Override public Integer call() throws Exception {
        CommandLine cmd = spec.commandLine();
        String bdfText = args.size() == 2 ? args.get(0) : null;
        Integer bdf = bdfText == null ? null : VrcAccess.bdf(cmd, bdfText);
        String opText = args.getLast();
        Op op;
        try {
            op = Op.valueOf(opText.toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cmd, "the command must be copy, fill or checksum: " + opText);
        }
        long size = parseSize(cmd, sizeText);
        long patternValue = VrcAccess.hex(cmd, patternText, "--pattern");
        if (patternValue >>> 32 != 0) throw new CommandLine.ParameterException(cmd, "--pattern must fit in 32 bits: " + patternText);
        int pattern = (int) patternValue;
        if (srcOffset < 0 || srcOffset > 4095 || dstOffset < 0 || dstOffset > 4095)
            throw new CommandLine.ParameterException(cmd, "--src-offset and --dst-offset must be 0..4095");
        if (timeoutMillis <= 0 || timeoutMillis > VrcCommand.MAX_TIMEOUT_MILLIS)
            throw new CommandLine.ParameterException(cmd, "--timeout-ms must be 1.." + VrcCommand.MAX_TIMEOUT_MILLIS + ": " + timeoutMillis);
        return vrc.run(rc -> run(cmd, rc, bdf, op, size, pattern));
    }

    private int run(CommandLine cmd, RootComplex rc, Integer bdf, Op op, long size, int pattern) throws InterruptedException {
        PrintWriter out = vrc.out();
        PcieDevice d = pick(cmd, rc, bdf);
        long need = (op.reads ? size + srcOffset : 0) + (op.writes ? size + dstOffset : 0) + (64 << 10);
        if (need > rc.hostMemory().size())
            throw new CommandLine.ParameterException(cmd, "--size " + sizeText + " needs " + need + " bytes of host memory; raise --host-memory-mib");
        List<DmaBuffer> buffers = new ArrayList<>();
        List<DmaWindows.Mapping> mappings = new ArrayList<>();
        try (DmaTestDriver drv = new DmaTestDriver(d)) {
            out.printf("dmatest %s [%04x:%04x]: queue depth %d, MPS %d, MRRS %d, link %s%n", d.name(), d.vendorId(), d.deviceId(),
                    drv.queueDepth(), d.maxPayloadSize(), d.maxReadRequestSize(), d.link().describe());
            out.flush();

            switch (interrupt) {
                case msix -> d.enableMsix(1);
                case msi -> d.enableMsi(1);
                case intx -> d.enableIntx();
            }
            AtomicLong firedAt = new AtomicLong();
            CountDownLatch fired = new CountDownLatch(1);
            d.onInterrupt(0, () -> {
                firedAt.compareAndSet(0, System.nanoTime());
                fired.countDown();
            });
            drv.enableInterrupts();
            out.printf("interrupts: %s enabled, vector 0%n", interrupt.label);

            DmaBuffer src = null, dst = null;
            StringBuilder mapped = new StringBuilder();
            if (op.reads) {
                src = rc.hostMemory().allocate(size + srcOffset);
                buffers.add(src);
                byte[] random = new byte[(int) Math.min(size + srcOffset, 1 << 20)];
                new Random(size).nextBytes(random);
                for (long at = 0; at < src.length(); at += random.length)
                    MemorySegment.copy(MemorySegment.ofArray(random), 0, src.segment(), at, Math.min(random.length, src.length() - at));
                mappings.add(d.mapDma(src));
                mapped.append(String.format("source %d bytes at 0x%x", size, src.busAddress() + srcOffset));
            }
            if (op.writes) {
                dst = rc.hostMemory().allocate(size + dstOffset);
                buffers.add(dst);
                mappings.add(d.mapDma(dst));
                if (!mapped.isEmpty()) mapped.append(", ");
                mapped.append(String.format("destination %d bytes at 0x%x", size, dst.busAddress() + dstOffset));
            }
            out.printf("DMA buffers mapped for %s: %s%n", d.name(), mapped);
            out.flush();

            long srcAddr = src == null ? 0 : src.busAddress() + srcOffset, dstAddr = dst == null ? 0 : dst.busAddress() + dstOffset;
            long t0 = System.nanoTime();
            int sequence = drv.submit(op.op, srcAddr, dstAddr, size, pattern, true, 0);
            String what = switch (op) {
                case copy -> String.format("copy %d bytes host->host", size);
                case fill -> String.format("fill %d bytes with 0x%08x", size, pattern);
                case checksum -> String.format("checksum of %d bytes", size);
            };
            boolean gotInterrupt = awaitInterrupt(fired, d);
            if (!gotInterrupt && !d.link().isUp()) {
                out.printf(Locale.ROOT, "%s: FAILED: the link to %s went down after %.0f ms (%s)%n", what, d.name(),
                        (System.nanoTime() - t0) / 1e6, d.link().describe());
                return 1;
            }
            DmaTestDriver.Completion c = drv.await(sequence, gotInterrupt ? TimeUnit.SECONDS.toNanos(1) : 0);
            int status = drv.takeInterruptStatus(); // also lowers INTx
            double ms = ((gotInterrupt ? firedAt.get() : System.nanoTime()) - t0) / 1e6;

            if (c == null) {
                out.printf("%s: no completion within %d ms%s%n", what, timeoutMillis, gotInterrupt ? "" : " and no interrupt");
                return 1;
            }
            if (!c.ok()) {
                out.printf("%s: FAILED with %s after %d bytes (%s; device INT_STATUS 0x%x)%n", what, c.statusName(), c.bytes(),
                        gotInterrupt ? interrupt.label + " vector 0 received" : "no interrupt", status);
                return 1;
            }
            String check = switch (op) {
                case copy -> verifyCopy(src.segment().asSlice(srcOffset, size), dst.segment().asSlice(dstOffset, size));
                case fill -> verifyFill(dst.segment().asSlice(dstOffset, size), pattern);
                case checksum -> verifyChecksum(src.segment().asSlice(srcOffset, size), c.result());
            };
            out.printf(Locale.ROOT, "%s: %.2f ms (%.2f Gbit/s), %s, %s%n", what, ms, size * 8 / (ms * 1e6),
                    gotInterrupt ? "interrupt " + interrupt.label + " vector 0 received" : "NO INTERRUPT within " + timeoutMillis + " ms",
                    check == null ? (op == Op.checksum ? "CRC-32 0x" + String.format("%08x", c.result()) + " verified" : "data verified") : check);
            out.flush();
            return gotInterrupt && check == null ? 0 : 1;
        } finally {
            for (DmaWindows.Mapping m : mappings) d.unmapDma(m);
            for (DmaBuffer b : buffers) rc.hostMemory().free(b);
            out.flush();
        }
    }

    /**
     * Waits for the interrupt, at most --timeout-ms, and no longer than the link stays up: once
     * the link is down no completion can come, and waiting out the timeout (30 s in scripts)
     * only hides the failure. The link's state is looked at every 20 ms rather than subscribed
     * to: its down event runs on the root complex's loop, which offers no listener for it.
     */
    private boolean awaitInterrupt(CountDownLatch fired, PcieDevice d) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) return false;
            if (fired.await(Math.min(left, LINK_CHECK_NANOS), TimeUnit.NANOSECONDS)) return true;
            if (!d.link().isUp()) return fired.getCount() == 0;
        }
    }

    private static final long LINK_CHECK_NANOS = 20_000_000L;

    /** Null when the copy is byte-identical, else what differs. */
    private static String verifyCopy(MemorySegment src, MemorySegment dst) {
        long at = src.mismatch(dst);
        if (at < 0) return null;
        return String.format("DATA MISMATCH at byte %d: expected 0x%02x, got 0x%02x", at, src.get(ValueLayout.JAVA_BYTE, at),
                dst.get(ValueLayout.JAVA_BYTE, at));
    }

    private static String verifyFill(MemorySegment dst, int pattern) {
        for (long i = 0; i < dst.byteSize(); i++) {
            byte want = (byte) (pattern >>> (8 * (i & 3)));
            byte got = dst.get(ValueLayout.JAVA_BYTE, i);
            if (got != want) return String.format("DATA MISMATCH at byte %d: expected 0x%02x, got 0x%02x", i, want, got);
        }
        return null;
    }

    private static String verifyChecksum(MemorySegment src, int deviceCrc) {
        CRC32 crc = new CRC32();
        crc.update(src.asByteBuffer());
        int host = (int) crc.getValue();
        return host == deviceCrc ? null : String.format("CHECKSUM MISMATCH: device 0x%08x, host 0x%08x", deviceCrc, host);
    }

    private static PcieDevice pick(CommandLine cmd, RootComplex rc, Integer bdf) {
        if (bdf != null) {
            PcieDevice d;
            try {
                d = rc.device(bdf);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cmd, e.getMessage());
            }
            if (d.vendorId() != VENDOR_ID || d.deviceId() != DEVICE_ID)
                throw new CommandLine.ParameterException(cmd, d + " is not a dmatest function (1af4:10f0)");
            return d;
        }
        return rc.devices().stream().filter(d -> d.vendorId() == VENDOR_ID && d.deviceId() == DEVICE_ID).findFirst()
                .orElseThrow(() -> new CommandLine.ParameterException(cmd, "no dmatest function (1af4:10f0) found among "
                        + rc.devices().stream().map(PcieDevice::toString).toList()));
    }

    /** {@code 4096}, {@code 64K}, {@code 1M}, {@code 1MiB}, {@code 1G}: bytes, 1 .. 1 GiB. */
    static long parseSize(CommandLine cmd, String text) {
        String t = text.trim().toUpperCase(Locale.ROOT).replaceFirst("I?B$", "");
        long unit = 1;
        if (!t.isEmpty()) {
            switch (t.charAt(t.length() - 1)) {
                case 'K' -> unit = 1 << 10;
                case 'M' -> unit = 1 << 20;
                case 'G' -> unit = 1 << 30;
                default -> { }
            }
            if (unit != 1) t = t.substring(0, t.length() - 1);
        }
        long n;
        try {
            n = Long.parseLong(t) * unit;
        } catch (NumberFormatException e) {
            throw new CommandLine.ParameterException(cmd, "--size must be a number of bytes with an optional K, M or G: " + text);
        }
        if (n < 1 || n > 1L << 30) throw new CommandLine.ParameterException(cmd, "--size must be 1 .. 1G bytes: " + text);
        return n;
    }
}
