package dev.vpcie.devices.dmatest;

import dev.vpcie.devices.config.AerCapability;
import dev.vpcie.devices.config.Bar;
import dev.vpcie.devices.config.ConfigSpace;
import dev.vpcie.devices.config.DeviceSerialNumberCapability;
import dev.vpcie.devices.config.LinkSpeed;
import dev.vpcie.devices.config.MsiCapability;
import dev.vpcie.devices.config.MsixCapability;
import dev.vpcie.devices.config.PciExpressCapability;
import dev.vpcie.devices.config.PowerManagementCapability;
import dev.vpcie.devices.spi.Counters;
import dev.vpcie.devices.spi.DeviceContext;
import dev.vpcie.devices.spi.PcieFunction;
import dev.vpcie.devices.spi.ResetKind;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;

/**
 * The DMA test device: a PCIe endpoint that moves host memory on command, so the interconnect's
 * DMA, interrupts and bandwidth can be tested and measured. This comment is its datasheet.
 *
 * <h2>Identity</h2>
 * <table>
 *   <caption>Configuration header</caption>
 *   <tr><th>Field</th><th>Value</th><th>Why</th></tr>
 *   <tr><td>Vendor ID : Device ID</td><td>1AF4 : 10F0</td>
 *       <td>PCI-SIG reserves no vendor ID for experiments. Red Hat's 1AF4 range, which QEMU
 *       administers, sets 1AF4:10F0..10FF aside as "available for experimental usage without
 *       registration" (QEMU {@code docs/specs/pci-ids.rst}) — made for a lab device like this one,
 *       on the understanding that a product would need its own ID. Linux's virtio-pci driver only
 *       claims 1AF4:1000..107F, so no stock driver binds it.</td></tr>
 *   <tr><td>Subsystem</td><td>1AF4 : 10F0</td><td>the same, no OEM</td></tr>
 *   <tr><td>Revision</td><td>01</td><td>register map version 1</td></tr>
 *   <tr><td>Class code</td><td>08 80 00</td><td>"System peripheral: other": a bus-mastering helper
 *       that fits no defined class and that no class driver claims</td></tr>
 *   <tr><td>Interrupt Pin</td><td>INTA#</td><td></td></tr>
 * </table>
 *
 * <h2>BARs</h2>
 * <table>
 *   <caption>Base Address Registers</caption>
 *   <tr><th>BAR</th><th>Type</th><th>Size</th><th>Contents</th></tr>
 *   <tr><td>0</td><td>memory, 32-bit, non-prefetchable</td><td>4 KiB</td><td>registers (below)</td></tr>
 *   <tr><td>2-3</td><td>memory, 64-bit, prefetchable</td><td>1 MiB (option)</td><td>device memory:
 *       plain RAM, any access size, the device side of READ_TO_DEVICE / WRITE_FROM_DEVICE;
 *       its contents survive resets</td></tr>
 *   <tr><td>4</td><td>memory, 32-bit, non-prefetchable</td><td>4 KiB</td><td>MSI-X table at 0x000
 *       (4 entries), PBA at 0x800</td></tr>
 * </table>
 * Capabilities: Power Management (D0, D3hot), MSI (4 vectors, 64-bit, per-vector masking), MSI-X
 * (4 vectors), PCI Express v2 endpoint (Max Payload Size supported 512 B by default, 5 GT/s x4,
 * FLR); extended: AER, Device Serial Number.
 *
 * <h2>BAR0 registers</h2>
 * All 32-bit, little-endian; 8-byte accesses reach two registers (low first), so SRC, DST and
 * CPL_RING can be written as 64-bit values. Unknown offsets read 0 and ignore writes (counted).
 * <table>
 *   <caption>Register map</caption>
 *   <tr><th>Offset</th><th>Name</th><th>Access</th><th>Reset</th><th>Meaning</th></tr>
 *   <tr><td>0x000</td><td>ID</td><td>RO</td><td>0x31544D44</td><td>bytes 'D' 'M' 'T' '1'</td></tr>
 *   <tr><td>0x004</td><td>VERSION</td><td>RO</td><td>0x00010000</td><td>register map 1.0 (major in 31:16)</td></tr>
 *   <tr><td>0x008</td><td>QUEUE_DEPTH</td><td>RO</td><td>64</td><td>commands that can wait behind the running one</td></tr>
 *   <tr><td>0x00C</td><td>DEVMEM_SIZE</td><td>RO</td><td>BAR2 size</td><td>bytes of device memory</td></tr>
 *   <tr><td>0x010</td><td>MAX_LENGTH</td><td>RO</td><td>0x40000000</td><td>largest LENGTH (1 GiB)</td></tr>
 *   <tr><td>0x014</td><td>STATUS</td><td>RO</td><td>0</td><td>bit 0 BUSY (a command queued or running),
 *       bit 1 QUEUE_FULL</td></tr>
 *   <tr><td>0x018</td><td>QUEUE_FREE</td><td>RO</td><td>64</td><td>free queue slots</td></tr>
 *   <tr><td>0x01C</td><td>COMPLETED</td><td>RO</td><td>0</td><td>commands completed, successful or not, mod 2^32</td></tr>
 *   <tr><td>0x020</td><td>FAILED</td><td>RO</td><td>0</td><td>commands that failed, mod 2^32</td></tr>
 *   <tr><td>0x024</td><td>ERROR</td><td>RO, write clears</td><td>0</td><td>first failure since cleared:
 *       bits 7:0 status code, 15:8 opcode, 31:16 tag; any write sets it to 0</td></tr>
 *   <tr><td>0x028</td><td>RESULT</td><td>RO</td><td>0</td><td>CRC-32 of the last successful CHECKSUM</td></tr>
 *   <tr><td>0x030</td><td>INT_STATUS</td><td>RW1C</td><td>0</td><td>bit 0 DONE (a command with the IRQ flag
 *       succeeded), bit 1 ERROR (a command failed), bit 2 OVERFLOW (a doorbell found the queue full; that
 *       command was dropped)</td></tr>
 *   <tr><td>0x034</td><td>INT_ENABLE</td><td>RW</td><td>0</td><td>same bits: which causes interrupt</td></tr>
 *   <tr><td>0x040</td><td>SRC_LO</td><td>RW</td><td>0</td><td rowspan="2">source: host address, or BAR2 offset for WRITE_FROM_DEVICE</td></tr>
 *   <tr><td>0x044</td><td>SRC_HI</td><td>RW</td><td>0</td></tr>
 *   <tr><td>0x048</td><td>DST_LO</td><td>RW</td><td>0</td><td rowspan="2">destination: host address, or BAR2 offset for READ_TO_DEVICE</td></tr>
 *   <tr><td>0x04C</td><td>DST_HI</td><td>RW</td><td>0</td></tr>
 *   <tr><td>0x050</td><td>LENGTH</td><td>RW</td><td>0</td><td>bytes, 1..MAX_LENGTH</td></tr>
 *   <tr><td>0x054</td><td>PATTERN</td><td>RW</td><td>0</td><td>FILL pattern: destination byte i = PATTERN byte (i mod 4)</td></tr>
 *   <tr><td>0x058</td><td>DOORBELL</td><td>RW</td><td>0</td><td>a write queues a command made of its value and the
 *       current SRC, DST, LENGTH, PATTERN: bits 3:0 opcode, bit 7 IRQ, bits 15:8 vector, bits 31:16 tag.
 *       Reads return the last value written</td></tr>
 *   <tr><td>0x060</td><td>CPL_RING_LO</td><td>RW</td><td>0</td><td rowspan="2">host address of the completion ring,
 *       16-byte aligned (bits 3:0 read 0)</td></tr>
 *   <tr><td>0x064</td><td>CPL_RING_HI</td><td>RW</td><td>0</td></tr>
 *   <tr><td>0x068</td><td>CPL_RING_SIZE</td><td>RW</td><td>0</td><td>entries: 0 = no ring, or a power of two up to
 *       4096; other values are refused (read back 0, counted)</td></tr>
 *   <tr><td>0x070</td><td>CONTROL</td><td>W, reads 0</td><td>0</td><td>bit 0 RESET: drop every queued and running
 *       command and restore all BAR0 registers</td></tr>
 * </table>
 *
 * <h2>Opcodes</h2>
 * 0 NOP (completes at once), 1 COPY (host SRC to host DST), 2 FILL (PATTERN to host DST),
 * 3 CHECKSUM (CRC-32, as zlib and {@code java.util.zip.CRC32}, of host SRC into RESULT),
 * 4 READ_TO_DEVICE (host SRC to BAR2 offset DST), 5 WRITE_FROM_DEVICE (BAR2 offset SRC to host DST).
 *
 * <h2>Commands</h2>
 * Commands run one at a time in doorbell order. Up to QUEUE_DEPTH wait while one runs, so a driver
 * can post many doorbells (posted writes, no round trip) and keep the link full. Data moves in
 * DMA calls of at most 64 KiB; between them MMIO accesses are served, so STATUS shows BUSY during
 * a long command. A command ends with a status code:
 * 0 OK, 1 UNSUPPORTED_REQUEST, 2 COMPLETER_ABORT, 3 COMPLETION_TIMEOUT, 4 BUS_MASTER_DISABLED,
 * 5 LINK_DOWN (DMA failures), 6 BAD_OPCODE, 7 BAD_LENGTH, 8 BAD_DEVICE_RANGE, 9 BAD_VECTOR (the IRQ
 * flag with a vector of 4 or more). A failed command stops where it failed; the next one starts.
 *
 * <p>On completion, in this order: COMPLETED (and FAILED, ERROR, RESULT) update; if CPL_RING_SIZE
 * is not 0, a 16-byte record is written to CPL_RING + 16 * ((sequence - 1) mod CPL_RING_SIZE);
 * then INT_STATUS gains DONE (IRQ flag, success) or ERROR (failure), and if that cause is enabled
 * in INT_ENABLE the command's vector is raised. Because writes are ordered, the data and the
 * record are in host memory before the interrupt arrives.
 * <table>
 *   <caption>Completion record (little-endian)</caption>
 *   <tr><th>Bytes</th><th>Field</th></tr>
 *   <tr><td>0-1</td><td>tag</td></tr>
 *   <tr><td>2</td><td>status code</td></tr>
 *   <tr><td>3</td><td>opcode</td></tr>
 *   <tr><td>4-7</td><td>result (CRC-32 for CHECKSUM, else 0)</td></tr>
 *   <tr><td>8-11</td><td>sequence: the value of COMPLETED after this command (a driver polls for it)</td></tr>
 *   <tr><td>12-15</td><td>bytes moved before completion (LENGTH on success)</td></tr>
 * </table>
 *
 * <h2>Interrupts</h2>
 * The vector goes wherever the configuration enables say: MSI-X entry, MSI vector, or — with
 * neither enabled — INTA#, which is a level: asserted while INT_STATUS AND INT_ENABLE is not 0.
 * Messages are edges sent at completion time only; a driver that enables a cause that is already
 * pending reads INT_STATUS instead of waiting for a message.
 */
public final class DmaTestDevice implements PcieFunction {
    public static final int VENDOR_ID = 0x1AF4;
    public static final int DEVICE_ID = 0x10F0;
    public static final int REVISION_ID = 0x01;
    public static final int CLASS_CODE = 0x088000;
    public static final int REGS_BAR = 0;
    public static final int MEMORY_BAR = 2;
    public static final int MSIX_BAR = 4;
    public static final int MSIX_BAR_SIZE = 0x1000;
    public static final int MSIX_PBA_OFFSET = 0x800;
    public static final int VECTORS = 4;

    /**
     * Build-time options.
     *
     * @param memoryBytes          BAR2 size: a power of two from 4 KiB to 1 GiB
     * @param maxPayloadSupported  Device Capabilities' Max_Payload_Size Supported, 128..4096
     * @param serialNumber         the Device Serial Number (an EUI-64); unique per device
     */
    public record Options(int memoryBytes, int maxPayloadSupported, long serialNumber) {
        public Options {
            if (memoryBytes < 4096 || memoryBytes > 1 << 30 || Integer.bitCount(memoryBytes) != 1)
                throw new IllegalArgumentException("device memory " + memoryBytes + " not a power of two in 4 KiB..1 GiB");
        }

        /** 1 MiB of device memory, 512-byte payloads, the given serial number. */
        public static Options defaults(long serialNumber) { return new Options(1 << 20, 512, serialNumber); }
    }

    private final ConfigSpace config;
    private final MsixCapability msix;
    private final byte[] memory;
    private final DmaTestEngine engine;
    private final Set<Long> warnedMsixBar = new HashSet<>();
    private DeviceContext context;
    private Counters.Counter msixBarOther;
    private Logger log;

    public DmaTestDevice(Options options) {
        this.memory = new byte[options.memoryBytes()];
        this.msix = new MsixCapability(VECTORS, MSIX_BAR, 0, MSIX_BAR, MSIX_PBA_OFFSET);
        this.config = ConfigSpace.builder()
                .vendorId(VENDOR_ID).deviceId(DEVICE_ID).revisionId(REVISION_ID).classCode(CLASS_CODE)
                .subsystem(VENDOR_ID, DEVICE_ID)
                .interruptPin(1)
                .bar(REGS_BAR, Bar.memory32(DmaTestRegisters.REGS_SIZE))
                .bar(MEMORY_BAR, Bar.memory64(options.memoryBytes(), true))
                .bar(MSIX_BAR, Bar.memory32(MSIX_BAR_SIZE))
                .capability(new PowerManagementCapability())
                .capability(new MsiCapability(VECTORS, true, true))
                .capability(msix)
                .capability(new PciExpressCapability(options.maxPayloadSupported(), LinkSpeed.GT_5, 4, true))
                .extendedCapability(new AerCapability())
                .extendedCapability(new DeviceSerialNumberCapability(options.serialNumber()))
                .build();
        this.engine = new DmaTestEngine(memory, VECTORS);
    }

    @Override
    public String name() { return "dmatest"; }

    @Override
    public ConfigSpace config() { return config; }

    @Override
    public void attach(DeviceContext ctx) {
        if (context != null) throw new IllegalStateException("dmatest: attached twice");
        this.context = Objects.requireNonNull(ctx);
        this.log = ctx.log();
        this.msixBarOther = ctx.counters().counter("msix-bar-other-accesses");
        engine.attach(ctx);
    }

    @Override
    public long mmioRead(int bar, long offset, int size) {
        return switch (bar) {
            case REGS_BAR -> engine.regs.read(offset, size);
            case MEMORY_BAR -> readMemory(offset, size);
            case MSIX_BAR -> msix.claims(bar, offset, size) ? msix.mmioRead(bar, offset, size) : otherMsixBarAccess(offset, "read");
            default -> throw noSuchBar(bar);
        };
    }

    @Override
    public void mmioWrite(int bar, long offset, int size, long value) {
        switch (bar) {
            case REGS_BAR -> engine.regs.write(offset, size, value);
            case MEMORY_BAR -> writeMemory(offset, size, value);
            case MSIX_BAR -> {
                if (!msix.claims(bar, offset, size) || !msix.mmioWrite(bar, offset, size, value)) otherMsixBarAccess(offset, "write");
            }
            default -> throw noSuchBar(bar);
        }
    }

    @Override
    public void mmioReadBlock(int bar, long offset, byte[] dst, int off, int len) {
        if (bar != MEMORY_BAR) {
            PcieFunction.super.mmioReadBlock(bar, offset, dst, off, len);
            return;
        }
        checkMemory(offset, len);
        System.arraycopy(memory, (int) offset, dst, off, len);
    }

    @Override
    public void mmioWriteBlock(int bar, long offset, byte[] src, int off, int len) {
        if (bar != MEMORY_BAR) {
            PcieFunction.super.mmioWriteBlock(bar, offset, src, off, len);
            return;
        }
        checkMemory(offset, len);
        System.arraycopy(src, off, memory, (int) offset, len);
    }

    @Override
    public void reset(ResetKind kind) {
        config.reset(kind);
        engine.reset();
    }

    /** Whether a command is queued or running (for hosts and tests that wait for idle). */
    public boolean busy() { return engine.busy(); }

    /** The unknown/read-only register access counters of BAR0. */
    public Counters registerCounters() { return engine.regs.counters(); }

    private long readMemory(long offset, int size) {
        checkMemory(offset, size);
        long v = 0;
        for (int i = size - 1; i >= 0; i--) v = v << 8 | (memory[(int) offset + i] & 0xFF);
        return v;
    }

    private void writeMemory(long offset, int size, long value) {
        checkMemory(offset, size);
        for (int i = 0; i < size; i++) memory[(int) offset + i] = (byte) (value >>> (8 * i));
    }

    private void checkMemory(long offset, int len) {
        if (offset < 0 || len < 0 || offset > memory.length - len)
            throw new IllegalArgumentException("BAR2 access of " + len + " bytes at 0x" + Long.toHexString(offset) + " beyond its " + memory.length + " bytes");
    }

    /** The rest of BAR4 (between table and PBA, or a PBA write): reads 0, writes dropped; counted, logged once. */
    private long otherMsixBarAccess(long offset, String what) {
        if (msixBarOther != null) msixBarOther.increment();
        if (log != null && warnedMsixBar.add(offset))
            log.warn("{}: {} of BAR4 offset 0x{} outside the MSI-X table (PBA is read-only); ignored (logged once)", context.name(), what, Long.toHexString(offset));
        return 0;
    }

    private static IllegalArgumentException noSuchBar(int bar) {
        return new IllegalArgumentException("dmatest has no memory BAR" + bar + " (BARs 0, 2, 4)");
    }
}
