package dev.vpcie.protocol.transport;

import java.nio.ByteBuffer;

/**
 * The receive-side checks a transport applies before delivering a frame: either those of a NIC
 * without promiscuous mode behind an EtherType filter ({@link Station}), as the interconnect
 * wants, or none beyond a whole Ethernet header ({@link Promiscuous}), as an emulated NIC's wire
 * wants: the NIC's own address is not the interface's, and it filters by itself.
 */
sealed interface FrameFilter {
    int ETH_HEADER = 14, VLAN_TAG = 4;
    int TPID_8021Q = 0x8100, TPID_8021AD = 0x88A8;

    /** Whether the frame of {@code length} bytes at {@code offset} in {@code frame} (big-endian) passes. */
    boolean accepts(ByteBuffer frame, int offset, int length);

    /**
     * Frames addressed to {@code self} or to a group (multicast, broadcast); not sent by
     * {@code self}; carrying {@code etherType} either directly or behind one 802.1Q / 802.1ad tag.
     */
    record Station(int etherType, MacAddress self) implements FrameFilter {
        public Station {
            checkEtherType(etherType);
        }

        @Override public boolean accepts(ByteBuffer frame, int offset, int length) {
            if (length < ETH_HEADER) return false;
            long destination = mac(frame, offset), source = mac(frame, offset + 6);
            boolean group = (destination >>> 40 & 1) != 0;
            if (!group && destination != self.bits()) return false;
            if (source == self.bits()) return false;
            int type = frame.getShort(offset + 12) & 0xFFFF;
            if (type == TPID_8021Q || type == TPID_8021AD) {
                if (length < ETH_HEADER + VLAN_TAG) return false;
                type = frame.getShort(offset + 16) & 0xFFFF;
            }
            return type == etherType;
        }

        private static long mac(ByteBuffer b, int at) {
            return (b.getShort(at) & 0xFFFFL) << 32 | b.getInt(at + 2) & 0xFFFF_FFFFL;
        }
    }

    /** Every frame with a whole Ethernet header, whatever its destination and EtherType. */
    record Promiscuous() implements FrameFilter {
        @Override public boolean accepts(ByteBuffer frame, int offset, int length) { return length >= ETH_HEADER; }
    }

    /** Throws unless {@code etherType} is an Ethernet II type (0x0600 and above). */
    static void checkEtherType(int etherType) {
        if (etherType < 0x600 || etherType > 0xFFFF)
            throw new IllegalArgumentException("EtherType must be 0x0600..0xFFFF (an Ethernet II type): 0x" + Integer.toHexString(etherType));
    }
}
