package dev.vpcie.devices.nic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

class ReceiveFilterTest {
    private static final MacAddress ME = MacAddress.parse("52:54:00:12:34:56");
    private final ReceiveFilter filter = new ReceiveFilter(16);

    private static byte[] to(MacAddress dst) { return TestPackets.rawFrame(dst, TestPackets.SRC, 60, 1); }

    @Test
    void exactAddressNeedsAddressValid() {
        filter.setAddress(0, ME);
        assertEquals(0x12005452, filter.ral(0));
        assertEquals(0x80005634, filter.rah(0));
        assertEquals(FilterVerdict.EXACT_MATCH, filter.filter(to(ME), 60, 0, 0x8100));
        filter.setRah(0, filter.rah(0) & ~ReceiveFilter.RAH_AV);
        assertEquals(FilterVerdict.NO_ADDRESS_MATCH, filter.filter(to(ME), 60, 0, 0x8100));
        filter.setAddress(15, ME);
        assertEquals(FilterVerdict.EXACT_MATCH, filter.filter(to(ME), 60, 0, 0x8100));
        assertEquals(ME, MacAddress.fromReceiveAddress(filter.ral(15), filter.rah(15)));
    }

    @Test
    void promiscuousAndBroadcastModes() {
        MacAddress other = MacAddress.parse("52:54:00:99:99:99");
        MacAddress group = MacAddress.parse("01:00:5e:00:00:fb");
        assertEquals(FilterVerdict.NO_ADDRESS_MATCH, filter.filter(to(other), 60, 0, 0x8100));
        assertEquals(FilterVerdict.PROMISCUOUS, filter.filter(to(other), 60, ReceiveControl.UPE, 0x8100));
        assertEquals(FilterVerdict.NO_ADDRESS_MATCH, filter.filter(to(group), 60, ReceiveControl.UPE, 0x8100));
        assertEquals(FilterVerdict.PROMISCUOUS, filter.filter(to(group), 60, ReceiveControl.MPE, 0x8100));
        assertEquals(FilterVerdict.NO_ADDRESS_MATCH, filter.filter(to(MacAddress.BROADCAST), 60, 0, 0x8100));
        assertEquals(FilterVerdict.BROADCAST, filter.filter(to(MacAddress.BROADCAST), 60, ReceiveControl.BAM, 0x8100));
    }

    @Test
    void multicastHashFollowsMulticastOffset() {
        MacAddress group = MacAddress.parse("01:00:5e:7f:ab:cd"); // dst[4] = 0xab, dst[5] = 0xcd
        int[] expected = {(0xCDAB >>> 4) & 0xFFF, (0xCDAB >>> 3) & 0xFFF, (0xCDAB >>> 2) & 0xFFF, 0xCDAB & 0xFFF};
        for (int mo = 0; mo < 4; mo++) {
            int rctl = mo << ReceiveControl.MO_SHIFT;
            byte[] f = to(group);
            assertEquals(expected[mo], ReceiveFilter.multicastHash(f, rctl));
            filter.clear();
            assertEquals(FilterVerdict.NO_ADDRESS_MATCH, filter.filter(f, 60, rctl, 0x8100));
            int h = expected[mo];
            filter.setMta(h >>> 5, 1 << (h & 31));
            assertEquals(FilterVerdict.HASH_MATCH, filter.filter(f, 60, rctl, 0x8100));
        }
    }

    @Test
    void unicastDoesNotUseTheMulticastTable() {
        MacAddress other = MacAddress.parse("52:54:00:99:99:99");
        for (int i = 0; i < ReceiveFilter.MTA_WORDS; i++) filter.setMta(i, -1);
        assertEquals(FilterVerdict.NO_ADDRESS_MATCH, filter.filter(to(other), 60, 0, 0x8100));
        assertEquals(FilterVerdict.HASH_MATCH, filter.filter(to(MacAddress.BROADCAST), 60, 0, 0x8100), "broadcast without BAM may pass the hash");
    }

    @Test
    void vlanFilterTable() {
        filter.setAddress(0, ME);
        byte[] plain = to(ME);
        byte[] tagged = EthernetFrames.insertVlanTag(plain, 60, 0x8100, 0x2000 | 100); // priority 1, VID 100
        int rctl = ReceiveControl.VFE;
        assertEquals(FilterVerdict.VLAN_FILTERED, filter.filter(tagged, tagged.length, rctl, 0x8100));
        filter.setVfta(100 >>> 5, 1 << (100 & 31));
        assertEquals(FilterVerdict.EXACT_MATCH, filter.filter(tagged, tagged.length, rctl, 0x8100));
        assertEquals(FilterVerdict.EXACT_MATCH, filter.filter(plain, 60, rctl, 0x8100), "untagged frames skip the VLAN filter");
        assertEquals(FilterVerdict.EXACT_MATCH, filter.filter(tagged, tagged.length, 0, 0x8100), "VFE off");
        byte[] cfi = EthernetFrames.insertVlanTag(plain, 60, 0x8100, 0x1000 | 100);
        assertEquals(FilterVerdict.VLAN_FILTERED, filter.filter(cfi, cfi.length, rctl | ReceiveControl.CFIEN, 0x8100));
        assertEquals(FilterVerdict.EXACT_MATCH, filter.filter(cfi, cfi.length, rctl | ReceiveControl.CFIEN | ReceiveControl.CFI, 0x8100));
        assertFalse(FilterVerdict.VLAN_FILTERED.accepted());
    }

    @Test
    void bufferSizes() {
        assertEquals(2048, ReceiveControl.bufferSize(0));
        assertEquals(1024, ReceiveControl.bufferSize(1 << 16));
        assertEquals(512, ReceiveControl.bufferSize(2 << 16));
        assertEquals(256, ReceiveControl.bufferSize(3 << 16));
        assertEquals(16384, ReceiveControl.bufferSize(ReceiveControl.BSEX | 1 << 16));
        assertEquals(8192, ReceiveControl.bufferSize(ReceiveControl.BSEX | 2 << 16));
        assertEquals(4096, ReceiveControl.bufferSize(ReceiveControl.BSEX | 3 << 16));
    }
}
