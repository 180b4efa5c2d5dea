package dev.vpcie.endpoint;

import dev.vpcie.devices.config.Bar;
import dev.vpcie.devices.config.ConfigSpace;

/**
 * An immutable copy of one function's address decoding (BAR bases and sizes, Memory and I/O
 * Space Enable, D0), taken on the function's thread after every configuration write and reset,
 * so the router on the link thread can find the function a memory or I/O request is for without
 * touching the configuration space, which belongs to the function's thread. It also carries the
 * captured Routing ID ({@link ConfigSpace#NOT_CAPTURED} before the first type 0 write), which the
 * router needs as completer ID when it refuses a request itself.
 *
 * <p>The function's thread decodes again with the live configuration space before it runs the
 * access: a request may race a configuration write that moves a BAR (PCIe lets non-posted
 * requests pass each other), and the function's own order is the one that counts.
 */
record BarDecoder(boolean memoryEnabled, boolean ioEnabled, long[] bases, long[] sizes, boolean[] io, int routingId) {

    /** The decoding of {@code config} as it is now. Function thread only. */
    static BarDecoder of(ConfigSpace config) {
        long[] bases = new long[6], sizes = new long[6];
        boolean[] io = new boolean[6];
        for (int i = 0; i < 6; i++) {
            Bar bar = config.bar(i);
            if (bar == null) continue;
            bases[i] = config.barAddress(i);
            sizes[i] = bar.size();
            io[i] = bar.isIo();
        }
        boolean d0 = config.inD0();
        return new BarDecoder(config.memorySpaceEnabled() && d0, config.ioSpaceEnabled() && d0, bases, sizes, io, config.routingId());
    }

    /** The memory BAR holding {@code address}, or -1. */
    int memoryBar(long address) { return memoryEnabled ? find(address, false) : -1; }

    /** The I/O BAR holding {@code address}, or -1. */
    int ioBar(long address) { return ioEnabled ? find(address, true) : -1; }

    private int find(long address, boolean wantIo) {
        for (int i = 0; i < sizes.length; i++) {
            if (sizes[i] == 0 || io[i] != wantIo) continue;
            if (Long.compareUnsigned(address, bases[i]) >= 0 && Long.compareUnsigned(address - bases[i], sizes[i]) < 0) return i;
        }
        return -1;
    }
}
