package dev.vpcie.vrc.nic;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** Little-endian access to 16-byte descriptors in host memory. */
final class Descriptors {
    private Descriptors() {}

    static final int SIZE = 16;
    static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Descriptors are 16-byte aligned, so the write-back half can be read in one 8-byte load. */
    private static final VarHandle LONG_VH = LONG.varHandle();

    /** The write-back quadword (bytes 8..15) of the descriptor at {@code offset}, read with acquire semantics. */
    static long upperAcquire(MemorySegment ring, long offset) {
        return (long) LONG_VH.getAcquire(ring, offset + 8);
    }

    static void put(MemorySegment ring, long offset, long low, long high) {
        ring.set(LONG, offset, low);
        ring.set(LONG, offset + 8, high);
    }
}
