package dev.vpcie.devices.config;

import dev.vpcie.devices.spi.ResetKind;
import dev.vpcie.protocol.pci.ConfigReader;
import dev.vpcie.protocol.pci.PciConfig;
import dev.vpcie.protocol.pci.PciConfig.Command;
import dev.vpcie.protocol.pci.PciConfig.Status;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The 4 KiB configuration space of one function (type 0 header), held as bytes with three
 * parallel masks, so the semantics are data (cocotbext-pcie style):
 * <ul>
 *   <li><b>write mask</b>: bits a configuration write may change;</li>
 *   <li><b>W1C mask</b>: bits a write of 1 clears (status bits);</li>
 *   <li><b>sticky mask</b>: bits that keep their value across hot reset and FLR.</li>
 * </ul>
 * A write applies {@code new = (old & ~wm) | (data & wm)}, then {@code new &= ~(data & w1c)}, per
 * enabled byte. BAR sizing falls out of the write mask: bits below a BAR's size are read-only
 * zero, so writing all-ones reads back the size mask.
 *
 * <h2>Type 0 header as built here</h2>
 * <pre>
 *  31              16 15               0
 * +------------------+------------------+
 * |    Device ID     |    Vendor ID     | 0x00  RO
 * +------------------+------------------+
 * |     Status       |     Command      | 0x04  Status: Interrupt Status (3) RO, Capabilities List (4) RO,
 * +------------------+------------------+       parity/abort bits (8, 11-15) RW1C. Command: I/O Space (0,
 * |    Class Code           | Rev ID    | 0x08       only with an I/O BAR), Memory Space (1), Bus Master (2),
 * +--------+---------+------+-----------+            Parity Error Response (6), SERR# Enable (8),
 * |  BIST  | Header  | Lat  | Cache Line| 0x0C       Interrupt Disable (10) RW; the rest RO 0 (PCIe).
 * +--------+---------+------+-----------+       Cache Line Size RW (no effect), Latency Timer RO 0,
 * |   BAR0 .. BAR5                      | 0x10  Header Type 00h/80h (multi-function), BIST 0.
 * |                                     | ..    see {@link Bar}
 * +-------------------------------------+
 * |   Cardbus CIS Pointer (0)           | 0x28
 * +------------------+------------------+
 * |  Subsystem ID    | Subsys Vendor ID | 0x2C  RO
 * +------------------+------------------+
 * |   Expansion ROM Base Address (0)    | 0x30  not implemented
 * +-------------------------+-----------+
 * |   reserved              | Cap Ptr   | 0x34  first capability, placed at 0x40
 * +-------------------------+-----------+
 * |   reserved                          | 0x38
 * +--------+---------+------+-----------+
 * | MaxLat | MinGnt  | Pin  | Line      | 0x3C  Interrupt Line RW, Pin RO (0 = none, 1..4 = INTA..INTD)
 * +--------+---------+------+-----------+
 * </pre>
 * Capabilities are placed from 0x40 and extended capabilities from 0x100, dword-aligned, linked in
 * the order added.
 *
 * <h2>Routing ID</h2>
 * PCIe (base spec 2.2.6.2) makes a function capture the Bus and Device Numbers from every Type 0
 * Configuration Write it completes and use them in its Requester ID. The host calls
 * {@link #captureRoutingId} with the write's completer ID; {@link #routingId()} is what DMA and
 * interrupt messages carry. A hot reset forgets it; FLR keeps it.
 *
 * <p>Single-threaded: used from the function's thread only.
 */
public final class ConfigSpace implements ConfigReader {
    /** Size of a PCI Express function's configuration space. */
    public static final int SIZE = PciConfig.CONFIG_SPACE_SIZE;
    /** {@link #routingId()} before any type-0 configuration write was captured. */
    public static final int NOT_CAPTURED = -1;
    /** A capability placed at the next free dword rather than at a given offset. */
    private static final int AUTO = -1;

    private final byte[] value = new byte[SIZE];
    private final byte[] writeMask = new byte[SIZE];
    private final byte[] w1cMask = new byte[SIZE];
    private final byte[] stickyMask = new byte[SIZE];
    private final byte[] defaults;
    private final Bar[] bars;
    private final List<Capability> capabilities;
    private final List<ExtendedCapability> extendedCapabilities;
    private final List<ConfigRegion> regions;
    private final List<ConfigWriteListener> listeners = new ArrayList<>();
    private int routingId = NOT_CAPTURED;

    private ConfigSpace(Builder b) {
        this.bars = b.bars.clone();
        this.capabilities = List.copyOf(b.capabilities);
        this.extendedCapabilities = List.copyOf(b.extendedCapabilities);
        Init init = new Init(0);
        initHeader(b, init);
        List<ConfigRegion> all = new ArrayList<>();
        placeCapabilities(all, b.capabilityOffsets);
        placeExtendedCapabilities(all, b.extendedCapabilityOffsets);
        this.regions = List.copyOf(all);
        this.defaults = value.clone();
    }

    public static Builder builder() { return new Builder(); }

    // ---------------------------------------------------------------- accesses

    /** Reads the dword at {@code offset & ~3}. */
    public int readDword(int offset) {
        int at = checkOffset(offset, 4) & ~3;
        return raw(at, 4);
    }

    /** {@link ConfigReader}: the dword at {@code offset}, so {@code CapabilityWalker} can walk this space. */
    @Override
    public int read32(int offset) { return readDword(offset); }

    /** Reads {@code size} (1, 2 or 4) bytes at {@code offset}, little-endian; the access must not cross a dword. */
    public int read(int offset, int size) {
        checkAccess(offset, size);
        return raw(offset, size);
    }

    /**
     * Applies a configuration write to the dword at {@code offset & ~3}: bit i of {@code byteEnables}
     * (0..0xF) enables byte i. Then tells the capability it touched, and the listeners.
     */
    public void writeDword(int offset, int data, int byteEnables) {
        int at = checkOffset(offset, 4) & ~3;
        if ((byteEnables & ~0xF) != 0) throw new IllegalArgumentException("byte enables 0x" + Integer.toHexString(byteEnables) + " exceed a dword");
        if (byteEnables == 0) return;
        int before = raw(at, 4);
        for (int i = 0; i < 4; i++) {
            if ((byteEnables >>> i & 1) == 0) continue;
            int a = at + i;
            int d = data >>> (8 * i) & 0xFF;
            int wm = writeMask[a] & 0xFF;
            int nv = (value[a] & 0xFF & ~wm) | (d & wm);
            nv &= ~(d & w1cMask[a] & 0xFF);
            value[a] = (byte) nv;
        }
        ConfigWrite w = new ConfigWrite(at, byteEnables, data, before, raw(at, 4));
        for (ConfigRegion r : regions) {
            if (w.touches(r.offset(), r.length())) r.written(w);
        }
        for (ConfigWriteListener l : List.copyOf(listeners)) l.written(w);
    }

    /** Writes {@code size} (1, 2, 4) bytes at {@code offset} (within one dword), as a configuration write. */
    public void write(int offset, int size, int data) {
        checkAccess(offset, size);
        int shift = offset & 3;
        writeDword(offset & ~3, data << (8 * shift), ((1 << size) - 1) << shift);
    }

    /** A copy of all 4096 bytes (for dumps). */
    public byte[] snapshot() { return value.clone(); }

    /** Hears every configuration write after it is applied. */
    public void addWriteListener(ConfigWriteListener listener) { listeners.add(Objects.requireNonNull(listener)); }

    public void removeWriteListener(ConfigWriteListener listener) { listeners.remove(listener); }

    /**
     * Restores power-on values except sticky bits, and lets capabilities reset state they keep
     * outside configuration space (the MSI-X table). {@link ResetKind#HOT} also forgets the captured
     * routing ID.
     */
    public void reset(ResetKind kind) {
        for (int i = 0; i < SIZE; i++) {
            int s = stickyMask[i];
            value[i] = (byte) ((value[i] & s) | (defaults[i] & ~s));
        }
        switch (kind) {
            case HOT -> routingId = NOT_CAPTURED;
            case FUNCTION_LEVEL -> { }
        }
        for (ConfigRegion r : regions) r.reset(kind);
    }

    // ---------------------------------------------------------------- routing ID

    /** Captures bus and device number from a type-0 configuration write addressed to {@code completerId} (bus:dev.fn). */
    public void captureRoutingId(int completerId) {
        if ((completerId & ~0xFFFF) != 0) throw new IllegalArgumentException("routing ID 0x" + Integer.toHexString(completerId) + " exceeds 16 bits");
        routingId = completerId;
    }

    /** The captured routing ID ({@code bus[15:8] dev[7:3] fn[2:0]}), or {@link #NOT_CAPTURED}. */
    public int routingId() { return routingId; }

    // ---------------------------------------------------------------- header fields

    public int vendorId() { return raw(PciConfig.VENDOR_ID, 2); }

    public int deviceId() { return raw(PciConfig.DEVICE_ID, 2); }

    public int revisionId() { return raw(PciConfig.REVISION_ID, 1); }

    /** Class code as 24 bits: base class, sub-class, programming interface. */
    public int classCode() { return raw(PciConfig.CLASS_PROG_IF, 3); }

    public int subsystemVendorId() { return raw(PciConfig.SUBSYSTEM_VENDOR_ID, 2); }

    public int subsystemId() { return raw(PciConfig.SUBSYSTEM_ID, 2); }

    public int command() { return raw(PciConfig.COMMAND, 2); }

    public int status() { return raw(PciConfig.STATUS, 2); }

    public boolean ioSpaceEnabled() { return (command() & Command.IO_SPACE_ENABLE) != 0; }

    public boolean memorySpaceEnabled() { return (command() & Command.MEMORY_SPACE_ENABLE) != 0; }

    /** Bus Master Enable, and the function in D0: outside D0 a function may not initiate requests. */
    public boolean busMasterEnabled() { return (command() & Command.BUS_MASTER_ENABLE) != 0 && inD0(); }

    /** Whether the function is in D0 (always, without a Power Management capability). */
    public boolean inD0() { return powerManagement().map(pm -> pm.powerState() == PowerState.D0).orElse(true); }

    /** Command register bit 10: INTx emulation disabled. */
    public boolean interruptDisable() { return (command() & Command.INTERRUPT_DISABLE) != 0; }

    /** Interrupt Pin: 0 none, 1..4 INTA..INTD. */
    public int interruptPin() { return raw(PciConfig.INTERRUPT_PIN, 1); }

    public int interruptLine() { return raw(PciConfig.INTERRUPT_LINE, 1); }

    /** Status bit 3: set by the interrupt router while the function's INTx line is asserted (regardless of Interrupt Disable). */
    public void setInterruptStatus(boolean asserted) {
        int s = raw(PciConfig.STATUS, 2);
        setRaw(PciConfig.STATUS, 2, asserted ? s | Status.INTERRUPT_STATUS : s & ~Status.INTERRUPT_STATUS);
    }

    public boolean interruptStatus() { return (status() & Status.INTERRUPT_STATUS) != 0; }

    // ---------------------------------------------------------------- BARs

    /** The BAR defined at index {@code index} (0..5), or null (unused, or the high half of a 64-bit BAR). */
    public Bar bar(int index) {
        Objects.checkIndex(index, 6);
        return bars[index];
    }

    /** The base address software programmed into BAR {@code index} (type bits removed). */
    public long barAddress(int index) {
        Bar bar = bar(index);
        if (bar == null) throw new IllegalArgumentException("BAR" + index + " is not implemented");
        int off = PciConfig.BAR0 + 4 * index;
        long low = raw(off, 4) & 0xFFFF_FFFFL;
        return switch (bar.type()) {
            case MEMORY_32 -> low & ~0xFL;
            case MEMORY_64 -> (low & ~0xFL) | (raw(off + 4, 4) & 0xFFFF_FFFFL) << 32;
            case IO -> low & ~0x3L;
        };
    }

    /**
     * The memory BAR containing {@code address}, or -1; none while Memory Space Enable is clear or
     * the function is outside D0 (where it answers configuration requests only).
     * The offset within it is {@code address - barAddress(index)}.
     */
    public int decodeMemory(long address) {
        if (!memorySpaceEnabled() || !inD0()) return -1;
        return decode(address, false);
    }

    /** The I/O BAR containing {@code address}, or -1; none while I/O Space Enable is clear or outside D0. */
    public int decodeIo(long address) {
        if (!ioSpaceEnabled() || !inD0()) return -1;
        return decode(address, true);
    }

    private int decode(long address, boolean io) {
        for (int i = 0; i < 6; i++) {
            Bar bar = bars[i];
            if (bar == null || bar.isIo() != io) continue;
            long base = barAddress(i);
            if (Long.compareUnsigned(address, base) >= 0 && Long.compareUnsigned(address - base, bar.size()) < 0) return i;
        }
        return -1;
    }

    // ---------------------------------------------------------------- capabilities

    /** The capabilities in list order. */
    public List<Capability> capabilities() { return capabilities; }

    /** The extended capabilities in list order. */
    public List<ExtendedCapability> extendedCapabilities() { return extendedCapabilities; }

    /** The first (extended) capability of class {@code type}, if present. */
    public <T extends ConfigRegion> Optional<T> find(Class<T> type) {
        for (ConfigRegion r : regions) if (type.isInstance(r)) return Optional.of(type.cast(r));
        return Optional.empty();
    }

    public Optional<MsiCapability> msi() { return find(MsiCapability.class); }

    public Optional<MsixCapability> msix() { return find(MsixCapability.class); }

    public Optional<PciExpressCapability> pciExpress() { return find(PciExpressCapability.class); }

    public Optional<PowerManagementCapability> powerManagement() { return find(PowerManagementCapability.class); }

    public Optional<AerCapability> aer() { return find(AerCapability.class); }

    /** Whether MSI is enabled in the MSI capability. */
    public boolean msiEnabled() { return msi().map(MsiCapability::enabled).orElse(false); }

    /** Whether MSI-X is enabled in the MSI-X capability. */
    public boolean msixEnabled() { return msix().map(MsixCapability::enabled).orElse(false); }

    /**
     * Max Payload Size in bytes from Device Control; 128 (the PCIe default and a conventional PCI
     * function's only size) without a PCI Express capability.
     */
    public int maxPayloadSize() { return pciExpress().map(PciExpressCapability::maxPayloadSize).orElse(128); }

    /** Max Read Request Size in bytes from Device Control; 512 (the reset default) without a PCI Express capability. */
    public int maxReadRequestSize() { return pciExpress().map(PciExpressCapability::maxReadRequestSize).orElse(512); }

    // ---------------------------------------------------------------- raw access for the package

    int raw(int offset, int size) {
        int v = 0;
        for (int i = size - 1; i >= 0; i--) v = v << 8 | (value[offset + i] & 0xFF);
        return v;
    }

    /** Sets bytes directly, bypassing masks: state the function (hardware) owns. */
    void setRaw(int offset, int size, int v) {
        checkRange(offset, size);
        for (int i = 0; i < size; i++) value[offset + i] = (byte) (v >>> (8 * i));
    }

    private static int checkOffset(int offset, int size) {
        if (offset < 0 || offset > SIZE - size) throw new IllegalArgumentException("config offset 0x" + Integer.toHexString(offset) + " outside 0..0xFFF");
        return offset;
    }

    private static void checkRange(int offset, int size) {
        if (offset < 0 || size < 1 || size > 4 || offset + size > SIZE)
            throw new IllegalArgumentException("config range 0x" + Integer.toHexString(offset) + "+" + size + " invalid");
    }

    private static void checkAccess(int offset, int size) {
        checkRange(offset, size);
        if (size == 3 || (offset & (size - 1)) != 0)
            throw new IllegalArgumentException("config access of " + size + " bytes at 0x" + Integer.toHexString(offset) + " is not naturally aligned");
    }

    // ---------------------------------------------------------------- construction

    private void initHeader(Builder b, Init h) {
        boolean hasIo = false;
        for (Bar bar : bars) if (bar != null && bar.isIo()) hasIo = true;
        h.readOnly(PciConfig.VENDOR_ID, 2, b.vendorId);
        h.readOnly(PciConfig.DEVICE_ID, 2, b.deviceId);
        int commandWritable = Command.MEMORY_SPACE_ENABLE | Command.BUS_MASTER_ENABLE | Command.PARITY_ERROR_RESPONSE
                | Command.SERR_ENABLE | Command.INTERRUPT_DISABLE | (hasIo ? Command.IO_SPACE_ENABLE : 0) | b.extraCommandBits;
        h.readWrite(PciConfig.COMMAND, 2, 0, commandWritable);
        int statusRo = (b.capabilities.isEmpty() ? 0 : Status.CAPABILITIES_LIST) | b.extraStatusBits;
        h.readOnly(PciConfig.STATUS, 2, statusRo);
        h.writeOneToClear(PciConfig.STATUS, 2, 0, Status.RW1C_MASK);
        h.readOnly(PciConfig.REVISION_ID, 1, b.revisionId);
        h.readOnly(PciConfig.CLASS_PROG_IF, 1, b.classCode & 0xFF);
        h.readOnly(PciConfig.CLASS_PROG_IF + 1, 2, b.classCode >>> 8);
        h.readWrite(PciConfig.CACHE_LINE_SIZE, 1, 0, 0xFF);
        h.readOnly(PciConfig.HEADER_TYPE, 1, b.multiFunction ? 0x80 : 0x00);
        for (int i = 0; i < 6; i++) {
            Bar bar = bars[i];
            if (bar == null) continue;
            int off = PciConfig.BAR0 + 4 * i;
            h.readWrite(off, 4, bar.typeBits(), bar.lowWriteMask());
            if (bar.type() == BarType.MEMORY_64) h.readWrite(off + 4, 4, 0, bar.highWriteMask());
        }
        h.readOnly(PciConfig.SUBSYSTEM_VENDOR_ID, 2, b.subsystemVendorId);
        h.readOnly(PciConfig.SUBSYSTEM_ID, 2, b.subsystemId);
        h.readWrite(PciConfig.INTERRUPT_LINE, 1, 0, 0xFF);
        h.readOnly(PciConfig.INTERRUPT_PIN, 1, b.interruptPin);
        h.readOnly(PciConfig.MIN_GNT, 1, b.minGnt);
        h.readOnly(PciConfig.MAX_LAT, 1, b.maxLat);
    }

    private void placeCapabilities(List<ConfigRegion> all, List<Integer> requested) {
        int at = PciConfig.HEADER_SIZE;
        int previousNext = PciConfig.CAPABILITIES_POINTER;
        for (int i = 0; i < capabilities.size(); i++) {
            Capability cap = capabilities.get(i);
            int len = cap.length();
            if (len < 2) throw new IllegalArgumentException(cap.getClass().getSimpleName() + " length " + len + " too short");
            at = placement(cap, requested.get(i), at, PciConfig.HEADER_SIZE);
            if (at + len > PciConfig.EXTENDED_CAPABILITIES)
                throw new IllegalArgumentException("capabilities do not fit below 0x100: " + cap.getClass().getSimpleName() + " at 0x" + Integer.toHexString(at));
            cap.bind(this, at);
            setRaw(previousNext, 1, at);
            setRaw(at, 1, cap.id());
            setRaw(at + 1, 1, 0);
            cap.initialize(new Init(at));
            previousNext = at + 1;
            all.add(cap);
            at = align4(at + len);
        }
    }

    private void placeExtendedCapabilities(List<ConfigRegion> all, List<Integer> requested) {
        int at = PciConfig.EXTENDED_CAPABILITIES;
        int previousHeader = -1;
        for (int i = 0; i < extendedCapabilities.size(); i++) {
            ExtendedCapability cap = extendedCapabilities.get(i);
            int len = cap.length();
            if (len < 4) throw new IllegalArgumentException(cap.getClass().getSimpleName() + " length " + len + " too short");
            at = placement(cap, requested.get(i), at, PciConfig.EXTENDED_CAPABILITIES);
            if (at + len > SIZE)
                throw new IllegalArgumentException("extended capabilities do not fit below 0x1000: " + cap.getClass().getSimpleName());
            cap.bind(this, at);
            if (previousHeader >= 0) setRaw(previousHeader, 4, raw(previousHeader, 4) | at << 20);
            setRaw(at, 4, (cap.id() & 0xFFFF) | (cap.version() & 0xF) << 16);
            cap.initialize(new Init(at));
            previousHeader = at;
            all.add(cap);
            at = align4(at + len);
        }
    }

    /**
     * Where a structure goes: the next free dword ({@code next}), or the offset the builder was
     * given, which must be dword-aligned and not overlap the structures placed before it.
     */
    private static int placement(ConfigRegion cap, int requested, int next, int first) {
        if (requested == AUTO) return next;
        String name = cap.getClass().getSimpleName();
        if ((requested & 3) != 0 || requested < first)
            throw new IllegalArgumentException(name + " at 0x" + Integer.toHexString(requested) + ": not a dword at or above 0x" + Integer.toHexString(first));
        if (requested < next)
            throw new IllegalArgumentException(name + " at 0x" + Integer.toHexString(requested) + " overlaps the structure before it (free from 0x"
                    + Integer.toHexString(next) + ")");
        return requested;
    }

    private static int align4(int x) { return (x + 3) & ~3; }

    /** Sets values and masks relative to {@code base}; bytes beyond a size are untouched. */
    private final class Init implements RegisterInit {
        private final int base;

        Init(int base) { this.base = base; }

        @Override
        public void readOnly(int offset, int size, int v) { readWrite(offset, size, v, 0); }

        @Override
        public void readWrite(int offset, int size, int v, int writable) {
            int at = base + offset;
            checkRange(at, size);
            for (int i = 0; i < size; i++) {
                value[at + i] = (byte) (v >>> (8 * i));
                writeMask[at + i] = (byte) (writable >>> (8 * i));
            }
        }

        @Override
        public void writeOneToClear(int offset, int size, int v, int w1c) {
            int at = base + offset;
            checkRange(at, size);
            for (int i = 0; i < size; i++) {
                int m = w1c >>> (8 * i) & 0xFF;
                w1cMask[at + i] |= (byte) m;
                writeMask[at + i] &= (byte) ~m;
                value[at + i] = (byte) ((value[at + i] & ~m) | (v >>> (8 * i) & m));
            }
        }

        @Override
        public void sticky(int offset, int size, int bits) {
            int at = base + offset;
            checkRange(at, size);
            for (int i = 0; i < size; i++) stickyMask[at + i] |= (byte) (bits >>> (8 * i));
        }
    }

    /** Builds a configuration space. */
    public static final class Builder {
        private int vendorId = -1;
        private int deviceId = -1;
        private int revisionId;
        private int classCode = -1;
        private int subsystemVendorId;
        private int subsystemId;
        private int interruptPin;
        private boolean multiFunction;
        private int extraCommandBits;
        private int extraStatusBits;
        private int minGnt;
        private int maxLat;
        private final Bar[] bars = new Bar[6];
        private final List<Capability> capabilities = new ArrayList<>();
        private final List<ExtendedCapability> extendedCapabilities = new ArrayList<>();
        private final List<Integer> capabilityOffsets = new ArrayList<>();
        private final List<Integer> extendedCapabilityOffsets = new ArrayList<>();

        private Builder() {}

        public Builder vendorId(int id) { this.vendorId = u16(id, "vendor ID"); return this; }

        public Builder deviceId(int id) { this.deviceId = u16(id, "device ID"); return this; }

        public Builder revisionId(int rev) {
            if (rev < 0 || rev > 0xFF) throw new IllegalArgumentException("revision ID " + rev + " exceeds 8 bits");
            this.revisionId = rev;
            return this;
        }

        /** Base class, sub-class and programming interface as 24 bits, e.g. {@code 0x020000} (Ethernet). */
        public Builder classCode(int code) {
            if ((code & ~0xFF_FFFF) != 0) throw new IllegalArgumentException("class code 0x" + Integer.toHexString(code) + " exceeds 24 bits");
            this.classCode = code;
            return this;
        }

        public Builder subsystem(int vendor, int id) {
            this.subsystemVendorId = u16(vendor, "subsystem vendor ID");
            this.subsystemId = u16(id, "subsystem ID");
            return this;
        }

        /** Interrupt Pin: 0 none, 1..4 INTA#..INTD#. */
        public Builder interruptPin(int pin) {
            if (pin < 0 || pin > 4) throw new IllegalArgumentException("interrupt pin " + pin + " outside 0..4");
            this.interruptPin = pin;
            return this;
        }

        /** Header Type bit 7: set in function 0 of a device with more than one function. */
        public Builder multiFunction(boolean multi) { this.multiFunction = multi; return this; }

        /**
         * Conventional PCI functions (the 82540EM) implement Command bits PCIe hardwires to 0, such
         * as Memory Write and Invalidate (bit 4): these become writable too.
         */
        public Builder extraCommandBits(int bits) {
            int allowed = Command.MEMORY_WRITE_INVALIDATE | Command.VGA_PALETTE_SNOOP | Command.FAST_BACK_TO_BACK_ENABLE
                    | Command.SPECIAL_CYCLE_ENABLE;
            if ((bits & ~allowed) != 0) throw new IllegalArgumentException("Command bits 0x" + Integer.toHexString(bits) + " are not legacy extras");
            this.extraCommandBits = bits;
            return this;
        }

        /**
         * Read-only Status bits a conventional PCI function reports: 66 MHz Capable (5), Fast
         * Back-to-Back Capable (7), DEVSEL timing (10:9). Capabilities List is set automatically.
         */
        public Builder extraStatusBits(int bits) {
            int allowed = Status.MHZ_66_CAPABLE | Status.FAST_BACK_TO_BACK_CAPABLE | Status.DEVSEL_TIMING_MASK;
            if ((bits & ~allowed) != 0) throw new IllegalArgumentException("Status bits 0x" + Integer.toHexString(bits) + " are not read-only capability bits");
            this.extraStatusBits = bits;
            return this;
        }

        /** Min_Gnt and Max_Lat (conventional PCI; 0 for PCIe functions). */
        public Builder minGntMaxLat(int minGnt, int maxLat) {
            if ((minGnt & ~0xFF) != 0 || (maxLat & ~0xFF) != 0) throw new IllegalArgumentException("Min_Gnt/Max_Lat are 8 bits");
            this.minGnt = minGnt;
            this.maxLat = maxLat;
            return this;
        }

        /** Defines BAR {@code index}; a 64-bit BAR also takes {@code index + 1}. */
        public Builder bar(int index, Bar bar) {
            Objects.checkIndex(index, 6);
            Objects.requireNonNull(bar);
            int regs = bar.registers();
            if (index + regs > 6) throw new IllegalArgumentException("64-bit BAR" + index + " needs BAR" + (index + 1));
            for (int i = index; i < index + regs; i++)
                if (bars[i] != null || occupiedByLower(i)) throw new IllegalArgumentException("BAR" + i + " is already used");
            bars[index] = bar;
            return this;
        }

        private boolean occupiedByLower(int i) {
            return i > 0 && bars[i - 1] != null && bars[i - 1].type() == BarType.MEMORY_64;
        }

        /** Adds a capability; it is placed after the ones added before. */
        public Builder capability(Capability cap) { return addCapability(cap, AUTO); }

        /**
         * Adds a capability at {@code offset} (dword-aligned, 0x40..0xFF, after the ones added
         * before), for models that must present a real part's layout; the gap before it reads 0.
         */
        public Builder capability(Capability cap, int offset) {
            if (offset < 0) throw new IllegalArgumentException("capability offset " + offset);
            return addCapability(cap, offset);
        }

        private Builder addCapability(Capability cap, int offset) {
            if (cap.installed()) throw new IllegalArgumentException(cap.getClass().getSimpleName() + " is already installed elsewhere");
            capabilities.add(cap);
            capabilityOffsets.add(offset);
            return this;
        }

        /** Adds an extended capability; it is placed after the ones added before, from 0x100. */
        public Builder extendedCapability(ExtendedCapability cap) { return addExtendedCapability(cap, AUTO); }

        /** Adds an extended capability at {@code offset} (dword-aligned, 0x100..0xFFF, after the ones added before). */
        public Builder extendedCapability(ExtendedCapability cap, int offset) {
            if (offset < 0) throw new IllegalArgumentException("extended capability offset " + offset);
            return addExtendedCapability(cap, offset);
        }

        private Builder addExtendedCapability(ExtendedCapability cap, int offset) {
            if (cap.installed()) throw new IllegalArgumentException(cap.getClass().getSimpleName() + " is already installed elsewhere");
            extendedCapabilities.add(cap);
            extendedCapabilityOffsets.add(offset);
            return this;
        }

        public ConfigSpace build() {
            if (vendorId < 0 || deviceId < 0 || classCode < 0) throw new IllegalStateException("vendor ID, device ID and class code are required");
            if (vendorId == 0xFFFF) throw new IllegalStateException("vendor ID 0xFFFF is what an empty slot reads");
            return new ConfigSpace(this);
        }

        private static int u16(int v, String what) {
            if (v < 0 || v > 0xFFFF) throw new IllegalArgumentException(what + " 0x" + Integer.toHexString(v) + " exceeds 16 bits");
            return v;
        }
    }

    @Override
    public String toString() {
        return String.format("ConfigSpace[%04x:%04x class %06x, %d caps, %d ext caps, bars %s]", vendorId(), deviceId(), classCode(),
                capabilities.size(), extendedCapabilities.size(), Arrays.toString(bars));
    }
}
