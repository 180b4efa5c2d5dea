package dev.vpcie.devices.nic;

import dev.vpcie.devices.spi.DmaException;
import dev.vpcie.devices.spi.DmaPort;
import dev.vpcie.devices.testing.ByteArrayDmaPort;
import java.util.Arrays;
import java.util.function.BooleanSupplier;

/**
 * Host memory for NIC tests: {@link ByteArrayDmaPort} at host address 0 for the device, plus the
 * CPU's view (little-endian loads and stores) for the test's driver, which builds descriptor rings
 * in it.
 */
public final class HostMemory implements DmaPort {
    public final ByteArrayDmaPort dma;
    private final byte[] memory;

    public HostMemory(int size, BooleanSupplier busMaster) {
        this.dma = new ByteArrayDmaPort(0, size, busMaster);
        this.memory = dma.memory;
    }

    @Override
    public void read(int stream, long address, byte[] dst, int off, int len, ReadHandler handler) { dma.read(stream, address, dst, off, len, handler); }

    @Override
    public void write(long address, byte[] src, int off, int len) throws DmaException { dma.write(address, src, off, len); }

    // ---------------------------------------------------------------- CPU side (the driver)

    public void put(long address, byte[] src, int off, int len) { System.arraycopy(src, off, memory, (int) address, len); }

    public byte[] get(long address, int len) { return Arrays.copyOfRange(memory, (int) address, (int) address + len); }

    public int u8(long a) { return memory[(int) a] & 0xFF; }

    public int u16(long a) { return u8(a) | u8(a + 1) << 8; }

    public int u32(long a) { return u16(a) | u16(a + 2) << 16; }

    public long u64(long a) { return (u32(a) & 0xFFFF_FFFFL) | (long) u32(a + 4) << 32; }

    public void put8(long a, int v) { memory[(int) a] = (byte) v; }

    public void put16(long a, int v) { put8(a, v); put8(a + 1, v >>> 8); }

    public void put32(long a, int v) { put16(a, v); put16(a + 2, v >>> 16); }

    public void put64(long a, long v) { put32(a, (int) v); put32(a + 4, (int) (v >>> 32)); }
}
