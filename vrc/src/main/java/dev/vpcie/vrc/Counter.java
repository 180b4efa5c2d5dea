package dev.vpcie.vrc;

/** What the root complex counts. Every refused, failed or unexpected event has one. */
public enum Counter {
    /** A non-posted request got no completion within the completion timeout (read returned all-ones). */
    COMPLETION_TIMEOUT("completion timeouts"),
    /** A request was completed with Unsupported Request. */
    UNSUPPORTED_REQUEST("unsupported-request completions"),
    /** A request was completed with Completer Abort. */
    COMPLETER_ABORT("completer-abort completions"),
    /** A configuration request was answered with Configuration Request Retry Status and re-issued. */
    CONFIG_RETRY("config retries (CRS)"),
    /** A request could not be sent because the link was down (read returned all-ones). */
    LINK_DOWN_FAILURE("requests failed, link down"),
    /** A completion matched no outstanding request, or not the one its tag names. */
    UNEXPECTED_COMPLETION("unexpected completions"),
    /** A memory access matched no BAR (read returned all-ones, write dropped). */
    MASTER_ABORT("accesses to unassigned addresses"),
    /** A device read host memory outside its DMA windows: answered UR. */
    DMA_READ_REFUSED("DMA reads refused"),
    /** A device wrote host memory outside its DMA windows: dropped. */
    DMA_WRITE_REFUSED("DMA writes refused"),
    DMA_READ("DMA read requests served"),
    DMA_WRITE("DMA write requests accepted"),
    /** Completions with data sent for DMA reads (a read of more than MPS bytes takes several). */
    DMA_READ_COMPLETION("DMA read completions sent"),
    MSI_DELIVERED("MSI/MSI-X messages delivered"),
    /** A write into the MSI window with an address/data no vector was given, or from the wrong requester. */
    MSI_REFUSED("MSI/MSI-X messages refused"),
    INTX_ASSERT("Assert_INTx messages"),
    INTX_DEASSERT("Deassert_INTx messages"),
    /** An interrupt arrived for a vector with no handler registered. */
    INTERRUPT_UNHANDLED("interrupts without a handler"),
    /** A link carrying functions ended its session: they were removed by surprise. */
    SURPRISE_REMOVAL("surprise removals"),
    /** The endpoint came back and its functions were restored at the same BDFs and BARs. */
    HOT_INSERTION("hot insertions"),
    /** The endpoint came back with other devices than the ones enumerated: left removed. */
    HOT_INSERTION_REFUSED("hot insertions refused (another device)"),
    /** A request or message from a device the root complex does not serve (I/O, config, peer-to-peer, other messages). */
    REQUEST_UNSUPPORTED("device requests refused or dropped");

    public final String description;

    Counter(String description) { this.description = description; }
}
