package dev.vpcie.devices.nic;

import java.util.Arrays;

/**
 * The statistics counters, counting what the MAC actually does. Models report events
 * ({@link #received}, {@link #transmitted}, ...); the register file reads through {@link #read}.
 *
 * <p>Sizes are frame lengths including the 4-byte FCS, as the hardware counts them (a minimum
 * frame is 64 bytes). 32-bit counters stick at 0xFFFF_FFFF rather than wrap; the 64-bit octet
 * counters simply add.
 */
public final class NicStatistics {
    private static final Statistic[] BY_OFFSET = new Statistic[(Statistic.END_82576 - Statistic.FIRST) / 4];
    private static final Statistic[] PRC = {Statistic.PRC64, Statistic.PRC127, Statistic.PRC255, Statistic.PRC511, Statistic.PRC1023, Statistic.PRC1522};
    private static final Statistic[] PTC = {Statistic.PTC64, Statistic.PTC127, Statistic.PTC255, Statistic.PTC511, Statistic.PTC1023, Statistic.PTC1522};

    static {
        for (Statistic s : Statistic.values()) BY_OFFSET[(s.offset() - Statistic.FIRST) / 4] = s;
    }

    /** Indexed by ordinal; a 64-bit pair lives in its LOW entry. */
    private final long[] values = new long[Statistic.values().length];

    /** Reads the register at {@code offset} with its clear-on-read effect; reserved offsets in the block read 0. */
    public int read(int offset) {
        if (offset < Statistic.FIRST || offset >= Statistic.END_82576) return 0;
        Statistic s = BY_OFFSET[(offset - Statistic.FIRST) / 4];
        if (s == null) return 0;
        return switch (s.kind()) {
            case COUNT -> {
                long v = values[s.ordinal()];
                values[s.ordinal()] = 0;
                yield (int) v;
            }
            case LOW -> (int) values[s.ordinal()];
            case HIGH -> {
                int low = s.ordinal() - 1;
                long v = values[low];
                values[low] = 0;
                yield (int) (v >>> 32);
            }
        };
    }

    /** The current value without clearing it (64-bit pairs whole, through either half). */
    public long peek(Statistic s) {
        return switch (s.kind()) {
            case COUNT, LOW -> values[s.ordinal()];
            case HIGH -> values[s.ordinal() - 1];
        };
    }

    /** Adds one to a 32-bit counter. */
    public void increment(Statistic s) { add(s, 1); }

    /** Adds {@code n} to a counter (32-bit ones stick at their maximum). */
    public void add(Statistic s, long n) {
        int i = switch (s.kind()) {
            case COUNT, LOW -> s.ordinal();
            case HIGH -> s.ordinal() - 1;
        };
        long v = values[i] + n;
        values[i] = s.kind() == Statistic.Kind.COUNT ? Math.min(v, 0xFFFF_FFFFL) : v;
    }

    /** A frame of {@code lengthWithFcs} bytes reached the MAC (before filtering): TPR, TOR. */
    public void arrived(int lengthWithFcs) {
        increment(Statistic.TPR);
        add(Statistic.TORL, lengthWithFcs);
    }

    /** A frame passed the filters and was delivered to the host: GPRC, GORC, PRCnn, BPRC/MPRC; the 82576's RPTHC, HGORC. */
    public void received(int lengthWithFcs, DestinationKind kind) {
        increment(Statistic.GPRC);
        add(Statistic.GORCL, lengthWithFcs);
        increment(Statistic.RPTHC);
        add(Statistic.HGORCL, lengthWithFcs);
        increment(PRC[sizeBucket(lengthWithFcs)]);
        switch (kind) {
            case BROADCAST -> increment(Statistic.BPRC);
            case MULTICAST -> increment(Statistic.MPRC);
            case UNICAST -> { }
        }
    }

    /** A frame went out on the wire: GPTC, GOTC, TPT, TOT, PTCnn, BPTC/MPTC; the 82576's HGPTC, HGOTC. */
    public void transmitted(int lengthWithFcs, DestinationKind kind) {
        increment(Statistic.GPTC);
        increment(Statistic.HGPTC);
        add(Statistic.HGOTCL, lengthWithFcs);
        increment(Statistic.TPT);
        add(Statistic.GOTCL, lengthWithFcs);
        add(Statistic.TOTL, lengthWithFcs);
        increment(PTC[sizeBucket(lengthWithFcs)]);
        switch (kind) {
            case BROADCAST -> increment(Statistic.BPTC);
            case MULTICAST -> increment(Statistic.MPTC);
            case UNICAST -> { }
        }
    }

    /** Clears every counter (device reset). */
    public void clear() { Arrays.fill(values, 0); }

    /** 0 for 64 bytes (and shorter, which a MAC pads) up to 5 for 1024 bytes and more. */
    static int sizeBucket(int lengthWithFcs) {
        if (lengthWithFcs <= 64) return 0;
        if (lengthWithFcs <= 127) return 1;
        if (lengthWithFcs <= 255) return 2;
        if (lengthWithFcs <= 511) return 3;
        if (lengthWithFcs <= 1023) return 4;
        return 5;
    }
}
