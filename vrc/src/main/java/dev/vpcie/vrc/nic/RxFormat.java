package dev.vpcie.vrc.nic;

import java.lang.foreign.MemorySegment;

/**
 * How one chip family lays out receive descriptors: the read format the driver writes (buffer
 * address) and the write-back format the NIC fills in, decoded from the descriptor's upper
 * quadword (bytes 8..15), which holds status, errors and length in both families.
 */
public sealed interface RxFormat permits LegacyRxFormat, AdvancedRxFormat {

    /** Gives the descriptor at {@code offset} to the NIC with {@code buffer}; clears the write-back fields. */
    default void arm(MemorySegment ring, long offset, long buffer) {
        Descriptors.put(ring, offset, buffer, 0);
    }

    /** True once the NIC has written this descriptor back. */
    boolean done(long upper);

    /** Bytes the NIC wrote into this descriptor's buffer. */
    int length(long upper);

    /** Last descriptor of a frame. */
    boolean endOfPacket(long upper);

    /** A frame error the Linux driver drops the frame for (CRC, symbol, sequence, carrier extension, RX data error). */
    boolean frameError(long upper);

    /**
     * The NIC checked the frame's TCP or UDP checksum (RXCSUM.TUOFL) and found it, and the IPv4
     * header checksum if there is one, right: what the Linux drivers mark CHECKSUM_UNNECESSARY
     * (IXSM clear, TCPCS or UDPCS set, neither TCPE nor IPE). Read from the EOP descriptor.
     */
    boolean l4ChecksumGood(long upper);
}
