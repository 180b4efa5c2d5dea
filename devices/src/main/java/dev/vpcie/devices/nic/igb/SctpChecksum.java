package dev.vpcie.devices.nic.igb;

import java.util.zip.CRC32C;

/**
 * The SCTP checksum (RFC 4960 appendix B): CRC-32C over the SCTP packet with its checksum field
 * (bytes 8-11 of the common header) taken as zero, stored least significant byte first. The
 * 82576 inserts it on transmit (TXSM with L4T = SCTP) and checks it on receive (RXCSUM.CRCOFL).
 */
final class SctpChecksum {
    private SctpChecksum() {}

    static final int PROTO_SCTP = 132;
    /** Offset of the checksum field in the SCTP common header. */
    static final int FIELD = 8;
    /** The common header's size: ports, verification tag, checksum. */
    static final int HEADER = 12;

    /** The checksum of the SCTP packet at {@code b[start..end)}, computed with the field as zero. */
    static int compute(byte[] b, int start, int end) {
        CRC32C crc = new CRC32C();
        crc.update(b, start, FIELD);
        crc.update(new byte[4], 0, 4);
        crc.update(b, start + FIELD + 4, end - start - FIELD - 4);
        return (int) crc.getValue();
    }

    /** Stores the checksum of {@code b[start..end)} in its field. */
    static void insert(byte[] b, int start, int end) {
        int c = compute(b, start, end);
        for (int i = 0; i < 4; i++) b[start + FIELD + i] = (byte) (c >>> (8 * i));
    }

    /** Whether the stored checksum of {@code b[start..end)} is right. */
    static boolean verifies(byte[] b, int start, int end) {
        int stored = (b[start + FIELD] & 0xFF) | (b[start + FIELD + 1] & 0xFF) << 8 | (b[start + FIELD + 2] & 0xFF) << 16
                | (b[start + FIELD + 3] & 0xFF) << 24;
        return stored == compute(b, start, end);
    }
}
