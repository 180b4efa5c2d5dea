package dev.vpcie.vrc;

import dev.vpcie.protocol.pci.Capability;
import dev.vpcie.protocol.pci.PciConfig;
import dev.vpcie.protocol.tlp.Bdf;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One enumerated PCI Express function: what enumeration learned (IDs, class, BARs as assigned,
 * capabilities) and the operations a driver performs on it. Every access becomes real TLPs on
 * the function's link and ends with an {@link Outcome}: reads return an {@link Access} (the value,
 * all-ones unless it succeeded), non-posted writes their outcome; failures are also counted by
 * the root complex. Blocking calls wait for the root complex's loop; on that loop use
 * {@link #mmioReadAsync}.
 *
 * <p>MMIO reads are sent in program order after earlier posted writes on the same link, and the
 * link is in order, so a read flushes the writes before it, as PCIe ordering promises.
 */
public final class PcieDevice {

    /** How the function currently signals interrupts. */
    public enum InterruptMode { NONE, INTX, MSI, MSIX }

    private final RootComplex rc;
    private final EndpointLink link;
    private final int bdf;
    private final int vendorId, deviceId, revision, classCode, subsystemVendorId, subsystemId, headerType;
    private final int interruptPin;
    private final List<Bar> bars;
    private final List<Capability> capabilities;
    private final int maxPayloadSize, maxReadRequestSize;
    private final Map<Integer, Runnable> handlers = new ConcurrentHashMap<>();
    private volatile InterruptMode interruptMode = InterruptMode.NONE;
    private volatile int vectors;
    private volatile boolean intxAsserted;
    private volatile HotPlugListener hotPlugListener = HotPlugListener.NONE;

    PcieDevice(RootComplex rc, EndpointLink link, int bdf, int vendorId, int deviceId, int revision, int classCode,
               int subsystemVendorId, int subsystemId, int headerType, int interruptPin, List<Bar> bars,
               List<Capability> capabilities, int maxPayloadSize, int maxReadRequestSize) {
        this.rc = rc;
        this.link = link;
        this.bdf = bdf;
        this.vendorId = vendorId;
        this.deviceId = deviceId;
        this.revision = revision;
        this.classCode = classCode;
        this.subsystemVendorId = subsystemVendorId;
        this.subsystemId = subsystemId;
        this.headerType = headerType;
        this.interruptPin = interruptPin;
        this.bars = List.copyOf(bars);
        this.capabilities = List.copyOf(capabilities);
        this.maxPayloadSize = maxPayloadSize;
        this.maxReadRequestSize = maxReadRequestSize;
    }

    public int bdf() { return bdf; }
    public String name() { return Bdf.toString(bdf); }
    public int vendorId() { return vendorId; }
    public int deviceId() { return deviceId; }
    public int revision() { return revision; }
    /** Base class, sub-class and programming interface: {@code 0x020000} is an Ethernet controller. */
    public int classCode() { return classCode; }
    public int subsystemVendorId() { return subsystemVendorId; }
    public int subsystemId() { return subsystemId; }
    public int headerType() { return headerType; }
    public boolean multiFunction() { return (headerType & PciConfig.HeaderType.MULTI_FUNCTION) != 0; }
    /** 0 none, 1..4 for INTA..INTD. */
    public int interruptPin() { return interruptPin; }
    public List<Bar> bars() { return bars; }
    public List<Capability> capabilities() { return capabilities; }
    /** The MPS programmed into Device Control; also the largest payload the root complex sends it. */
    public int maxPayloadSize() { return maxPayloadSize; }
    public int maxReadRequestSize() { return maxReadRequestSize; }
    public EndpointLink link() { return link; }
    public RootComplex rootComplex() { return rc; }

    /** The BAR with this register index (0..5). */
    public Bar bar(int index) {
        for (Bar b : bars) if (b.index() == index) return b;
        throw new IllegalArgumentException(name() + " has no BAR " + index + " (has " + bars.stream().map(Bar::index).toList() + ")");
    }

    public Optional<Capability> capability(int id) {
        return capabilities.stream().filter(c -> !c.extended() && c.id() == id).findFirst();
    }

    public Optional<Capability> extendedCapability(int id) {
        return capabilities.stream().filter(c -> c.extended() && c.id() == id).findFirst();
    }

    // ---- configuration space ----

    /** Reads 1, 2, 4 or 8 bytes of configuration space. */
    public Access configRead(int offset, int width) { return rc.configRead(bdf, offset, width); }

    /** Writes 1, 2, 4 or 8 bytes of configuration space; returns how the (non-posted) write completed. */
    public Outcome configWrite(int offset, int width, long value) { return rc.configWrite(bdf, offset, width, value); }

    /**
     * A copy of the first {@code length} bytes of configuration space (a multiple of 4, up to
     * 4096), read one DW at a time; DWs that fail read as all-ones, as they would on hardware.
     */
    public byte[] readConfigSpace(int length) {
        if (length <= 0 || length > 4096 || (length & 3) != 0)
            throw new IllegalArgumentException("configuration space length must be a multiple of 4 in 4..4096: " + length);
        byte[] out = new byte[length];
        for (int off = 0; off < length; off += 4) {
            long dw = configRead(off, 4).value();
            for (int i = 0; i < 4; i++) out[off + i] = (byte) (dw >>> (8 * i));
        }
        return out;
    }

    /** The whole configuration space a function has: 4 KiB for PCI Express functions, 256 bytes otherwise. */
    public int configSpaceSize() {
        return capability(PciConfig.CapId.PCI_EXPRESS).isPresent() ? 4096 : 256;
    }

    // ---- MMIO ----

    /** Reads 1, 2, 4 or 8 bytes at {@code offset} in a BAR (an 8-byte read is one 2-DW MRd). */
    public Access mmioRead(int barIndex, long offset, int width) {
        Bar b = bar(barIndex);
        checkInBar(b, offset, width);
        return b.isMemory() ? rc.memRead(b.address() + offset, width) : rc.ioRead(b.address() + offset, width);
    }

    /**
     * Reads a memory BAR without waiting, from any thread (the root complex's loop included): the
     * future completes on the loop with the access, or exceptionally with
     * {@link dev.vpcie.protocol.link.LinkDownException} when the link is or goes down first.
     */
    public java.util.concurrent.CompletableFuture<Access> mmioReadAsync(int barIndex, long offset, int width) {
        Bar b = bar(barIndex);
        checkInBar(b, offset, width);
        if (!b.isMemory()) throw new IllegalArgumentException("BAR " + barIndex + " of " + name() + " is an I/O BAR: I/O reads are blocking only");
        return rc.memReadAsync(b.address() + offset, width);
    }

    /**
     * Writes 1, 2, 4 or 8 bytes at {@code offset} in a BAR. Memory writes are posted: success
     * means handed to the link. I/O writes complete, and return the completion's outcome.
     */
    public Outcome mmioWrite(int barIndex, long offset, int width, long value) {
        Bar b = bar(barIndex);
        checkInBar(b, offset, width);
        return b.isMemory() ? rc.memWrite(b.address() + offset, width, value) : rc.ioWrite(b.address() + offset, width, value);
    }

    private void checkInBar(Bar b, long offset, int width) {
        DwAccess.checkWidth(width);
        if (offset < 0 || offset + width > b.size())
            throw new IllegalArgumentException("offset 0x" + Long.toHexString(offset) + " width " + width + " is outside BAR "
                    + b.index() + " of " + name() + " (size 0x" + Long.toHexString(b.size()) + ")");
    }

    // ---- DMA ----

    /** Lets this function read and write {@code [busAddress, busAddress + length)} of its DMA memory (host memory by default). */
    public DmaWindows.Mapping mapDma(long busAddress, long length) {
        if (!rc.dmaMemory(bdf).contains(busAddress, length))
            throw new IllegalArgumentException("DMA window 0x" + Long.toHexString(busAddress) + "+" + length + " is outside "
                    + (rc.dmaMemory(bdf) == rc.hostMemory() ? "host memory" : "the function's DMA memory"));
        return rc.dmaWindows().map(bdf, busAddress, length);
    }

    public DmaWindows.Mapping mapDma(DmaBuffer buffer) { return mapDma(buffer.busAddress(), buffer.length()); }

    public void unmapDma(DmaWindows.Mapping mapping) {
        if (mapping.requester() != bdf) throw new IllegalArgumentException("mapping " + mapping + " belongs to another function");
        rc.dmaWindows().unmap(mapping);
    }

    // ---- interrupts ----

    /**
     * Runs {@code handler} on the root complex's loop thread when {@code vector} fires (vector 0
     * for INTx); it must not block (schedule the work instead). Replaces an earlier handler; null
     * removes it.
     */
    public void onInterrupt(int vector, Runnable handler) {
        if (vector < 0 || vector > 2047) throw new IllegalArgumentException("vector must be 0..2047: " + vector);
        if (handler == null) handlers.remove(vector);
        else handlers.put(vector, handler);
    }

    Runnable handler(int vector) { return handlers.get(vector); }

    /** Programs MSI-X with {@code count} vectors in the root complex's MSI window; returns the count enabled. */
    public int enableMsix(int count) { return rc.interrupts().enableMsix(this, count); }

    /** Programs MSI with up to {@code count} vectors (rounded up to a power of two the function supports). */
    public int enableMsi(int count) { return rc.interrupts().enableMsi(this, count); }

    /** Switches to legacy INTx (disables MSI and MSI-X, clears Interrupt Disable). */
    public void enableIntx() { rc.interrupts().enableIntx(this); }

    /** Turns every interrupt mechanism off. */
    public void disableInterrupts() { rc.interrupts().disable(this); }

    // ---- hot-plug ----

    /** Replaces who hears this function removed and inserted again (null: nobody); see {@link HotPlugListener}. */
    public void onHotPlug(HotPlugListener listener) { hotPlugListener = listener == null ? HotPlugListener.NONE : listener; }

    HotPlugListener hotPlugListener() { return hotPlugListener; }

    /** False from a surprise removal of its endpoint until the hot insertion restored it. */
    public boolean present() { return link.present(); }

    public InterruptMode interruptMode() { return interruptMode; }

    /** Vectors enabled in MSI/MSI-X mode (1 for INTx, 0 for none). */
    public int vectors() { return vectors; }

    /** The INTx level as the last Assert/Deassert_INTx message left it. */
    public boolean intxAsserted() { return intxAsserted; }

    void interruptMode(InterruptMode mode, int vectorCount) {
        this.interruptMode = mode;
        this.vectors = vectorCount;
    }

    void intxAsserted(boolean level) { this.intxAsserted = level; }

    @Override public String toString() {
        return String.format("%s [%04x:%04x] class %06x", name(), vendorId, deviceId, classCode);
    }
}
