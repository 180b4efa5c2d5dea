package dev.vpcie.vrc.nic;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Write-back decoding and descriptor layouts against byte images written out by hand from the datasheets' tables. */
class DescriptorFormatTest {
    private static long upper(String hex16) {
        return MemorySegment.ofArray(HexFormat.of().parseHex(hex16)).get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 8);
    }

    @Test void advancedRxWriteBack() {
        RxFormat f = new AdvancedRxFormat();
        // 82576 one-buffer write-back: status DD|EOP, length 100 (0x64), no errors.
        long done = upper("0000000000000000" + "03000000" + "6400" + "0000");
        assertTrue(f.done(done));
        assertTrue(f.endOfPacket(done));
        assertEquals(100, f.length(done));
        assertFalse(f.frameError(done), "a large length must not read as an error bit");
        long big = upper("0000000000000000" + "03000000" + "ffff" + "ffff");
        assertFalse(f.frameError(big), "length and VLAN bits are not errors");
        assertTrue(f.frameError(upper("0000000000000000" + "03000080" + "4000" + "0000")), "RXE (bit 31)");
        assertTrue(f.frameError(upper("0000000000000000" + "03000001" + "4000" + "0000")), "CE (bit 24)");
        assertFalse(f.frameError(upper("0000000000000000" + "03000060" + "4000" + "0000")), "IPE/TCPE only void the checksum");
        assertFalse(f.done(upper("0000000000000000" + "02000000" + "4000" + "0000")), "written with DD still to come: not done");
        assertFalse(f.done(upper("0000000000000000" + "00000000" + "0000" + "0000")), "an armed descriptor is not done");
        assertFalse(f.endOfPacket(upper("0000000000000000" + "01000000" + "0008" + "0000")));
    }

    @Test void legacyRxWriteBack() {
        RxFormat f = new LegacyRxFormat();
        // 8254x legacy: length 0x05f2 (1522 = 1518 + CRC), checksum 0, status DD|EOP, errors 0, special 0.
        long done = upper("0000000000000000" + "f205" + "0000" + "03" + "00" + "0000");
        assertTrue(f.done(done));
        assertTrue(f.endOfPacket(done));
        assertEquals(1522, f.length(done));
        assertFalse(f.frameError(done));
        assertTrue(f.frameError(upper("0000000000000000" + "f205" + "0000" + "03" + "80" + "0000")), "RXE");
        assertFalse(f.frameError(upper("0000000000000000" + "f205" + "0000" + "03" + "60" + "0000")), "TCPE/IPE");
        assertFalse(f.done(upper("0000000000000000" + "f205" + "0000" + "00" + "00" + "0000")));
    }

    @Test void legacyTxDescriptorLayout() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ring = a.allocate(32, 16);
            new LegacyTxFormat().writeData(ring, 0, 0x1122_3344_5566_7788L, 0x3C, TxOffload.NONE, 0x3C, true, true);
            // address, length 0x003c, CSO 0, CMD = EOP|IFCS|RS (0x0b), STA 0, CSS 0, special 0
            assertEquals("8877665544332211" + "3c00" + "00" + "0b" + "00" + "00" + "0000", HexFormat.of().formatHex(ring.asSlice(0, 16).toArray(ValueLayout.JAVA_BYTE)));
            assertFalse(new LegacyTxFormat().done(ring, 0));
            ring.set(ValueLayout.JAVA_BYTE, 12, (byte) 1);
            assertTrue(new LegacyTxFormat().done(ring, 0));
        }
    }

    @Test void advancedTxDataAndContextLayout() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ring = a.allocate(32, 16);
            AdvancedTxFormat f = new AdvancedTxFormat();
            TxOffload tso = new TxOffload.Segmentation(14, true, 34, 20, 1448);
            f.writeContext(ring, 0, tso, 20054);
            // vlan_macip_lens: IPLEN 20 | MACLEN 14 << 9 = 0x1c14; seqnum 0; type_tucmd: CTXT|DEXT|IPV4|TCP = 0x20200c00;
            // mss_l4len_idx: MSS 1448 (0x05a8) << 16 | L4LEN 20 << 8 = 0x05a81400
            assertEquals("141c0000" + "00000000" + "000c2020" + "0014a805", HexFormat.of().formatHex(ring.asSlice(0, 16).toArray(ValueLayout.JAVA_BYTE)));
            f.writeData(ring, 16, 0x1000, 4096, tso, 20054, true, false);
            // cmd_type_len: len 0x1000 | DTYP_DATA 0x00300000 | IFCS 0x02000000 | DEXT 0x20000000 | TSE 0x80000000 = 0xa2301000;
            // olinfo: PAYLEN (20054 - 54 = 20000) << 14 | TXSM 0x200 | IXSM 0x100 = 0x13880300
            assertEquals("0010000000000000" + "001030a2" + "00038813", HexFormat.of().formatHex(ring.asSlice(16, 16).toArray(ValueLayout.JAVA_BYTE)));
        }
    }
}
