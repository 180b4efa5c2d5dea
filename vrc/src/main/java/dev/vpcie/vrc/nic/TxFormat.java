package dev.vpcie.vrc.nic;

import java.lang.foreign.MemorySegment;

/**
 * How one chip family lays out transmit descriptors. A frame is an optional context descriptor
 * (offload parameters) followed by data descriptors, one per buffer, the last with EOP and RS;
 * the NIC reports completion by setting DD in the last one.
 */
public sealed interface TxFormat permits LegacyTxFormat, AdvancedTxFormat {

    /** Whether this offload needs a context descriptor in front of the data descriptors. */
    boolean needsContext(TxOffload offload);

    /** Writes the context descriptor for {@code offload} on a frame of {@code frameLength} bytes. */
    void writeContext(MemorySegment ring, long offset, TxOffload offload, int frameLength);

    /**
     * Writes one data descriptor for {@code length} bytes at {@code buffer}. {@code first} and
     * {@code last} mark the frame's first and last buffer; the last gets EOP and RS.
     */
    void writeData(MemorySegment ring, long offset, long buffer, int length, TxOffload offload, int frameLength,
                   boolean first, boolean last);

    /** Whether the NIC has written DD back into the descriptor at {@code offset}. */
    boolean done(MemorySegment ring, long offset);

}
