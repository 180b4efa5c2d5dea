package dev.vpcie.devices.nic;

import dev.vpcie.devices.trace.Hop;
import dev.vpcie.devices.trace.HopEvent;

/**
 * The last step of transmit, the same on the 82540EM and the 82576: the 802.1Q tag inserted when
 * the packet asked for it (VLE, with the ethertype from VET), the good-packets-transmitted
 * statistics, and the frame handed to the MAC.
 */
public final class TransmitFrame {
    /** Where frames go: the wire, or the receiver in loopback. */
    @FunctionalInterface
    public interface Out {
        void send(byte[] frame, int length);
    }

    private TransmitFrame() {}

    /** Sends {@code frame[0..length)}, with the tag {@code vlanTci} inserted when {@code vlan}. */
    public static void send(byte[] frame, int length, boolean vlan, int vet, int vlanTci, TxCounters counted, NicStatistics stats, Out out) {
        byte[] f = frame;
        int len = length;
        if (vlan) {
            f = EthernetFrames.insertVlanTag(frame, length, vet, vlanTci);
            len = f.length;
        }
        counted.framesSent().increment();
        stats.transmitted(Math.max(len, EthernetFrames.MIN_FRAME) + EthernetFrames.FCS_LENGTH, DestinationKind.of(f, EthernetFrames.DESTINATION));
        out.send(f, len);
        HopEvent.mark(Hop.TX_WIRE);
    }
}
