package dev.vpcie.devices.nic;

/**
 * What the transmit walk ({@link TxRingWalker}) needs of a decoded transmit descriptor, whichever
 * chip's format: the buffer it points at, if any, and its status write-back request.
 */
public interface TxBufferDescriptor {

    /** Host address of the descriptor's buffer; asked only when {@link #bufferLength} is not 0. */
    default long bufferAddress() { return 0; }

    /** Bytes of the buffer to send; 0 for a descriptor without one (a context descriptor). */
    default int bufferLength() { return 0; }

    /** Whether software asked for the status to be written back. */
    boolean reportStatus();

    /** Dword 3 (bytes 12-15) as software wrote it; the write-back ORs DD into it. */
    int upperDword();
}
