package dev.vpcie.devices.nic;

import dev.vpcie.devices.spi.DmaException;
import dev.vpcie.devices.spi.DmaPort;
import java.util.function.BooleanSupplier;

/**
 * Host memory for device tests: a byte array that DMA reads and writes, refusing (like a root
 * complex) addresses outside it and everything while bus mastering is off. Counts the DMA calls.
 */
public final class HostMemory implements DmaPort {
    private final byte[] memory;
    private final BooleanSupplier busMaster;
    public long reads;
    public long writes;

    public HostMemory(int size, BooleanSupplier busMaster) {
        this.memory = new byte[size];
        this.busMaster = busMaster;
    }

    private void check(long address, int len) throws DmaException {
        if (!busMaster.getAsBoolean()) throw new DmaException(DmaException.Reason.BUS_MASTER_DISABLED, address, len, "test host");
        if (address < 0 || address + len > memory.length) throw new DmaException(DmaException.Reason.UNSUPPORTED_REQUEST, address, len, "outside test memory");
    }

    @Override
    public void read(long address, byte[] dst, int off, int len) throws DmaException {
        check(address, len);
        reads++;
        System.arraycopy(memory, (int) address, dst, off, len);
    }

    @Override
    public void write(long address, byte[] src, int off, int len) throws DmaException {
        check(address, len);
        writes++;
        System.arraycopy(src, off, memory, (int) address, len);
    }

    // ---------------------------------------------------------------- CPU side (the driver)

    public void put(long address, byte[] src, int off, int len) { System.arraycopy(src, off, memory, (int) address, len); }

    public byte[] get(long address, int len) {
        byte[] b = new byte[len];
        System.arraycopy(memory, (int) address, b, 0, len);
        return b;
    }

    public int u8(long a) { return memory[(int) a] & 0xFF; }

    public int u16(long a) { return u8(a) | u8(a + 1) << 8; }

    public int u32(long a) { return u16(a) | u16(a + 2) << 16; }

    public long u64(long a) { return (u32(a) & 0xFFFF_FFFFL) | (long) u32(a + 4) << 32; }

    public void put8(long a, int v) { memory[(int) a] = (byte) v; }

    public void put16(long a, int v) { put8(a, v); put8(a + 1, v >>> 8); }

    public void put32(long a, int v) { put16(a, v); put16(a + 2, v >>> 16); }

    public void put64(long a, long v) { put32(a, (int) v); put32(a + 4, (int) (v >>> 32)); }

    public void fill(long a, int len, int value) { java.util.Arrays.fill(memory, (int) a, (int) a + len, (byte) value); }
}
