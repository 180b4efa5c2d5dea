package dev.vpcie.vrc;

/**
 * A test stand-in for one endpoint function: a 4 KiB configuration space with per-byte write
 * masks (BAR sizing falls out of the masks), and plain byte arrays behind its BARs. The default
 * build resembles an 82576-style NIC: BAR0 128 KiB memory, BAR2 32 bytes I/O, BAR3 16 KiB
 * memory holding the MSI-X table (offset 0) and PBA (0x2000), BAR4 a 64-bit prefetchable
 * 1 MiB; capabilities PM (0x40), MSI (0x50, 64-bit, 8 vectors, per-vector mask), MSI-X (0x70,
 * 10 vectors), PCI Express (0xA0), AER (0x100), DSN (0x140).
 */
final class FakeFunction {
    final byte[] config = new byte[4096];
    final byte[] mask = new byte[4096];
    /** Size per BAR index (0 = unimplemented), 64-bit BARs flagged, I/O flagged. */
    final long[] barSize = new long[6];
    final byte[][] barMemory = new byte[6][];
    final int function;

    FakeFunction(int function) { this.function = function; }

    static FakeFunction nic(int function, boolean multiFunction) {
        FakeFunction f = new FakeFunction(function);
        f.set16(0x00, 0x8086);
        f.set16(0x02, 0x10C9);
        f.set32(0x08, 0x0200_0001);            // Ethernet controller, revision 1
        f.config[0x0E] = (byte) (multiFunction ? 0x80 : 0x00);
        f.set16(0x06, 0x0010);                 // capabilities list
        f.writable(0x04, 2, 0x0407);           // I/O, Memory, Bus Master, Interrupt Disable
        f.set16(0x2C, 0x8086);
        f.set16(0x2E, 0xA03C);
        f.config[0x34] = 0x40;
        f.config[0x3D] = 1;                    // INTA
        f.writable(0x3C, 1, 0xFF);
        f.memoryBar(0, 128 << 10, false, false);
        f.ioBar(2, 32);
        f.memoryBar(3, 16 << 10, false, false);
        f.memoryBar(4, 1 << 20, true, true);
        // PM: version 3, PME from D0/D3hot/D3cold; PMCSR power state writable.
        f.set16(0x40, 0x5001);
        f.set16(0x42, 0xC823);
        f.writable(0x44, 2, 0x0103);
        // MSI: 64-bit, per-vector masking, 8 vectors capable.
        f.set16(0x50, 0x7005);
        f.set16(0x52, 0x0186);
        f.writable(0x52, 2, 0x0071);
        f.writable(0x54, 4, 0xFFFF_FFFC);
        f.writable(0x58, 4, 0xFFFF_FFFF);
        f.writable(0x5C, 2, 0xFFFF);
        f.writable(0x60, 4, 0xFF);
        // MSI-X: 10 vectors, table in BAR3 at 0, PBA in BAR3 at 0x2000.
        f.set16(0x70, 0xA011);
        f.set16(0x72, 0x0009);
        f.writable(0x72, 2, 0xC000);
        f.set32(0x74, 0x0000_0003);
        f.set32(0x78, 0x0000_2003);
        // PCI Express v2 endpoint: MPS 512 supported, link x4 at 2.5 GT/s.
        f.set16(0xA0, 0x0010);
        f.set16(0xA2, 0x0002);
        f.set32(0xA4, 0x1000_8CC2);
        f.set16(0xA8, 0x2810);
        f.writable(0xA8, 2, 0x7FFF);
        f.set32(0xAC, 0x0003_0C41);
        f.set16(0xB2, 0x1041);
        // Extended: AER v1 at 0x100 -> DSN v1 at 0x140.
        f.set32(0x100, 0x1401_0001);
        f.set32(0x140, 0x0001_0003);
        f.set32(0x144, 0xFFEE_DDCC);
        f.set32(0x148, 0x0011_2233);
        return f;
    }

    void memoryBar(int index, int size, boolean is64, boolean prefetchable) {
        barSize[index] = size;
        barMemory[index] = new byte[size];
        int low = (is64 ? 0x4 : 0) | (prefetchable ? 0x8 : 0);
        set32(0x10 + 4 * index, low);
        writable(0x10 + 4 * index, 4, ~(size - 1) & ~0xF);
        if (is64) writable(0x14 + 4 * index, 4, 0xFFFF_FFFF);
    }

    void ioBar(int index, int size) {
        barSize[index] = size;
        barMemory[index] = new byte[size];
        set32(0x10 + 4 * index, 1);
        writable(0x10 + 4 * index, 4, ~(size - 1) & ~0x3);
    }

    int get32(int off) { return get16(off) | get16(off + 2) << 16; }
    int get16(int off) { return (config[off] & 0xFF) | (config[off + 1] & 0xFF) << 8; }

    void set16(int off, int v) {
        config[off] = (byte) v;
        config[off + 1] = (byte) (v >>> 8);
    }

    void set32(int off, int v) {
        set16(off, v);
        set16(off + 2, v >>> 16);
    }

    void writable(int off, int width, long bits) {
        for (int i = 0; i < width; i++) mask[off + i] = (byte) (bits >>> (8 * i));
    }

    /** A configuration write of one DW with byte enables, through the write masks. */
    void configWrite(int register, int be, byte[] data) {
        for (int i = 0; i < 4; i++) {
            if ((be & 1 << i) == 0) continue;
            int off = register + i;
            config[off] = (byte) (config[off] & ~mask[off] | data[i] & mask[off]);
        }
    }

    boolean memoryEnabled() { return (get16(0x04) & 2) != 0; }
    boolean ioEnabled() { return (get16(0x04) & 1) != 0; }
    boolean busMaster() { return (get16(0x04) & 4) != 0; }

    /** The BAR index decoding {@code address} (memory or I/O), or -1. */
    int decode(long address, boolean io) {
        for (int i = 0; i < 6; i++) {
            if (barSize[i] == 0) continue;
            int low = get32(0x10 + 4 * i);
            boolean isIo = (low & 1) != 0;
            if (isIo != io) continue;
            long base = isIo ? low & ~3L & 0xFFFF_FFFFL : low & ~0xFL & 0xFFFF_FFFFL;
            if (!isIo && (low & 6) == 4) base |= (long) get32(0x14 + 4 * i) << 32;
            if (address >= base && address < base + barSize[i]) return i;
        }
        return -1;
    }

    long barBase(int i) {
        int low = get32(0x10 + 4 * i);
        if ((low & 1) != 0) return low & ~3L & 0xFFFF_FFFFL;
        long base = low & ~0xFL & 0xFFFF_FFFFL;
        if ((low & 6) == 4) base |= (long) get32(0x14 + 4 * i) << 32;
        return base;
    }
}
