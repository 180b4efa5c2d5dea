package dev.vpcie.devices.nic;

import java.util.Arrays;

/**
 * The receive address filters of the 8254x and 82576: exact receive addresses (RAL/RAH pairs with
 * the Address Valid bit), the 4096-bit multicast table array (MTA), unicast and multicast
 * promiscuous modes, broadcast accept, and the VLAN filter table array (VFTA). The register file
 * forwards RAL/RAH/MTA/VFTA accesses here; RCTL and VET are passed in per frame.
 *
 * <h2>Decision, in order</h2>
 * <ol>
 *   <li>A frame tagged with TPID = VET, when RCTL.VFE is set, passes only if VFTA bit
 *       {@code vid & 31} of word {@code vid >> 5} is set and, with RCTL.CFIEN, its CFI bit equals
 *       RCTL.CFI.</li>
 *   <li>Broadcast with BAM, multicast with MPE, unicast with UPE: accepted.</li>
 *   <li>A destination equal to a receive address with AV: accepted.</li>
 *   <li>A group destination (multicast or broadcast) whose hash
 *       {@code ((dst[5] << 8 | dst[4]) >> {4,3,2,0}[MO]) & 0xFFF} selects a set MTA bit: accepted.</li>
 * </ol>
 */
public final class ReceiveFilter {
    /** RAH: Address Valid. */
    public static final int RAH_AV = 0x8000_0000;
    public static final int MTA_WORDS = 128;
    public static final int VFTA_WORDS = 128;

    private final int[] ral;
    private final int[] rah;
    private final int[] mta = new int[MTA_WORDS];
    private final int[] vfta = new int[VFTA_WORDS];

    /** @param receiveAddresses how many RAL/RAH pairs the chip has (16 on the 82540EM, 24 on the 82576) */
    public ReceiveFilter(int receiveAddresses) {
        if (receiveAddresses < 1) throw new IllegalArgumentException("receive addresses " + receiveAddresses);
        ral = new int[receiveAddresses];
        rah = new int[receiveAddresses];
    }

    public int receiveAddresses() { return ral.length; }

    public int ral(int i) { return ral[i]; }

    public void setRal(int i, int v) { ral[i] = v; }

    public int rah(int i) { return rah[i]; }

    public void setRah(int i, int v) { rah[i] = v; }

    public int mta(int i) { return mta[i]; }

    public void setMta(int i, int v) { mta[i] = v; }

    public int vfta(int i) { return vfta[i]; }

    public void setVfta(int i, int v) { vfta[i] = v; }

    /** Receive address {@code i} = {@code mac}, valid (what a reset does to entry 0). */
    public void setAddress(int i, MacAddress mac) {
        ral[i] = mac.ral();
        rah[i] = mac.rahAddressBits() | RAH_AV;
    }

    /** Clears every table (reset). */
    public void clear() {
        Arrays.fill(ral, 0);
        Arrays.fill(rah, 0);
        Arrays.fill(mta, 0);
        Arrays.fill(vfta, 0);
    }

    /** The MTA bit index (0..4095) a destination address hashes to under RCTL's MO. */
    public static int multicastHash(byte[] frame, int rctl) {
        int bits = (frame[EthernetFrames.DESTINATION + 5] & 0xFF) << 8 | (frame[EthernetFrames.DESTINATION + 4] & 0xFF);
        return (bits >>> ReceiveControl.multicastShift(rctl)) & 0xFFF;
    }

    /** Decides whether {@code frame[0..length)} (at least 14 bytes) is for this station. */
    public FilterVerdict filter(byte[] frame, int length, int rctl, int vet) {
        if ((rctl & ReceiveControl.VFE) != 0 && EthernetFrames.isVlanTagged(frame, length, vet)) {
            int tci = EthernetFrames.vlanTci(frame);
            int vid = tci & 0xFFF;
            if ((vfta[vid >>> 5] >>> (vid & 31) & 1) == 0) return FilterVerdict.VLAN_FILTERED;
            if ((rctl & ReceiveControl.CFIEN) != 0 && ((tci >>> 12 & 1) != 0) != ((rctl & ReceiveControl.CFI) != 0))
                return FilterVerdict.VLAN_FILTERED;
        }
        DestinationKind kind = DestinationKind.of(frame, EthernetFrames.DESTINATION);
        switch (kind) {
            case BROADCAST -> { if ((rctl & ReceiveControl.BAM) != 0) return FilterVerdict.BROADCAST; }
            case MULTICAST -> { if ((rctl & ReceiveControl.MPE) != 0) return FilterVerdict.PROMISCUOUS; }
            case UNICAST -> { if ((rctl & ReceiveControl.UPE) != 0) return FilterVerdict.PROMISCUOUS; }
        }
        int low = (frame[0] & 0xFF) | (frame[1] & 0xFF) << 8 | (frame[2] & 0xFF) << 16 | (frame[3] & 0xFF) << 24;
        int high = (frame[4] & 0xFF) | (frame[5] & 0xFF) << 8;
        for (int i = 0; i < ral.length; i++) {
            if ((rah[i] & RAH_AV) != 0 && ral[i] == low && (rah[i] & 0xFFFF) == high) return FilterVerdict.EXACT_MATCH;
        }
        if (kind != DestinationKind.UNICAST) {
            int h = multicastHash(frame, rctl);
            if ((mta[h >>> 5] >>> (h & 31) & 1) != 0) return FilterVerdict.HASH_MATCH;
        }
        return FilterVerdict.NO_ADDRESS_MATCH;
    }
}
