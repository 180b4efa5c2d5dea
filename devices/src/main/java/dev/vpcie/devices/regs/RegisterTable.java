package dev.vpcie.devices.regs;

import dev.vpcie.devices.spi.Counters;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A block of 32-bit registers described as data: each register has an offset, a name, a read
 * operation ({@link ReadOp}) and a write operation ({@link WriteOp}).
 *
 * <pre>{@code
 * RegisterTable regs = RegisterTable.builder("e1000", 0x20000)
 *         .reg(CTRL, "CTRL").plain()
 *         .reg(STATUS, "STATUS").readOnly()
 *         .reg(ICR, "ICR").clearOnRead().write(this::writeIcr)
 *         .reg(IMS, "IMS").read(i -> ims).write(this::setIms)
 *         .range(RA, 32, 4, "RA").plain()
 *         .aliasRange(0x2800, 4, 0x100, 0xC000, 0x40)   // legacy queue addresses
 *         .build();
 * }</pre>
 *
 * <ul>
 *   <li><b>Storage is dense</b>: one int per register, whatever the window size; lookup is an
 *       open-addressing hash of {@code offset >> 2}, O(1) and a few hundred ints for a NIC.</li>
 *   <li><b>Access sizes</b>: 4-byte accesses hit one register; 8-byte accesses are two, low dword
 *       first; 1- and 2-byte reads return the lanes of the containing register (its read side
 *       effects, such as clear-on-read, apply to the whole register, as on hardware); 1- and
 *       2-byte writes change only their byte lanes.</li>
 *   <li><b>Bad accesses are not thrown</b>: a read of an unknown offset returns 0, a write to an
 *       unknown or read-only register is dropped; each is counted ({@link #counters()}) and
 *       logged once per offset.</li>
 * </ul>
 * Single-threaded, like the device that owns it.
 */
public final class RegisterTable {
    public static final String UNKNOWN_READS = "unknown-register-reads";
    public static final String UNKNOWN_WRITES = "unknown-register-writes";
    public static final String READ_ONLY_WRITES = "read-only-register-writes";

    private final String name;
    private final long windowSize;
    private final int[] offsets;
    private final String[] names;
    private final int[] elements;
    private final ReadOp[] reads;
    private final WriteOp[] writes;
    private final int[] values;
    private final int[] resetValues;
    private final int[] hashKeys;
    private final int[] hashValues;
    private final int hashMask;
    private final Counters counters = new Counters();
    private final Counters.Counter unknownReads = counters.counter(UNKNOWN_READS);
    private final Counters.Counter unknownWrites = counters.counter(UNKNOWN_WRITES);
    private final Counters.Counter readOnlyWrites = counters.counter(READ_ONLY_WRITES);
    private final Set<Long> warned = new HashSet<>();
    private final Logger log;

    private RegisterTable(Builder b) {
        this.name = b.name;
        this.windowSize = b.windowSize;
        this.log = LoggerFactory.getLogger(RegisterTable.class.getName() + "." + b.name);
        int n = b.specs.size();
        offsets = new int[n];
        names = new String[n];
        elements = new int[n];
        reads = new ReadOp[n];
        writes = new WriteOp[n];
        resetValues = new int[n];
        int keys = n + b.aliases.size();
        int cap = Integer.highestOneBit(Math.max(4, keys * 2 - 1)) << 1;
        hashKeys = new int[cap];
        hashValues = new int[cap];
        hashMask = cap - 1;
        for (int i = 0; i < n; i++) {
            Spec s = b.specs.get(i);
            offsets[i] = s.offset;
            names[i] = s.name;
            elements[i] = s.element;
            reads[i] = s.read;
            writes[i] = s.write;
            resetValues[i] = s.initial;
            if (!insert(s.offset >>> 2, i)) throw new IllegalArgumentException(name + ": register " + s.name + " at 0x"
                    + Integer.toHexString(s.offset) + " overlaps " + names[lookup(s.offset >>> 2)]);
        }
        for (int[] a : b.aliases) {
            int target = lookup(a[1] >>> 2);
            if (target < 0) throw new IllegalArgumentException(name + ": alias at 0x" + Integer.toHexString(a[0]) + " names no register at 0x"
                    + Integer.toHexString(a[1]));
            if (!insert(a[0] >>> 2, target)) throw new IllegalArgumentException(name + ": alias at 0x" + Integer.toHexString(a[0])
                    + " overlaps " + names[lookup(a[0] >>> 2)]);
        }
        values = resetValues.clone();
    }

    public static Builder builder(String name, long windowSize) { return new Builder(name, windowSize); }

    // ---------------------------------------------------------------- lookup

    private static int hash(int key) { return (key * 0x9E3779B1) >>> 7; }

    private boolean insert(int key, int index) {
        int slot = hash(key) & hashMask;
        while (hashKeys[slot] != 0) {
            if (hashKeys[slot] == key + 1) return false;
            slot = (slot + 1) & hashMask;
        }
        hashKeys[slot] = key + 1;
        hashValues[slot] = index;
        return true;
    }

    /** Register index for dword {@code key}, or -1. */
    private int lookup(int key) {
        int slot = hash(key) & hashMask;
        while (true) {
            int k = hashKeys[slot];
            if (k == 0) return -1;
            if (k == key + 1) return hashValues[slot];
            slot = (slot + 1) & hashMask;
        }
    }

    private int indexOf(long offset) {
        if (offset < 0 || offset >= windowSize) return -1;
        return lookup((int) (offset >>> 2));
    }

    // ---------------------------------------------------------------- bus accesses

    /** A bus read of {@code size} (1, 2, 4, 8) bytes at {@code offset}, naturally aligned. */
    public long read(long offset, int size) {
        return switch (size) {
            case 8 -> (readDword(offset) & 0xFFFF_FFFFL) | (readDword(offset + 4) & 0xFFFF_FFFFL) << 32;
            case 4 -> readDword(offset) & 0xFFFF_FFFFL;
            case 1, 2 -> (readDword(offset & ~3L) >>> (8 * (offset & 3))) & ((1L << (8 * size)) - 1);
            default -> throw new IllegalArgumentException("access size " + size);
        };
    }

    /** A bus write of the low {@code size} (1, 2, 4, 8) bytes of {@code value} at {@code offset}, naturally aligned. */
    public void write(long offset, int size, long value) {
        switch (size) {
            case 8 -> {
                writeDword(offset, (int) value, -1);
                writeDword(offset + 4, (int) (value >>> 32), -1);
            }
            case 4 -> writeDword(offset, (int) value, -1);
            case 1, 2 -> {
                int shift = (int) (8 * (offset & 3));
                int lanes = (int) ((1L << (8 * size)) - 1) << shift;
                writeDword(offset & ~3L, (int) value << shift, lanes);
            }
            default -> throw new IllegalArgumentException("access size " + size);
        }
    }

    private int readDword(long offset) {
        int i = indexOf(offset);
        if (i < 0) {
            unknownReads.increment();
            warnOnce(offset, false, "read of unknown register");
            return 0;
        }
        return switch (reads[i]) {
            case ReadOp.Stored s -> values[i];
            case ReadOp.Constant c -> c.value();
            case ReadOp.ClearOnRead c -> {
                int v = values[i];
                values[i] = 0;
                yield v;
            }
            case ReadOp.Custom c -> c.handler().read(elements[i]);
        };
    }

    private void writeDword(long offset, int value, int lanes) {
        int i = indexOf(offset);
        if (i < 0) {
            unknownWrites.increment();
            warnOnce(offset, true, "write of unknown register");
            return;
        }
        switch (writes[i]) {
            case WriteOp.Store s -> {
                int m = s.mask() & lanes;
                values[i] = (values[i] & ~m) | (value & m);
                s.then().write(elements[i], values[i]);
            }
            case WriteOp.ClearOnes c -> {
                values[i] &= ~(value & c.mask() & lanes);
                c.then().write(elements[i], values[i]);
            }
            case WriteOp.Ignore ignore -> {
                readOnlyWrites.increment();
                warnOnce(offset, true, "write of read-only register " + names[i] + " ignored");
            }
            case WriteOp.Custom c -> c.handler().write(elements[i], (values[i] & ~lanes) | (value & lanes));
        }
    }

    private void warnOnce(long offset, boolean write, String what) {
        if (warned.add(offset << 1 | (write ? 1 : 0)))
            log.warn("{}: {} at 0x{} (logged once per offset)", name, what, Long.toHexString(offset));
    }

    // ---------------------------------------------------------------- device-side access

    /** The stored value of the register at {@code offset} (no read side effects). */
    public int get(int offset) { return values[require(offset)]; }

    /** Sets the stored value of the register at {@code offset} (hardware updating its own state). */
    public void set(int offset, int value) { values[require(offset)] = value; }

    /** ORs {@code bits} into the stored value (setting cause bits). */
    public void setBits(int offset, int bits) { values[require(offset)] |= bits; }

    /** Whether a register is defined at {@code offset}. */
    public boolean defines(long offset) { return indexOf(offset) >= 0; }

    /** The name of the register at {@code offset}, or null. */
    public String nameAt(long offset) {
        int i = indexOf(offset);
        return i < 0 ? null : names[i];
    }

    private int require(int offset) {
        int i = indexOf(offset);
        if (i < 0 || (offset & 3) != 0) throw new IllegalArgumentException(name + ": no register at 0x" + Integer.toHexString(offset));
        return i;
    }

    /** Restores every stored value to its reset value. */
    public void reset() { System.arraycopy(resetValues, 0, values, 0, values.length); }

    /** Counts of unknown reads, unknown writes and writes to read-only registers. */
    public Counters counters() { return counters; }

    /** Number of registers defined (ranges count each element; aliases add none). */
    public int size() { return offsets.length; }

    public String name() { return name; }

    // ---------------------------------------------------------------- building

    private static final class Spec {
        final int offset;
        final String name;
        final int element;
        ReadOp read = new ReadOp.Stored();
        WriteOp write = new WriteOp.Store(-1, WriteOp.WriteHandler.NONE);
        int initial;

        Spec(int offset, String name, int element) {
            this.offset = offset;
            this.name = name;
            this.element = element;
        }
    }

    /** Collects register definitions. */
    public static final class Builder {
        private final String name;
        private final long windowSize;
        private final List<Spec> specs = new ArrayList<>();
        private final List<int[]> aliases = new ArrayList<>();

        private Builder(String name, long windowSize) {
            if (windowSize <= 0 || windowSize > 1L << 31)
                throw new IllegalArgumentException("register window " + windowSize + " outside 1 B..2 GiB");
            this.name = name;
            this.windowSize = windowSize;
        }

        /** Defines the register at {@code offset} (dword-aligned); plain read-write unless told otherwise. */
        public RegisterSpec reg(int offset, String regName) {
            check(offset, regName);
            Spec s = new Spec(offset, regName, 0);
            specs.add(s);
            return new RegisterSpec(this, List.of(s));
        }

        /**
         * Defines {@code count} registers {@code stride} bytes apart from {@code base}, named
         * {@code name[i]}; handlers receive the element index {@code i}.
         */
        public RegisterSpec range(int base, int count, int stride, String regName) {
            if (count < 1) throw new IllegalArgumentException(regName + ": range of " + count + " registers");
            if (stride < 4 || (stride & 3) != 0) throw new IllegalArgumentException(regName + ": stride " + stride + " is not a positive multiple of 4");
            List<Spec> group = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int off = base + i * stride;
                check(off, regName);
                Spec s = new Spec(off, regName + "[" + i + "]", i);
                specs.add(s);
                group.add(s);
            }
            return new RegisterSpec(this, group);
        }

        private void check(int offset, String regName) {
            if ((offset & 3) != 0 || offset < 0 || offset + 4 > windowSize)
                throw new IllegalArgumentException(name + ": register " + regName + " offset 0x" + Integer.toHexString(offset)
                        + " not dword-aligned inside the " + windowSize + "-byte window");
        }

        /**
         * Makes {@code offset} a second address of the register at {@code target}: same storage, same
         * operations, same name (the 82576's legacy queue addresses reaching its queue blocks).
         */
        public Builder alias(int offset, int target) {
            check(offset, "alias");
            check(target, "alias target");
            aliases.add(new int[] {offset, target});
            return this;
        }

        /** {@code count} aliases: {@code base + i * stride} reaches {@code targetBase + i * targetStride}. */
        public Builder aliasRange(int base, int count, int stride, int targetBase, int targetStride) {
            if (count < 1) throw new IllegalArgumentException("alias range of " + count);
            for (int i = 0; i < count; i++) alias(base + i * stride, targetBase + i * targetStride);
            return this;
        }

        public RegisterTable build() { return new RegisterTable(this); }
    }

    /** The operations of the register (or range) just defined; chains back to the builder. */
    public static final class RegisterSpec {
        private final Builder builder;
        private final List<Spec> specs;

        private RegisterSpec(Builder builder, List<Spec> specs) {
            this.builder = builder;
            this.specs = specs;
        }

        private RegisterSpec ops(ReadOp read, WriteOp write) {
            for (Spec s : specs) {
                if (read != null) s.read = read;
                if (write != null) s.write = write;
            }
            return this;
        }

        /** Read-write storage. */
        public RegisterSpec plain() { return ops(new ReadOp.Stored(), new WriteOp.Store(-1, WriteOp.WriteHandler.NONE)); }

        /** Reads a constant; writes are dropped and counted. */
        public RegisterSpec readOnly(int value) {
            for (Spec s : specs) s.initial = value;
            return ops(new ReadOp.Constant(value), new WriteOp.Ignore());
        }

        /** Reads the stored value, which only the device changes ({@link RegisterTable#set}); writes are dropped and counted. */
        public RegisterSpec readOnly() { return ops(new ReadOp.Stored(), new WriteOp.Ignore()); }

        /** Reads and clears the stored value; writes are dropped and counted (statistics counters). */
        public RegisterSpec clearOnRead() { return ops(new ReadOp.ClearOnRead(), new WriteOp.Ignore()); }

        /** Reads the stored value; writing 1 clears a bit (status and cause registers). */
        public RegisterSpec w1c() { return w1c(-1); }

        /** Reads the stored value; writing 1 clears a bit of {@code mask}. */
        public RegisterSpec w1c(int mask) { return ops(new ReadOp.Stored(), new WriteOp.ClearOnes(mask, WriteOp.WriteHandler.NONE)); }

        /** Reads the stored value; only the bits of {@code mask} are writable. */
        public RegisterSpec masked(int mask) { return ops(new ReadOp.Stored(), new WriteOp.Store(mask, WriteOp.WriteHandler.NONE)); }

        /** Computes reads (keeps the write operation). */
        public RegisterSpec read(ReadOp.ReadHandler handler) { return ops(new ReadOp.Custom(handler), null); }

        /** The handler alone implements writes (keeps the read operation). */
        public RegisterSpec write(WriteOp.WriteHandler handler) { return ops(null, new WriteOp.Custom(handler)); }

        /**
         * Keeps the storing write operation ({@link #plain}, {@link #masked}, {@link #w1c}) and calls
         * {@code handler} with the new stored value after each write (a tail pointer, a control bit).
         */
        public RegisterSpec onWrite(WriteOp.WriteHandler handler) {
            for (Spec s : specs) {
                s.write = switch (s.write) {
                    case WriteOp.Store st -> new WriteOp.Store(st.mask(), handler);
                    case WriteOp.ClearOnes c -> new WriteOp.ClearOnes(c.mask(), handler);
                    case WriteOp.Ignore ig -> throw new IllegalStateException(s.name + " is read-only: onWrite has nothing to follow");
                    case WriteOp.Custom c -> throw new IllegalStateException(s.name + " has a custom write: put the reaction in it");
                };
            }
            return this;
        }

        /** The value after construction and {@link RegisterTable#reset}. */
        public RegisterSpec initial(int value) {
            for (Spec s : specs) s.initial = value;
            return this;
        }

        /** Starts the next register. */
        public RegisterSpec reg(int offset, String name) { return builder.reg(offset, name); }

        /** Starts the next range. */
        public RegisterSpec range(int base, int count, int stride, String name) { return builder.range(base, count, stride, name); }

        /** Adds an alias (see {@link Builder#alias}). */
        public Builder alias(int offset, int target) { return builder.alias(offset, target); }

        /** Adds aliases (see {@link Builder#aliasRange}). */
        public Builder aliasRange(int base, int count, int stride, int targetBase, int targetStride) {
            return builder.aliasRange(base, count, stride, targetBase, targetStride);
        }

        public RegisterTable build() { return builder.build(); }
    }
}
