package dev.vpcie.protocol.tlp;

/**
 * A TLP that the spec forbids or that vpcie cannot represent, rejected by {@link TlpCodec#decode}
 * before anything acts on it. The receiver counts it by {@link #reason()} and drops it: a
 * malformed TLP never takes the link down by itself.
 */
public final class MalformedTlpException extends Exception {

    /** One reason per verify rule, so a counter per reason tells what a peer is doing wrong. */
    public enum Reason {
        /** Fewer bytes than the first DW, or than the 3DW/4DW header that Fmt announces. */
        TRUNCATED_HEADER,
        /** The bytes after the header are not what Length (and TD's digest) say: Length and payload disagree. */
        LENGTH_MISMATCH,
        /** Fmt 0b101..0b111. */
        RESERVED_FMT,
        /** A Fmt/Type combination the spec leaves reserved. */
        RESERVED_TYPE,
        /** A kind the spec defines but vpcie does not model (locked, AtomicOps, prefixes, TCfg, DMWr). */
        UNSUPPORTED_TYPE,
        /** A feature bit vpcie does not model is set on a memory request: TH (hints), LN, or AT != 0. */
        UNSUPPORTED_FIELD,
        /** Message routing r[2:0] = 0b110 or 0b111. */
        RESERVED_ROUTING,
        /** Completion Status is a reserved code. */
        BAD_COMPLETION_STATUS,
        /** A 1-DW request whose Last DW BE is not 0000b. */
        LAST_BE_ON_1DW,
        /** A multi-DW request whose First or Last DW BE is 0000b. */
        ZERO_BE_MULTI_DW,
        /** Non-contiguous byte enables where only contiguous ones are allowed (not a 1-DW or QW-aligned 2-DW request). */
        NON_CONTIGUOUS_BE,
        /** A memory request whose address range crosses a 4 KiB boundary. */
        CROSSES_4K,
        /** An I/O or configuration request with TC or Attr[1:0] not zero. */
        IO_CONFIG_TC_ATTR,
        /** An I/O or configuration request whose Length is not 1 DW. */
        IO_CONFIG_LENGTH,
        /** A poisoned (EP) I/O or configuration request, which the records cannot carry. */
        POISONED_IO_CONFIG,
        /** A completion with data carrying more bytes than its Byte Count and Lower Address leave. */
        BYTE_COUNT_MISMATCH,
        /** A message whose code requires other routing or no data (Assert/Deassert_INTx: Local, no data). */
        BAD_MESSAGE
    }

    private final Reason reason;

    public MalformedTlpException(Reason reason, String message) {
        // No stack trace: a malformed TLP is peer input that is counted and dropped, not a bug here.
        super(reason + ": " + message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() { return reason; }
}
