package dev.vpcie.devices.testing;

import dev.vpcie.devices.spi.DmaException;
import dev.vpcie.devices.spi.DmaPort;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Host memory for tests: a byte array at host addresses {@code [base, base + size)}, behaving as
 * a host with DMA windows does: reads outside the memory or inside a refused range get
 * Unsupported Request; writes there are posted, so they are dropped and counted, not thrown.
 * Bus Master Enable is checked on every call; failures can be injected.
 */
public final class ByteArrayDmaPort implements DmaPort {
    public final byte[] memory;
    public final long base;
    private final BooleanSupplier busMaster;
    private final List<long[]> refused = new ArrayList<>();
    private DmaException.Reason injected;
    public long reads;
    public long writes;
    public long bytesRead;
    public long bytesWritten;
    public long droppedWrites;

    public ByteArrayDmaPort(long base, int size, BooleanSupplier busMaster) {
        this.memory = new byte[size];
        this.base = base;
        this.busMaster = busMaster;
    }

    /** Makes accesses to {@code [from, from + length)} fail as outside the DMA windows. */
    public void refuse(long from, long length) { refused.add(new long[] {from, length}); }

    /** The next call (read or write) fails with {@code reason}. */
    public void failNext(DmaException.Reason reason) { this.injected = reason; }

    private boolean allowed(long address, long len) {
        if (address < base || len > memory.length || address - base > memory.length - len) return false;
        for (long[] r : refused) if (address < r[0] + r[1] && r[0] < address + len) return false;
        return true;
    }

    private void common(long address, int len) throws DmaException {
        if (!busMaster.getAsBoolean()) throw new DmaException(DmaException.Reason.BUS_MASTER_DISABLED, address, len, "");
        if (injected != null) {
            DmaException.Reason r = injected;
            injected = null;
            throw new DmaException(r, address, len, "injected");
        }
    }

    @Override
    public void read(long address, byte[] dst, int off, int len) throws DmaException {
        common(address, len);
        if (!allowed(address, len)) throw new DmaException(DmaException.Reason.UNSUPPORTED_REQUEST, address, len, "outside host memory");
        System.arraycopy(memory, (int) (address - base), dst, off, len);
        reads++;
        bytesRead += len;
    }

    @Override
    public void write(long address, byte[] src, int off, int len) throws DmaException {
        common(address, len);
        if (!allowed(address, len)) {
            droppedWrites++;
            return;
        }
        System.arraycopy(src, off, memory, (int) (address - base), len);
        writes++;
        bytesWritten += len;
    }

    public int index(long address) { return (int) (address - base); }
}
