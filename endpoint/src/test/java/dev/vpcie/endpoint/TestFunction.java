package dev.vpcie.endpoint;

import dev.vpcie.devices.config.Bar;
import dev.vpcie.devices.config.ConfigSpace;
import dev.vpcie.devices.config.LinkSpeed;
import dev.vpcie.devices.config.MsiCapability;
import dev.vpcie.devices.config.MsixCapability;
import dev.vpcie.devices.config.PciExpressCapability;
import dev.vpcie.devices.config.PowerManagementCapability;
import dev.vpcie.devices.spi.DeviceContext;
import dev.vpcie.devices.spi.PcieFunction;
import dev.vpcie.devices.spi.ResetKind;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A simple function for the endpoint's tests. BAR0: 4 KiB of 32-bit "registers" backed by memory
 * (every access recorded); BAR2: 64 KiB of 64-bit prefetchable memory (bulk block accesses);
 * BAR4: MSI-X table (4 vectors) at 0 and PBA at 0x800; BAR5: 32 bytes of I/O. MSI with 4 vectors,
 * 64-bit, per-vector masking; PCI Express with FLR; INTA.
 */
class TestFunction implements PcieFunction {
    static final int VENDOR = 0x1AF4, DEVICE = 0x10FE, CLASS = 0xFF0000;
    static final int REGS = 0, MEMORY = 2, MSIX = 4, IO = 5;

    /** One access as the model saw it. */
    record Access(boolean write, int bar, long offset, int size, long value) {}

    final List<Access> accesses = new CopyOnWriteArrayList<>();
    final List<ResetKind> resets = new CopyOnWriteArrayList<>();
    final byte[] regs = new byte[4096];
    final byte[] memory = new byte[64 * 1024];
    final byte[] io = new byte[32];
    final MsixCapability msix = new MsixCapability(4, MSIX, 0, MSIX, 0x800);
    private final ConfigSpace config;
    volatile DeviceContext context;

    TestFunction() {
        config = ConfigSpace.builder().vendorId(VENDOR).deviceId(DEVICE).classCode(CLASS).interruptPin(1)
                .bar(REGS, Bar.memory32(4096))
                .bar(MEMORY, Bar.memory64(64 * 1024, true))
                .bar(MSIX, Bar.memory32(4096))
                .bar(IO, Bar.io(32))
                .capability(new PowerManagementCapability())
                .capability(new MsiCapability(4, true, true))
                .capability(msix)
                .capability(new PciExpressCapability(512, LinkSpeed.GT_5, 4, true))
                .build();
    }

    @Override public String name() { return "testfn"; }

    @Override public ConfigSpace config() { return config; }

    @Override public void attach(DeviceContext context) { this.context = context; }

    @Override public long mmioRead(int bar, long offset, int size) {
        long v = switch (bar) {
            case REGS -> get(regs, offset, size);
            case MEMORY -> get(memory, offset, size);
            case MSIX -> msix.claims(bar, offset, size) ? msix.mmioRead(bar, offset, size) : 0;
            default -> throw new IllegalArgumentException("no memory BAR" + bar);
        };
        accesses.add(new Access(false, bar, offset, size, v));
        return v;
    }

    @Override public void mmioWrite(int bar, long offset, int size, long value) {
        accesses.add(new Access(true, bar, offset, size, value));
        switch (bar) {
            case REGS -> put(regs, offset, size, value);
            case MEMORY -> put(memory, offset, size, value);
            case MSIX -> {
                if (msix.claims(bar, offset, size)) msix.mmioWrite(bar, offset, size, value);
            }
            default -> throw new IllegalArgumentException("no memory BAR" + bar);
        }
    }

    @Override public void mmioReadBlock(int bar, long offset, byte[] dst, int off, int len) {
        if (bar != MEMORY) {
            PcieFunction.super.mmioReadBlock(bar, offset, dst, off, len);
            return;
        }
        accesses.add(new Access(false, bar, offset, len, 0));
        System.arraycopy(memory, (int) offset, dst, off, len);
    }

    @Override public void mmioWriteBlock(int bar, long offset, byte[] src, int off, int len) {
        if (bar != MEMORY) {
            PcieFunction.super.mmioWriteBlock(bar, offset, src, off, len);
            return;
        }
        accesses.add(new Access(true, bar, offset, len, 0));
        System.arraycopy(src, off, memory, (int) offset, len);
    }

    @Override public long ioRead(int bar, long offset, int size) {
        long v = get(io, offset, size);
        accesses.add(new Access(false, bar, offset, size, v));
        return v;
    }

    @Override public void ioWrite(int bar, long offset, int size, long value) {
        accesses.add(new Access(true, bar, offset, size, value));
        put(io, offset, size, value);
    }

    @Override public void reset(ResetKind kind) {
        resets.add(kind);
        config.reset(kind);
    }

    private static long get(byte[] a, long offset, int size) {
        long v = 0;
        for (int i = size - 1; i >= 0; i--) v = v << 8 | (a[(int) offset + i] & 0xFF);
        return v;
    }

    private static void put(byte[] a, long offset, int size, long value) {
        for (int i = 0; i < size; i++) a[(int) offset + i] = (byte) (value >>> (8 * i));
    }
}
