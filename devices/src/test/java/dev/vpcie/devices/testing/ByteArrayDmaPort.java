package dev.vpcie.devices.testing;

import dev.vpcie.devices.spi.DmaException;
import dev.vpcie.devices.spi.DmaPort;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Host memory for tests: a byte array at host addresses {@code [base, base + size)}, behaving as
 * a host with DMA windows does: reads outside the memory or inside a refused range get
 * Unsupported Request; writes there are posted, so they are dropped and counted, not thrown.
 * Bus Master Enable is checked on every call; failures can be injected.
 *
 * <p>Reads complete as the endpoint's do: never inside {@link #read}. They wait in issue order until
 * {@link #completeReads} (which the harnesses call between events, as the host's duty cycle does)
 * copies their bytes and calls their handlers; a failed read fails every later one of its stream
 * still waiting.
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
    /** The most reads that waited at once (how many a model kept in flight). */
    public int maxInFlight;

    private record Pending(int stream, long address, byte[] dst, int off, int len, ReadHandler handler, DmaException failure) {}

    private final ArrayDeque<Pending> pending = new ArrayDeque<>();

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
    public void read(int stream, long address, byte[] dst, int off, int len, ReadHandler handler) {
        java.util.Objects.checkIndex(stream, STREAMS);
        java.util.Objects.checkFromIndexSize(off, len, dst.length);
        DmaException failure = null;
        try {
            common(address, len);
        } catch (DmaException e) {
            failure = e;
        }
        pending.add(new Pending(stream, address, dst, off, len, handler, failure));
        maxInFlight = Math.max(maxInFlight, pending.size());
    }

    /** Reads issued and not yet completed. */
    public int inFlight() { return pending.size(); }

    /**
     * Completes every read issued so far, in issue order (reads their handlers issue wait for the
     * next call); returns how many handlers ran.
     */
    public int completeReads() {
        int n = pending.size();
        DmaException[] failed = new DmaException[STREAMS];
        for (int i = 0; i < n; i++) {
            Pending p = pending.poll();
            DmaException earlier = failed[p.stream()];
            DmaException f = earlier != null ? new DmaException(earlier.reason(), p.address(), p.len(), "an earlier read failed") : p.failure();
            if (f == null && !allowed(p.address(), p.len()))
                f = new DmaException(DmaException.Reason.UNSUPPORTED_REQUEST, p.address(), p.len(), "outside host memory");
            if (f == null) {
                System.arraycopy(memory, (int) (p.address() - base), p.dst(), p.off(), p.len());
                reads++;
                bytesRead += p.len();
            } else {
                failed[p.stream()] = f;
            }
            p.handler().readDone(f);
        }
        return n;
    }

    /** A reset: reads in flight are dropped without their handlers. */
    public void dropReads() { pending.clear(); }

    /** Reads {@code len} bytes now, for a test that wants the bytes without a model (the CPU's view). */
    public byte[] peek(long address, int len) {
        byte[] b = new byte[len];
        System.arraycopy(memory, (int) (address - base), b, 0, len);
        return b;
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
