package dev.vpcie.devices.regs;

/** What writing a 32-bit register does. Sub-dword writes reach only the written byte lanes. */
public sealed interface WriteOp {

    /**
     * Stores the written bits selected by {@code mask} (others keep their value), then calls
     * {@code then} with the new stored value ({@link WriteHandler#NONE} for a plain register).
     */
    record Store(int mask, WriteHandler then) implements WriteOp {}

    /** Write-1-to-clear on the bits of {@code mask}, then calls {@code then} with the new stored value. */
    record ClearOnes(int mask, WriteHandler then) implements WriteOp {}

    /** Read-only register: the write is dropped, counted and logged once. */
    record Ignore() implements WriteOp {}

    /**
     * The handler alone decides (a doorbell, a command); it gets the written value merged into the
     * stored value for sub-dword writes.
     */
    record Custom(WriteHandler handler) implements WriteOp {}

    /** Reacts to a register write; {@code index} is the element of a {@code range}, 0 for a single register. */
    @FunctionalInterface
    interface WriteHandler {
        void write(int index, int value);

        /** Does nothing. */
        WriteHandler NONE = (index, value) -> { };
    }
}
