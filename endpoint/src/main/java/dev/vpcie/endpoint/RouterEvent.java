package dev.vpcie.endpoint;

/**
 * What the endpoint counts about TLPs that do not reach a function normally. Each is something
 * the PCIe spec tells a completer or requester to reject, drop or ignore; the comment says which
 * answer (if any) the sender got.
 */
public enum RouterEvent {
    /** Type 1 configuration request: an endpoint is no bridge. Answered UR. */
    CONFIG_TYPE1,
    /** Type 0 configuration request for a device number other than 0 (an empty slot). Answered UR. */
    CONFIG_NO_DEVICE,
    /** Type 0 configuration request for a function number this endpoint does not host. Answered UR. */
    CONFIG_NO_FUNCTION,
    /** Memory read no BAR of any function claims (or Memory Space Enable clear). Answered UR. */
    MEMORY_READ_UNCLAIMED,
    /** Memory write no BAR claims. Dropped (posted). */
    MEMORY_WRITE_UNCLAIMED,
    /** I/O read or write no I/O BAR claims (or I/O Space Enable clear). Answered UR. */
    IO_UNCLAIMED,
    /** A request that starts inside a BAR but runs past its end. Answered UR, or dropped if posted. */
    CROSSES_BAR_END,
    /** A memory write with the poisoned (EP) bit: its data must not be used. Dropped. */
    POISONED_WRITE,
    /** A completion that matches no outstanding DMA read (late, duplicate, or not ours). Dropped. */
    UNEXPECTED_COMPLETION,
    /** A message an endpoint receives and ignores (Unlock, PME_Turn_Off, Set_Slot_Power_Limit, vendor type 1...). */
    MESSAGE_IGNORED,
    /** A message an endpoint does not support (vendor-defined type 0, upstream-only codes, unknown codes). Dropped. */
    MESSAGE_UNSUPPORTED,
    /** A TLP from a VRC that does not own the endpoint. Answered UR, or dropped if posted. */
    NOT_OWNER,
    /** A request that arrived in a session which has ended by the time its function got to it. Dropped. */
    STALE_REQUEST,
    /**
     * A non-posted request dropped unanswered because the completions waiting for the link's window
     * reached their limit (a requester flooding reads without acknowledging the answers).
     */
    BACKLOG_FULL,
    /** A completion or message the endpoint could not send because the link was down. */
    SEND_FAILED_LINK_DOWN,
    /** A device model threw while handling an access (a model bug): reads answered CA, writes dropped. */
    MODEL_ERROR
}
