package dev.vpcie.devices.config;

import dev.vpcie.protocol.pci.PciConfig;
import dev.vpcie.protocol.pci.PciConfig.MsiX;
import dev.vpcie.devices.spi.ResetKind;
import java.util.Arrays;
import java.util.function.IntConsumer;

/**
 * MSI-X capability (ID 11h, PCI Local Bus 3.0 section 6.8.2), 12 bytes, together with the state of
 * its table and Pending Bit Array, which live in a memory BAR of the function.
 *
 * <pre>
 *  31                            16 15            8 7             0
 * +--------------------------------+---------------+---------------+
 * |  Message Control               | Next Ptr      | Cap ID = 11h  |  +0x0
 * +--------------------------------+---------------+-----------+---+
 * |  Table Offset [31:3]                                       |BIR|  +0x4  RO
 * +------------------------------------------------------------+---+
 * |  PBA Offset [31:3]                                         |BIR|  +0x8  RO
 * +------------------------------------------------------------+---+
 * Message Control: [10:0] Table Size (N-1) RO   [14] Function Mask RW   [15] MSI-X Enable RW
 *
 * Table entry n at BAR[Table BIR] + Table Offset + 16 n:
 * +----------------------------------------------------------------+
 * |  Message Address [31:2]                                    | 00 |  +0x0
 * |  Message Upper Address                                         |  +0x4
 * |  Message Data                                                  |  +0x8
 * |  Vector Control: [31:1] reserved (0)            [0] Mask Bit   |  +0xC  (Mask Bit = 1 after reset)
 * +----------------------------------------------------------------+
 * Pending Bit Array at BAR[PBA BIR] + PBA Offset: bit n of qword n/64 = vector n pending (RO).
 * </pre>
 * The function model routes MMIO accesses in those two windows here ({@link #claims},
 * {@link #mmioRead}, {@link #mmioWrite}); the endpoint's interrupt router reads entries and sets
 * Pending bits through {@link #entry}, {@link #masked}, {@link #setPending}, and learns through
 * {@link #setUnmaskListener} when a pending vector may be delivered.
 */
public final class MsixCapability extends Capability {
    public static final int ID = PciConfig.CapId.MSI_X;
    public static final int ENTRY_SIZE = MsiX.ENTRY_SIZE;
    private static final int CONTROL = MsiX.MESSAGE_CONTROL;
    private static final int FUNCTION_MASK = MsiX.CONTROL_FUNCTION_MASK;
    private static final int ENABLE = MsiX.CONTROL_ENABLE;

    private final int vectors;
    private final int tableBar;
    private final long tableOffset;
    private final int pbaBar;
    private final long pbaOffset;
    private final int[] table;
    private final long[] pba;
    private IntConsumer unmaskListener = v -> { };

    /**
     * @param vectors      table size, 1..2048
     * @param tableBar     BAR index (BIR) holding the table
     * @param tableOffset  offset of the table in that BAR, 8-byte aligned
     * @param pbaBar       BAR index holding the PBA
     * @param pbaOffset    offset of the PBA in that BAR, 8-byte aligned
     */
    public MsixCapability(int vectors, int tableBar, long tableOffset, int pbaBar, long pbaOffset) {
        if (vectors < 1 || vectors > 2048) throw new IllegalArgumentException("MSI-X table size " + vectors + " outside 1..2048");
        if (tableBar < 0 || tableBar > 5 || pbaBar < 0 || pbaBar > 5) throw new IllegalArgumentException("MSI-X BIR outside 0..5");
        if ((tableOffset & 7) != 0 || (pbaOffset & 7) != 0 || tableOffset < 0 || pbaOffset < 0 || tableOffset > 0xFFFF_FFF8L || pbaOffset > 0xFFFF_FFF8L)
            throw new IllegalArgumentException("MSI-X table/PBA offsets must be 8-byte aligned 32-bit offsets");
        this.vectors = vectors;
        this.tableBar = tableBar;
        this.tableOffset = tableOffset;
        this.pbaBar = pbaBar;
        this.pbaOffset = pbaOffset;
        this.table = new int[4 * vectors];
        this.pba = new long[(vectors + 63) / 64];
        if (tableBar == pbaBar && overlaps(tableOffset, tableLength(), pbaOffset, pbaLength()))
            throw new IllegalArgumentException("MSI-X table and PBA overlap");
        resetTable();
    }

    private static boolean overlaps(long a, long alen, long b, long blen) { return a < b + blen && b < a + alen; }

    @Override public int id() { return ID; }

    @Override public int length() { return 12; }

    @Override
    protected void initialize(RegisterInit init) {
        checkBar(tableBar, tableOffset, tableLength(), "table");
        checkBar(pbaBar, pbaOffset, pbaLength(), "PBA");
        init.readWrite(CONTROL, 2, vectors - 1, FUNCTION_MASK | ENABLE);
        init.readOnly(MsiX.TABLE_OFFSET_BIR, 4, (int) tableOffset | tableBar);
        init.readOnly(MsiX.PBA_OFFSET_BIR, 4, (int) pbaOffset | pbaBar);
    }

    private void checkBar(int bir, long off, long len, String what) {
        Bar bar = config().bar(bir);
        if (bar == null || bar.isIo()) throw new IllegalArgumentException("MSI-X " + what + " BIR " + bir + " is not a memory BAR");
        if (off + len > bar.size()) throw new IllegalArgumentException("MSI-X " + what + " does not fit in BAR" + bir);
    }

    @Override
    protected void written(ConfigWrite w) {
        if (w.offset() != offset()) return;
        int before = w.before() >>> 16;
        boolean wasDeliverable = (before & ENABLE) != 0 && (before & FUNCTION_MASK) == 0;
        if (!wasDeliverable && deliverable()) {
            for (int v = 0; v < vectors; v++) if (pending(v) && !entryMasked(v)) unmaskListener.accept(v);
        }
    }

    @Override
    protected void reset(ResetKind kind) { resetTable(); }

    private void resetTable() {
        Arrays.fill(table, 0);
        for (int v = 0; v < vectors; v++) table[4 * v + 3] = 1;
        Arrays.fill(pba, 0);
    }

    // ------------------------------------------------------------ state for the router

    public int tableSize() { return vectors; }

    public int tableBar() { return tableBar; }

    public long tableOffset() { return tableOffset; }

    public int pbaBar() { return pbaBar; }

    public long pbaOffset() { return pbaOffset; }

    public long tableLength() { return (long) ENTRY_SIZE * vectors; }

    public long pbaLength() { return 8L * pba.length; }

    public boolean enabled() { return (reg(CONTROL, 2) & ENABLE) != 0; }

    public boolean functionMasked() { return (reg(CONTROL, 2) & FUNCTION_MASK) != 0; }

    private boolean deliverable() { return enabled() && !functionMasked(); }

    /** The table entry of {@code vector}. */
    public MsixEntry entry(int vector) {
        checkVector(vector);
        int b = 4 * vector;
        return new MsixEntry((table[b] & 0xFFFF_FFFFL) | (table[b + 1] & 0xFFFF_FFFFL) << 32, table[b + 2], (table[b + 3] & 1) != 0);
    }

    private boolean entryMasked(int vector) { return (table[4 * vector + 3] & 1) != 0; }

    /** Whether a message for {@code vector} may not be sent now: its Mask Bit or the Function Mask is set. */
    public boolean masked(int vector) {
        checkVector(vector);
        return functionMasked() || entryMasked(vector);
    }

    public boolean pending(int vector) {
        checkVector(vector);
        return (pba[vector >>> 6] >>> (vector & 63) & 1) != 0;
    }

    /** Sets or clears the Pending bit of {@code vector}. */
    public void setPending(int vector, boolean pending) {
        checkVector(vector);
        if (pending) pba[vector >>> 6] |= 1L << (vector & 63);
        else pba[vector >>> 6] &= ~(1L << (vector & 63));
    }

    /**
     * Called with each vector whose Pending bit is set when it becomes deliverable: its Mask Bit is
     * cleared, or the Function Mask is cleared or MSI-X enabled. The router then clears the bit
     * and sends the message.
     */
    public void setUnmaskListener(IntConsumer listener) { this.unmaskListener = listener == null ? v -> { } : listener; }

    private void checkVector(int vector) {
        if (vector < 0 || vector >= vectors) throw new IllegalArgumentException("MSI-X vector " + vector + " outside table of " + vectors);
    }

    // ------------------------------------------------------------ MMIO for the function model

    /** Whether the access {@code [offset, offset+size)} of BAR {@code bar} falls in the table or the PBA. */
    public boolean claims(int bar, long offset, int size) {
        return inWindow(bar, offset, size, tableBar, tableOffset, tableLength())
                || inWindow(bar, offset, size, pbaBar, pbaOffset, pbaLength());
    }

    private static boolean inWindow(int bar, long offset, int size, int wBar, long wOff, long wLen) {
        return bar == wBar && offset >= wOff && offset + size <= wOff + wLen;
    }

    /** Reads the table or PBA ({@link #claims} must hold); any naturally aligned size. */
    public long mmioRead(int bar, long offset, int size) {
        long v = 0;
        for (int i = size - 1; i >= 0; i--) v = v << 8 | readByte(bar, offset + i);
        return v;
    }

    private int readByte(int bar, long offset) {
        if (inWindow(bar, offset, 1, tableBar, tableOffset, tableLength())) {
            long rel = offset - tableOffset;
            return table[(int) (rel >>> 2)] >>> (8 * (rel & 3)) & 0xFF;
        }
        if (inWindow(bar, offset, 1, pbaBar, pbaOffset, pbaLength())) {
            long rel = offset - pbaOffset;
            return (int) (pba[(int) (rel >>> 3)] >>> (8 * (rel & 7))) & 0xFF;
        }
        throw new IllegalArgumentException("BAR" + bar + " offset 0x" + Long.toHexString(offset) + " is not MSI-X table or PBA");
    }

    /**
     * Writes the table ({@link #claims} must hold). Message Address bits 1:0 and Vector Control
     * bits 31:1 are read-only zero; the PBA is read-only, so writes to it are ignored and
     * reported as {@code false}.
     *
     * @return whether the write landed in the table
     */
    public boolean mmioWrite(int bar, long offset, int size, long value) {
        if (!inWindow(bar, offset, size, tableBar, tableOffset, tableLength())) {
            if (inWindow(bar, offset, size, pbaBar, pbaOffset, pbaLength())) return false;
            throw new IllegalArgumentException("BAR" + bar + " offset 0x" + Long.toHexString(offset) + " size " + size + " is not MSI-X table or PBA");
        }
        long rel = offset - tableOffset;
        for (int i = 0; i < size; i++) {
            long at = rel + i;
            int word = (int) (at >>> 2);
            int shift = (int) (8 * (at & 3));
            int b = (int) (value >>> (8 * i)) & 0xFF;
            int before = table[word];
            int after = (before & ~(0xFF << shift)) | b << shift;
            table[word] = after & writableBits(word & 3);
            if ((word & 3) == 3 && (before & 1) != 0 && (table[word] & 1) == 0) {
                int vector = word >>> 2;
                if (pending(vector) && deliverable()) unmaskListener.accept(vector);
            }
        }
        return true;
    }

    private static int writableBits(int dwordInEntry) {
        return switch (dwordInEntry) {
            case 0 -> 0xFFFF_FFFC;
            case 3 -> 1;
            default -> -1;
        };
    }
}
