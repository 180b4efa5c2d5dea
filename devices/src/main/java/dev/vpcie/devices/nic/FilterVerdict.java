package dev.vpcie.devices.nic;

/** Why the receive filter accepted or dropped a frame. */
public enum FilterVerdict {
    /** Destination matched a valid receive address (RAL/RAH with AV). */
    EXACT_MATCH(true),
    /** Unicast with UPE, or multicast with MPE. */
    PROMISCUOUS(true),
    /** Broadcast with BAM. */
    BROADCAST(true),
    /** Multicast (or broadcast) whose hash bit is set in the MTA. */
    HASH_MATCH(true),
    /** No filter matched the destination. */
    NO_ADDRESS_MATCH(false),
    /** Tagged with a VLAN the VFTA does not hold (RCTL.VFE), or a CFI the CFIEN check refuses. */
    VLAN_FILTERED(false);

    private final boolean accepted;

    FilterVerdict(boolean accepted) { this.accepted = accepted; }

    public boolean accepted() { return accepted; }
}
