package dev.vpcie.devices.nic.e1000;

import static dev.vpcie.devices.nic.TestPackets.TCP;
import static dev.vpcie.devices.nic.TestPackets.UDP;
import static dev.vpcie.devices.nic.e1000.E1000Driver.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.devices.nic.ChecksumVerifier;
import dev.vpcie.devices.nic.EthernetFrames;
import dev.vpcie.devices.nic.Statistic;
import dev.vpcie.devices.nic.TestPackets;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Transmit checksum insertion and TSO, receive checksum reporting, VLAN tags, as Linux uses them. */
class E1000OffloadTest {
    private E1000Harness h;
    private E1000Driver d;

    @BeforeEach
    void up() {
        h = new E1000Harness();
        d = new E1000Driver(h);
        d.probe();
        d.open();
    }

    private static void restoreIpChecksum(byte[] f) {
        TestPackets.putU16(f, 24, 0);
        TestPackets.putU16(f, 24, ~ChecksumVerifier.sum(f, 14, 20) & 0xFFFF);
    }

    @Test
    void tcpAndUdpChecksumsAreInserted() {
        for (int proto : new int[] {TCP, UDP}) {
            for (boolean ipv6 : new boolean[] {false, true}) {
                byte[] f = TestPackets.ipFrame(ipv6, proto, 700, proto * 7L);
                int l4 = TestPackets.seedForChecksumOffload(f, ipv6, proto);
                if (!ipv6) restoreIpChecksum(f);
                assertFalse(ChecksumVerifier.frameOk(f, f.length));
                d.transmitChecksummed(f, l4, l4 + (proto == TCP ? 16 : 6), proto == TCP);
                byte[] sent = h.peerReceived.remove(0);
                assertTrue(ChecksumVerifier.frameOk(sent, sent.length), (ipv6 ? "IPv6 " : "IPv4 ") + (proto == TCP ? "TCP" : "UDP"));
            }
        }
        d.serviceInterrupts();
        assertEquals(d.txNextToUse, d.rd(TDH));
    }

    @Test
    void tsoCutsAn64KiBSendIntoVerifiedSegments() {
        checkTso(false, 64_000 - 54, 1448);
        checkTso(true, 30_000, 1428);
        assertEquals(2, h.function.statistics().peek(Statistic.TSCTC));
    }

    private void checkTso(boolean ipv6, int payload, int mss) {
        byte[] original = TestPackets.ipFrame(ipv6, TCP, payload, payload);
        byte[] packet = original.clone();
        TestPackets.seedForTso(packet, ipv6, TCP);
        int hdr = 14 + (ipv6 ? 40 : 20) + 20;
        h.peerReceived.clear();
        d.transmitTso(packet, ipv6, hdr, mss);
        int segments = (payload + mss - 1) / mss;
        assertEquals(segments, h.peerReceived.size());
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (byte[] s : h.peerReceived) {
            assertTrue(s.length <= hdr + mss);
            assertTrue(ChecksumVerifier.frameOk(s, s.length), "segment checksums and lengths");
            data.write(s, hdr, s.length - hdr);
        }
        assertArrayEquals(Arrays.copyOfRange(original, hdr, original.length), data.toByteArray());
        long eop = TX_RING + 16L * ((d.txNextToUse + d.txCount - 1) % d.txCount);
        assertEquals(TXD_STAT_DD, h.memory.u8(eop + 12) & TXD_STAT_DD, "DD written back on the EOP descriptor (RS)");
    }

    @Test
    void legacyInsertChecksumFillsCso() {
        byte[] f = TestPackets.ipFrame(false, UDP, 100, 9);
        int l4 = TestPackets.seedForChecksumOffload(f, false, UDP);
        restoreIpChecksum(f);
        // Legacy: CSO in byte 10, CSS in byte 13, IC in the command.
        long slot = d.txNextToUse;
        h.memory.put(d.txBuffer((int) slot), f, 0, f.length);
        d.descriptor((int) slot, d.txBuffer((int) slot), f.length | (l4 + 6) << 16 | TXD_CMD_EOP | TXD_CMD_IFCS | TXD_CMD_RS | TXD_CMD_IC, l4 << 8);
        d.txNextToUse = (d.txNextToUse + 1) % d.txCount;
        d.wr(TDT, d.txNextToUse);
        byte[] sent = h.peerReceived.remove(0);
        assertTrue(ChecksumVerifier.frameOk(sent, sent.length));
    }

    @Test
    void checksumRequestWithoutContextIsCountedNotCrashing() {
        // Data descriptor with TXSM but the checksum context was cleared by a reset: sent as is, counted.
        d.resetHw();
        d.open();
        byte[] f = TestPackets.ipFrame(false, TCP, 100, 10);
        int slot = d.txNextToUse;
        h.memory.put(d.txBuffer(slot), f, 0, f.length);
        d.descriptor(slot, d.txBuffer(slot), f.length | TXD_CMD_DEXT | TXD_DTYP_D | TXD_CMD_EOP | TXD_CMD_RS, TXD_POPTS_TXSM << 8);
        d.txNextToUse = (d.txNextToUse + 1) % d.txCount;
        d.wr(TDT, d.txNextToUse);
        assertArrayEquals(f, h.peerReceived.remove(0));
        assertEquals(1, h.counters.get("tx-dropped-bad-offload"));
    }

    @Test
    void badTsoContextDropsThePacketAndCountsIt() {
        byte[] f = TestPackets.ipFrame(false, TCP, 3000, 11);
        TestPackets.seedForTso(f, false, TCP);
        d.transmitTso(f, false, 54, 0); // MSS 0
        assertTrue(h.peerReceived.isEmpty());
        assertEquals(1, h.function.statistics().peek(Statistic.TSCTFC));
        assertEquals(d.txNextToUse, d.rd(TDH), "the ring still advances");
    }

    @Test
    void receiveChecksumsAreReportedWhenRxcsumAsks() {
        byte[] good = TestPackets.ipFrame(false, TCP, 300, 12);
        byte[] bad = good.clone();
        bad[200] ^= 0x40;
        byte[] arp = TestPackets.rawFrame(d.mac, TestPackets.SRC, 60, 13);
        for (byte[] f : List.of(good, bad, arp)) d.mac.write(f, 0);

        h.peerSend(good);
        d.serviceInterrupts();
        assertEquals(RXD_STAT_IXSM, d.receivedStatus.get(0) & (RXD_STAT_IXSM | RXD_STAT_IPCS | RXD_STAT_TCPCS), "RXCSUM off: IXSM");
        d.drainReceived();

        d.wr(RXCSUM, RXCSUM_IPOFL | RXCSUM_TUOFL);
        for (byte[] f : List.of(good, bad, arp)) h.peerSend(f);
        d.serviceInterrupts();
        assertEquals(3, d.received.size());
        assertEquals(RXD_STAT_DD | RXD_STAT_EOP | RXD_STAT_IPCS | RXD_STAT_TCPCS, d.receivedStatus.get(0));
        assertEquals(0, d.receivedErrors.get(0));
        assertEquals(RXD_STAT_IPCS | RXD_STAT_TCPCS, d.receivedStatus.get(1) & (RXD_STAT_IPCS | RXD_STAT_TCPCS));
        assertEquals(0x20, d.receivedErrors.get(1), "TCPE");
        assertEquals(RXD_STAT_DD | RXD_STAT_EOP, d.receivedStatus.get(2), "not IP: nothing checked");
    }

    @Test
    void checksumsTheWireComputedAreReportedGoodWithoutSummingAgain() {
        byte[] bad = TestPackets.ipFrame(false, TCP, 300, 14);
        bad[200] ^= 0x40; // a wrong sum: only a model that sums the frame can see it
        d.mac.write(bad, 0);
        d.wr(RXCSUM, RXCSUM_IPOFL | RXCSUM_TUOFL);
        h.peerSend(bad.clone());
        h.peerSendComputed(bad.clone());
        h.peerSend(bad.clone());
        d.serviceInterrupts();
        assertEquals(3, d.received.size());
        assertEquals(0x20, d.receivedErrors.get(0), "from the wire: checked, TCPE");
        assertEquals(RXD_STAT_IPCS | RXD_STAT_TCPCS, d.receivedStatus.get(1) & (RXD_STAT_IPCS | RXD_STAT_TCPCS), "reported checked");
        assertEquals(0, d.receivedErrors.get(1), "computed on the way: good, not summed again");
        assertEquals(0x20, d.receivedErrors.get(2), "the flag belongs to its frame only");
    }

    @Test
    void vlanTagsAreStrippedAndInsertedWithVme() {
        d.wr(CTRL, d.rd(CTRL) | CTRL_VME);
        byte[] plain = TestPackets.rawFrame(d.mac, TestPackets.SRC, 100, 14);
        byte[] tagged = EthernetFrames.insertVlanTag(plain, plain.length, 0x8100, 0x6000 | 42);
        h.peerSend(tagged);
        d.serviceInterrupts();
        assertArrayEquals(plain, d.received.get(0));
        assertEquals(RXD_STAT_VP, d.receivedStatus.get(0) & RXD_STAT_VP);
        assertEquals(0x6000 | 42, d.receivedSpecial.get(0));
        d.drainReceived();

        byte[] out = TestPackets.rawFrame(TestPackets.DST, d.mac, 200, 15);
        d.transmitLegacy(out, 0x2000 | 7, true, 0);
        assertArrayEquals(EthernetFrames.insertVlanTag(out, out.length, 0x8100, 0x2000 | 7), h.peerReceived.remove(0));

        d.wr(CTRL, d.rd(CTRL) & ~CTRL_VME);
        d.transmitLegacy(out, 0x2000 | 7, true, 0);
        assertArrayEquals(out, h.peerReceived.remove(0), "without VME, VLE inserts nothing");
        h.peerSend(tagged);
        assertArrayEquals(tagged, d.drainReceived().get(0), "without VME the tag stays in the frame");
    }

    @Test
    void vlanFilterDropsUnknownVlans() {
        d.wr(RCTL, d.rd(RCTL) | RCTL_VFE);
        byte[] plain = TestPackets.rawFrame(d.mac, TestPackets.SRC, 100, 16);
        byte[] v5 = EthernetFrames.insertVlanTag(plain, plain.length, 0x8100, 5);
        h.peerSend(v5);
        assertTrue(d.drainReceived().isEmpty());
        d.wr(VFTA, 1 << 5);
        h.peerSend(v5);
        assertEquals(1, d.drainReceived().size());
    }
}
