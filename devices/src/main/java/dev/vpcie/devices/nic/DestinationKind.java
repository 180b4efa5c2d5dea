package dev.vpcie.devices.nic;

/** What a frame's destination address names; statistics and filters treat each differently. */
public enum DestinationKind {
    /** One station (the I/G bit clear). */
    UNICAST,
    /** A group (I/G set), but not everyone. */
    MULTICAST,
    /** ff:ff:ff:ff:ff:ff. */
    BROADCAST;

    /** The kind of the destination address at {@code frame[off..off+6)}. */
    public static DestinationKind of(byte[] frame, int off) {
        if ((frame[off] & 1) == 0) return UNICAST;
        for (int i = 0; i < 6; i++) if (frame[off + i] != (byte) 0xFF) return MULTICAST;
        return BROADCAST;
    }
}
