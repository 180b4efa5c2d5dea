package dev.vpcie.devices.nic.offload;

import java.util.Objects;

/**
 * What the device does to one transmit packet: which checksums it inserts and whether it segments.
 *
 * @param insertIpChecksum  IXSM: store the IPv4 header checksum described by {@code ip}
 * @param ip                the IP checksum field; for TSO also where the IP header starts
 * @param insertL4Checksum  TXSM: store the TCP/UDP checksum described by {@code l4}
 * @param l4                the transport checksum field; for TSO also where the transport header starts
 * @param segmentation      TSO parameters, or {@link Segmentation#NONE}
 */
public record TxOffload(boolean insertIpChecksum, ChecksumField ip, boolean insertL4Checksum, ChecksumField l4,
                        Segmentation segmentation) {
    /** Send as is. */
    public static final TxOffload NONE = new TxOffload(false, ChecksumField.NONE, false, ChecksumField.NONE, Segmentation.NONE);

    public TxOffload {
        Objects.requireNonNull(ip, "ip");
        Objects.requireNonNull(l4, "l4");
        Objects.requireNonNull(segmentation, "segmentation");
    }

    /** Whether the packet goes out unchanged. */
    public boolean passThrough() {
        return !insertIpChecksum && !insertL4Checksum && segmentation instanceof Segmentation.None;
    }
}
