package dev.vpcie.devices.regs;

/** What reading a 32-bit register does. */
public sealed interface ReadOp {

    /** Returns the stored value. */
    record Stored() implements ReadOp {}

    /** Returns a constant (an ID, a capability word). */
    record Constant(int value) implements ReadOp {}

    /** Returns the stored value and clears it (interrupt causes, statistics counters). */
    record ClearOnRead() implements ReadOp {}

    /** Computes the value (live status, a FIFO head). */
    record Custom(ReadHandler handler) implements ReadOp {}

    /** Computes a register's value; {@code index} is the element of a {@code range}, 0 for a single register. */
    @FunctionalInterface
    interface ReadHandler {
        int read(int index);
    }
}
