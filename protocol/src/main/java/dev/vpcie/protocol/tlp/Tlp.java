package dev.vpcie.protocol.tlp;

/**
 * A PCI Express Transaction Layer Packet, one record per kind. Switches over {@code Tlp} are
 * exhaustive without a {@code default}, so adding a kind breaks every router at compile time.
 *
 * <p>IDs (requester, completer, target) are 16-bit Routing IDs {@code bus<<8 | dev<<3 | fn},
 * see {@link Bdf}. Tags are up to 10 bits (PCIe 4.0 10-bit tags). Payload arrays belong to the
 * record once constructed: callers must not modify them afterwards (not copied, for speed).
 */
public sealed interface Tlp permits MemRead, MemWrite, IoRead, IoWrite, CfgRead, CfgWrite, Completion, Message {

    /** Requester ID: for a completion, the ID of the request's requester it is routed back to. */
    int requester();

    int tag();

    /** Non-posted requests expect a completion (PCIe base spec 2.1.1 / table 2-3). */
    default boolean nonPosted() {
        return switch (this) {
            case MemRead r -> true;
            case IoRead r -> true;
            case IoWrite w -> true;
            case CfgRead r -> true;
            case CfgWrite w -> true;
            case MemWrite w -> false;
            case Message m -> false;
            case Completion c -> false;
        };
    }
}
