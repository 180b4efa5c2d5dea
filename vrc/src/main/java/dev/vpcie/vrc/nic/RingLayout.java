package dev.vpcie.vrc.nic;

/**
 * What a chip's rings look like to its driver: the descriptor formats and the buffer sizes. A
 * value in a chip's {@link ChipSpec}, instead of five hooks each chip overrides with a constant.
 *
 * @param tx            the transmit descriptors' format
 * @param rx            the receive descriptors' format
 * @param rxCrcBytes    bytes the NIC counts in an RX length beyond the frame (4 while it does not strip the CRC)
 * @param rxBufferSize  receive buffer per descriptor
 * @param txBufferSize  transmit buffer per descriptor: the most data one TX descriptor carries
 */
public record RingLayout(TxFormat tx, RxFormat rx, int rxCrcBytes, int rxBufferSize, int txBufferSize) {
    public RingLayout {
        if (rxCrcBytes != 0 && rxCrcBytes != 4) throw new IllegalArgumentException("the CRC is 0 or 4 bytes: " + rxCrcBytes);
        if (rxBufferSize < 1024 || txBufferSize < 1024) throw new IllegalArgumentException("buffers of 1 KiB or more");
    }
}
