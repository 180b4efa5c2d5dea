package dev.vpcie.devices.config;

import dev.vpcie.protocol.pci.PciConfig;
import dev.vpcie.protocol.pci.PciConfig.Msi;
import java.util.function.IntConsumer;

/**
 * MSI capability (ID 05h, PCI Local Bus 3.0 section 6.8.1), in its 64-bit form with per-vector
 * masking when so built (24 bytes; 32-bit and unmasked forms are shorter).
 *
 * <pre>
 *  31                            16 15            8 7             0
 * +--------------------------------+---------------+---------------+
 * |  Message Control               | Next Ptr      | Cap ID = 05h  |  +0x00
 * +--------------------------------+---------------+-----------+---+
 * |  Message Address [31:2]                                    | 00|  +0x04
 * +------------------------------------------------------------+---+
 * |  Message Upper Address [63:32]               (64-bit only)     |  +0x08
 * +--------------------------------+-------------------------------+
 * |  reserved                      |  Message Data                 |  +0x0C (+0x08 in 32-bit form)
 * +--------------------------------+-------------------------------+
 * |  Mask Bits                                   (masking only)    |  +0x10
 * +----------------------------------------------------------------+
 * |  Pending Bits                                (masking only)    |  +0x14
 * +----------------------------------------------------------------+
 *
 * Message Control: [0] MSI Enable RW   [3:1] Multiple Message Capable RO (log2 vectors)
 *                  [6:4] Multiple Message Enable RW   [7] 64-bit Address Capable RO
 *                  [8] Per-Vector Masking Capable RO  [15:9] reserved
 * Mask Bits: RW for implemented vectors. Pending Bits: RO, set by the function (the interrupt
 * router) when a masked vector fires.
 * </pre>
 * With {@code n} vectors enabled the function sends vector {@code v} by replacing the low
 * {@code log2(n)} bits of Message Data with {@code v} ({@link #messageData}).
 */
public final class MsiCapability extends Capability {
    public static final int ID = PciConfig.CapId.MSI;
    private static final int CONTROL = Msi.MESSAGE_CONTROL;
    private static final int ADDRESS = Msi.MESSAGE_ADDRESS;
    private static final int ENABLE = Msi.CONTROL_ENABLE;
    private static final int MASKING_CAPABLE = Msi.CONTROL_PER_VECTOR_MASKING;
    private static final int ADDRESS_64 = Msi.CONTROL_64BIT;

    private final int vectors;
    private final boolean address64;
    private final boolean perVectorMasking;
    private IntConsumer unmaskListener = v -> { };

    /**
     * @param vectors           vectors the function can use: 1, 2, 4, 8, 16 or 32
     * @param address64         64-bit Message Address capable
     * @param perVectorMasking  Mask Bits and Pending Bits present
     */
    public MsiCapability(int vectors, boolean address64, boolean perVectorMasking) {
        if (vectors < 1 || vectors > 32 || Integer.bitCount(vectors) != 1)
            throw new IllegalArgumentException("MSI vectors " + vectors + " not a power of two in 1..32");
        this.vectors = vectors;
        this.address64 = address64;
        this.perVectorMasking = perVectorMasking;
    }

    @Override public int id() { return ID; }

    @Override
    public int length() { return (address64 ? 14 : 10) + (perVectorMasking ? 10 : 0); }

    private int dataOffset() { return address64 ? Msi.MESSAGE_DATA_64 : Msi.MESSAGE_DATA_32; }

    private int maskOffset() { return dataOffset() + 4; }

    private int pendingOffset() { return dataOffset() + 8; }

    @Override
    protected void initialize(RegisterInit init) {
        int mmc = Integer.numberOfTrailingZeros(vectors);
        init.readWrite(CONTROL, 2, mmc << 1 | (address64 ? ADDRESS_64 : 0) | (perVectorMasking ? MASKING_CAPABLE : 0), ENABLE | Msi.CONTROL_MULTIPLE_MESSAGE_ENABLE_MASK);
        init.readWrite(ADDRESS, 4, 0, 0xFFFF_FFFC);
        if (address64) init.readWrite(ADDRESS + 4, 4, 0, 0xFFFF_FFFF);
        init.readWrite(dataOffset(), 2, 0, 0xFFFF);
        if (perVectorMasking) {
            init.readOnly(dataOffset() + 2, 2, 0);
            init.readWrite(maskOffset(), 4, 0, implementedMask());
            init.readOnly(pendingOffset(), 4, 0);
        }
    }

    private int implementedMask() { return vectors == 32 ? -1 : (1 << vectors) - 1; }

    @Override
    protected void written(ConfigWrite w) {
        if (!perVectorMasking || !enabled()) return;
        int maskAt = offset() + maskOffset();
        int controlAt = offset();
        int nowDeliverable = 0;
        if (w.offset() == maskAt) nowDeliverable = w.cleared();
        else if (w.offset() == controlAt && (w.set() & ENABLE << 16) != 0) nowDeliverable = ~maskBits();
        int fire = nowDeliverable & pendingBits();
        for (int v = 0; v < vectors; v++) if ((fire >>> v & 1) != 0) unmaskListener.accept(v);
    }

    /** Number of vectors the function supports (Multiple Message Capable). */
    public int vectorsCapable() { return vectors; }

    public boolean address64() { return address64; }

    public boolean perVectorMasking() { return perVectorMasking; }

    /** MSI Enable. */
    public boolean enabled() { return (reg(CONTROL, 2) & ENABLE) != 0; }

    /** Vectors granted by software (Multiple Message Enable), never more than capable. */
    public int vectorsEnabled() { return Math.min(1 << ((reg(CONTROL, 2) & Msi.CONTROL_MULTIPLE_MESSAGE_ENABLE_MASK) >>> Msi.CONTROL_MULTIPLE_MESSAGE_ENABLE_SHIFT), vectors); }

    /** Message Address programmed by software. */
    public long address() {
        long low = reg(ADDRESS, 4) & 0xFFFF_FFFFL;
        return address64 ? low | (reg(ADDRESS + 4, 4) & 0xFFFF_FFFFL) << 32 : low;
    }

    /** Message Data as programmed. */
    public int data() { return reg(dataOffset(), 2); }

    /** The Message Data for {@code vector} (which must be below {@link #vectorsEnabled}). */
    public int messageData(int vector) {
        int n = vectorsEnabled();
        if (vector < 0 || vector >= n) throw new IllegalArgumentException("MSI vector " + vector + " not enabled (" + n + " granted)");
        return (data() & ~(n - 1)) | vector;
    }

    public int maskBits() { return perVectorMasking ? reg(maskOffset(), 4) : 0; }

    public int pendingBits() { return perVectorMasking ? reg(pendingOffset(), 4) : 0; }

    /** Whether {@code vector} is masked (always false without per-vector masking). */
    public boolean masked(int vector) { return (maskBits() >>> vector & 1) != 0; }

    public boolean pending(int vector) { return (pendingBits() >>> vector & 1) != 0; }

    /** Sets or clears the Pending bit of {@code vector} (the router does, when a masked vector fires). */
    public void setPending(int vector, boolean pending) {
        if (!perVectorMasking) throw new IllegalStateException("MSI without per-vector masking has no Pending Bits");
        if (vector < 0 || vector >= vectors) throw new IllegalArgumentException("MSI vector " + vector + " not implemented");
        int p = pendingBits();
        setReg(pendingOffset(), 4, pending ? p | 1 << vector : p & ~(1 << vector));
    }

    /**
     * Called with each vector whose Pending bit is set when software unmasks it (or enables MSI
     * while it is unmasked): the router then clears the bit and sends the message.
     */
    public void setUnmaskListener(IntConsumer listener) { this.unmaskListener = listener == null ? v -> { } : listener; }
}
