package dev.vpcie.devices.nic.offload;

/**
 * Where a transmit checksum goes, in the terms of the 8254x context descriptor (IPCSS/IPCSO/IPCSE,
 * TUCSS/TUCSO/TUCSE); the 82576's MACLEN/IPLEN map onto it. Offsets count from the first byte of
 * the frame as the driver built it (before any VLAN tag the MAC inserts).
 *
 * @param start   first byte summed (CSS)
 * @param offset  where the 16-bit result is stored, big-endian (CSO)
 * @param end     last byte summed, inclusive; 0 means the end of the frame (CSE)
 */
public record ChecksumField(int start, int offset, int end) {
    /** No checksum described (all fields zero), as a context that requests none holds. */
    public static final ChecksumField NONE = new ChecksumField(0, 0, 0);

    public ChecksumField {
        if (start < 0 || offset < 0 || end < 0) throw new IllegalArgumentException("negative checksum offsets " + start + "/" + offset + "/" + end);
    }

    /** The byte after the last one summed in a frame of {@code length} bytes. */
    int endExclusive(int length) {
        return end == 0 || end >= length ? length : end + 1;
    }
}
