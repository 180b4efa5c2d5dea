package dev.vpcie.devices.nic;

import java.util.zip.CRC32;

/**
 * Ethernet II frame layout and the edits a MAC makes to frames: 802.1Q tag insertion and removal,
 * padding, the frame check sequence. Frames are byte arrays from the destination address on, as
 * {@link dev.vpcie.devices.spi.EthernetPort} carries them (no preamble, no FCS unless said).
 */
public final class EthernetFrames {
    private EthernetFrames() {}

    /** Offset of the destination address. */
    public static final int DESTINATION = 0;
    /** Offset of the source address. */
    public static final int SOURCE = 6;
    /** Offset of the EtherType (or the TPID of an 802.1Q tag). */
    public static final int ETHER_TYPE = 12;
    /** Bytes before the payload of an untagged frame. */
    public static final int HEADER_LENGTH = 14;
    /** Bytes an 802.1Q tag adds (TPID and TCI). */
    public static final int VLAN_TAG_LENGTH = 4;
    /** Bytes of the frame check sequence. */
    public static final int FCS_LENGTH = 4;
    /** Shortest frame without FCS (64 bytes on the wire with it). */
    public static final int MIN_FRAME = 60;
    /** Longest untagged frame without FCS at the standard 1500-byte MTU. */
    public static final int MAX_FRAME = 1514;
    /** 802.1Q's TPID, the usual VLAN Ether Type (VET) value. */
    public static final int TPID_8021Q = 0x8100;
    public static final int ETHERTYPE_IPV4 = 0x0800;
    public static final int ETHERTYPE_IPV6 = 0x86DD;
    public static final int ETHERTYPE_ARP = 0x0806;

    /** The big-endian 16-bit field at {@code frame[at]}. */
    public static int u16(byte[] frame, int at) {
        return (frame[at] & 0xFF) << 8 | (frame[at + 1] & 0xFF);
    }

    /** Stores {@code value} big-endian at {@code frame[at]}. */
    public static void putU16(byte[] frame, int at, int value) {
        frame[at] = (byte) (value >>> 8);
        frame[at + 1] = (byte) value;
    }

    /** The big-endian 32-bit field at {@code frame[at]}. */
    public static int u32(byte[] frame, int at) {
        return u16(frame, at) << 16 | u16(frame, at + 2);
    }

    /** Stores {@code value} big-endian at {@code frame[at]}. */
    public static void putU32(byte[] frame, int at, int value) {
        putU16(frame, at, value >>> 16);
        putU16(frame, at + 2, value);
    }

    /** The EtherType (or TPID) field of a frame of at least 14 bytes. */
    public static int etherType(byte[] frame) { return u16(frame, ETHER_TYPE); }

    /** Whether the frame carries an 802.1Q-style tag whose TPID is {@code vet}. */
    public static boolean isVlanTagged(byte[] frame, int length, int vet) {
        return length >= HEADER_LENGTH + VLAN_TAG_LENGTH && etherType(frame) == (vet & 0xFFFF);
    }

    /** The Tag Control Information (priority, CFI, VLAN ID) of a tagged frame. */
    public static int vlanTci(byte[] frame) { return u16(frame, ETHER_TYPE + 2); }

    /**
     * A copy of {@code frame[0..length)} with a tag ({@code tpid}, {@code tci}) inserted after the
     * source address, as a MAC does for VLAN insertion.
     */
    public static byte[] insertVlanTag(byte[] frame, int length, int tpid, int tci) {
        if (length < HEADER_LENGTH) throw new IllegalArgumentException("frame of " + length + " bytes has no Ethernet header");
        byte[] out = new byte[length + VLAN_TAG_LENGTH];
        System.arraycopy(frame, 0, out, 0, ETHER_TYPE);
        putU16(out, ETHER_TYPE, tpid);
        putU16(out, ETHER_TYPE + 2, tci);
        System.arraycopy(frame, ETHER_TYPE, out, ETHER_TYPE + VLAN_TAG_LENGTH, length - ETHER_TYPE);
        return out;
    }

    /** A copy of a tagged {@code frame[0..length)} without its tag (the caller has read the TCI). */
    public static byte[] removeVlanTag(byte[] frame, int length) {
        if (length < HEADER_LENGTH + VLAN_TAG_LENGTH) throw new IllegalArgumentException("frame of " + length + " bytes has no VLAN tag");
        byte[] out = new byte[length - VLAN_TAG_LENGTH];
        System.arraycopy(frame, 0, out, 0, ETHER_TYPE);
        System.arraycopy(frame, ETHER_TYPE + VLAN_TAG_LENGTH, out, ETHER_TYPE, length - ETHER_TYPE - VLAN_TAG_LENGTH);
        return out;
    }

    /**
     * The IEEE 802.3 frame check sequence of {@code frame[off..off+length)}: the CRC-32 that
     * {@link CRC32} computes, sent least significant byte first.
     */
    public static int fcs(byte[] frame, int off, int length) {
        CRC32 crc = new CRC32();
        crc.update(frame, off, length);
        return (int) crc.getValue();
    }

    /** Appends the FCS of {@code frame[0..length)} at {@code frame[length..length+4)}, least significant byte first. */
    public static void appendFcs(byte[] frame, int length) {
        int fcs = fcs(frame, 0, length);
        for (int i = 0; i < FCS_LENGTH; i++) frame[length + i] = (byte) (fcs >>> (8 * i));
    }
}
