package dev.vpcie.vrc.drivers;

import static dev.vpcie.vrc.drivers.DmaTestRegisters.*;

import dev.vpcie.protocol.pci.Capability;
import dev.vpcie.protocol.pci.PciConfig;
import dev.vpcie.vrc.Access;
import dev.vpcie.vrc.DmaBuffer;
import dev.vpcie.vrc.DmaWindows;
import dev.vpcie.vrc.PcieDevice;
import java.lang.foreign.ValueLayout;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;

/**
 * Driver for the dmatest device: posts commands with doorbell writes (no round trip, so many
 * can be in flight) and learns of their completion from the completion ring in host memory,
 * which the device writes before it raises its interrupt. Not thread-safe: one user at a time.
 */
public final class DmaTestDriver implements AutoCloseable {

    /** Opcodes (bits 3:0 of DOORBELL). */
    public enum Op {
        NOP(0), COPY(1), FILL(2), CHECKSUM(3), READ_TO_DEVICE(4), WRITE_FROM_DEVICE(5);

        final int code;

        Op(int code) { this.code = code; }
    }

    /** One completion record. {@code status} 0 is OK; see the datasheet for the others. */
    public record Completion(int tag, int status, int opcode, int result, int sequence, int bytes) {
        public boolean ok() { return status == 0; }

        /** The status code's name from the datasheet, e.g. {@code UNSUPPORTED_REQUEST}. */
        public String statusName() { return DmaTestDriver.statusName(status); }
    }

    /** Status codes of the completion record, by code (datasheet, "Commands"). */
    private static final String[] STATUS_NAMES = {"OK", "UNSUPPORTED_REQUEST", "COMPLETER_ABORT", "COMPLETION_TIMEOUT",
            "BUS_MASTER_DISABLED", "LINK_DOWN", "BAD_OPCODE", "BAD_LENGTH", "BAD_DEVICE_RANGE", "BAD_VECTOR"};

    /** The name of a completion status code; unknown codes as {@code status N}. */
    public static String statusName(int status) {
        return status >= 0 && status < STATUS_NAMES.length ? STATUS_NAMES[status] : "status " + status;
    }

    private static final int RING_ENTRIES = 1024;

    private final PcieDevice device;
    private final DmaBuffer ring;
    private final DmaWindows.Mapping ringMapping;
    private final int queueDepth;
    private int submitted;
    private int tag;

    /** Checks the ID register, resets the device and gives it a completion ring. */
    public DmaTestDriver(PcieDevice device) {
        if (device.vendorId() != VENDOR_ID || device.deviceId() != DEVICE_ID)
            throw new IllegalArgumentException(device + " is not a dmatest device (" + Integer.toHexString(VENDOR_ID) + ":"
                    + Integer.toHexString(DEVICE_ID) + ")");
        this.device = device;
        enableExtendedTags(device);
        Access idRead = device.mmioRead(REGS_BAR, ID, 4);
        if (!idRead.ok()) throw new IllegalStateException(device.name() + ": reading the ID register failed: " + idRead.outcome());
        long id = idRead.value();
        if (id != ID_VALUE)
            throw new IllegalStateException(device.name() + ": ID register reads 0x" + Long.toHexString(id) + ", expected 0x"
                    + Integer.toHexString(ID_VALUE) + " (device not answering?)");
        device.mmioWrite(REGS_BAR, CONTROL, 4, CONTROL_RESET);
        this.queueDepth = (int) device.mmioRead(REGS_BAR, QUEUE_DEPTH, 4).orThrow(device.name() + ": QUEUE_DEPTH read");
        this.ring = device.rootComplex().hostMemory().allocate((long) RING_ENTRIES * RECORD_SIZE);
        this.ringMapping = device.mapDma(ring);
        device.mmioWrite(REGS_BAR, CPL_RING, 8, ring.busAddress());
        device.mmioWrite(REGS_BAR, CPL_RING_SIZE, 4, RING_ENTRIES);
        this.submitted = (int) device.mmioRead(REGS_BAR, COMPLETED, 4).orThrow(device.name() + ": COMPLETED read"); // also flushes the writes above
    }

    /**
     * Sets Extended Tag Field Enable when the function supports 8-bit tags, as Linux's PCI core
     * does for every such device (pci_configure_extended_tags): 256 DMA reads in flight instead
     * of 32, which a link with tens of microseconds of round trip needs to stay full.
     */
    private static void enableExtendedTags(PcieDevice device) {
        Optional<Capability> pcie = device.capability(PciConfig.CapId.PCI_EXPRESS);
        if (pcie.isEmpty()) return;
        int base = pcie.get().offset();
        Access cap = device.configRead(base + PciConfig.Pcie.DEVICE_CAPABILITIES, 4);
        if (!cap.ok() || (cap.value() & PciConfig.Pcie.DEVCAP_EXTENDED_TAG) == 0) return;
        long control = device.configRead(base + PciConfig.Pcie.DEVICE_CONTROL, 2).orThrow(device.name() + ": Device Control read");
        if ((control & PciConfig.Pcie.DEVCTL_EXTENDED_TAG) == 0)
            device.configWrite(base + PciConfig.Pcie.DEVICE_CONTROL, 2, control | PciConfig.Pcie.DEVCTL_EXTENDED_TAG);
    }

    public PcieDevice device() { return device; }

    /** Commands that can be queued behind the running one. */
    public int queueDepth() { return queueDepth; }

    /** Bytes of device memory behind BAR2. */
    public long deviceMemorySize() { return device.mmioRead(REGS_BAR, DEVMEM_SIZE, 4).orThrow(device.name() + ": DEVMEM_SIZE read"); }

    /**
     * Queues one command with posted writes; returns its sequence number (the COMPLETED value
     * once it is done). With {@code irq}, the device raises {@code vector} when it succeeds,
     * provided INT_ENABLE has DONE set ({@link #enableInterrupts}).
     */
    public int submit(Op op, long src, long dst, long length, int pattern, boolean irq, int vector) {
        if (length < 1 || length > 0x4000_0000L) throw new IllegalArgumentException("length must be 1..1 GiB: " + length);
        device.mmioWrite(REGS_BAR, SRC, 8, src);
        device.mmioWrite(REGS_BAR, DST, 8, dst);
        device.mmioWrite(REGS_BAR, LENGTH, 4, length);
        device.mmioWrite(REGS_BAR, PATTERN, 4, pattern & 0xFFFF_FFFFL);
        tag = tag + 1 & 0xFFFF;
        long doorbell = op.code | (irq ? DOORBELL_IRQ : 0) | (vector & 0xFF) << DOORBELL_VECTOR_SHIFT | (long) tag << DOORBELL_TAG_SHIFT;
        device.mmioWrite(REGS_BAR, DOORBELL, 4, doorbell);
        return ++submitted;
    }

    public int submit(Op op, long src, long dst, long length) { return submit(op, src, dst, length, 0, false, 0); }

    /** Sets INT_ENABLE (DONE and ERROR causes). */
    public void enableInterrupts() { device.mmioWrite(REGS_BAR, INT_ENABLE, 4, INT_DONE | INT_ERROR); }

    /** Reads and clears INT_STATUS (write-1-to-clear). */
    public int takeInterruptStatus() {
        int s = (int) device.mmioRead(REGS_BAR, INT_STATUS, 4).orThrow(device.name() + ": INT_STATUS read");
        if (s != 0) device.mmioWrite(REGS_BAR, INT_STATUS, 4, s);
        return s;
    }

    /** The completion record of {@code sequence}, once the device has written it (reads host memory only). */
    public Completion poll(int sequence) {
        long at = (long) ((sequence - 1) & (RING_ENTRIES - 1)) * RECORD_SIZE;
        var seg = ring.segment();
        int seq = seg.get(ValueLayout.JAVA_INT_UNALIGNED, at + RECORD_SEQUENCE);
        if (seq != sequence) return null;
        return new Completion(seg.get(ValueLayout.JAVA_SHORT_UNALIGNED, at + RECORD_TAG) & 0xFFFF,
                seg.get(ValueLayout.JAVA_BYTE, at + RECORD_STATUS) & 0xFF, seg.get(ValueLayout.JAVA_BYTE, at + RECORD_OPCODE) & 0xFF,
                seg.get(ValueLayout.JAVA_INT_UNALIGNED, at + RECORD_RESULT), seq,
                seg.get(ValueLayout.JAVA_INT_UNALIGNED, at + RECORD_BYTES));
    }

    /**
     * Waits until {@code sequence} completes; returns its record, or null after {@code timeoutNanos}.
     * Completions arrive by DMA into host memory, so this polls the ring: a few spins, then parks
     * that double from 1 µs to 200 µs. Spinning longer takes a core from the link threads that
     * bring the completion: with 1000 spins per 20 µs park, the waiting benchmark thread was 80 %
     * of the VRC process's CPU samples (JFR) during a DMA benchmark over veth on two cores.
     */
    public Completion await(int sequence, long timeoutNanos) {
        long deadline = System.nanoTime() + timeoutNanos;
        int spins = 0;
        long parkNanos = 1_000;
        while (true) {
            Completion c = poll(sequence);
            if (c != null) return c;
            if (System.nanoTime() - deadline > 0) return null;
            if (++spins < 64) {
                Thread.onSpinWait();
                continue;
            }
            LockSupport.parkNanos(parkNanos);
            parkNanos = Math.min(2 * parkNanos, 200_000);
        }
    }

    /** Runs one command to completion (at most {@code timeoutNanos}). */
    public Completion run(Op op, long src, long dst, long length, int pattern, long timeoutNanos) {
        return await(submit(op, src, dst, length, pattern, false, 0), timeoutNanos);
    }

    /** COMPLETED and FAILED as the device reports them. */
    public Access completed() { return device.mmioRead(REGS_BAR, COMPLETED, 4); }

    public Access failed() { return device.mmioRead(REGS_BAR, FAILED, 4); }

    @Override public void close() {
        device.mmioWrite(REGS_BAR, CPL_RING_SIZE, 4, 0);
        device.mmioRead(REGS_BAR, CPL_RING_SIZE, 4); // flush: the device no longer writes the ring
        device.unmapDma(ringMapping);
        device.rootComplex().hostMemory().free(ring);
    }
}
