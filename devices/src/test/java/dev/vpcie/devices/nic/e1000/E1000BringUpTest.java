package dev.vpcie.devices.nic.e1000;

import static dev.vpcie.devices.nic.e1000.E1000Driver.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.devices.nic.MacAddress;
import dev.vpcie.devices.nic.NvmImage;
import dev.vpcie.devices.nic.Statistic;
import dev.vpcie.devices.nic.TestPackets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Linux e1000 driver's probe and open sequence against the model, then frames both ways. */
class E1000BringUpTest {

    @Test
    void configurationSpaceIsAn82540em() {
        E1000Function f = new E1000Function(E1000Options.of(E1000Harness.MAC));
        assertEquals(0x8086, f.config().vendorId());
        assertEquals(0x100E, f.config().deviceId());
        assertEquals(0x02, f.config().revisionId());
        assertEquals(0x20 | 0x200, f.config().status() & 0x6A0, "66 MHz capable, DEVSEL medium");
        assertEquals(0x00FF_0100, f.config().read(0x3C, 4) & 0xFFFF_FF00, "Max_Lat 0, Min_Gnt 0xFF, INTA#");
        assertEquals(0x020000, f.config().classCode());
        assertEquals(0x8086, f.config().subsystemVendorId());
        assertEquals(0x001E, f.config().subsystemId());
        assertEquals(1, f.config().interruptPin());
        assertEquals(0x20000, f.config().bar(0).size());
        assertTrue(f.config().bar(1).isIo());
        assertTrue(f.config().pciExpress().isEmpty(), "conventional PCI");
        assertTrue(f.config().msi().isEmpty() && f.config().msix().isEmpty(), "INTx only");
        assertTrue(f.config().powerManagement().isPresent());
        // BAR sizing through configuration writes
        f.config().write(0x10, 4, 0xFFFF_FFFF);
        assertEquals(0xFFFE_0000, f.config().read(0x10, 4));
        f.config().write(0x14, 4, 0xFFFF_FFFF);
        assertEquals(0xFFFF_FFC1, f.config().read(0x14, 4));
    }

    @Test
    void instancesGetDistinctValidAddresses() {
        MacAddress a = E1000Function.forInstance(0).macAddress();
        MacAddress b = E1000Function.forInstance(1).macAddress();
        assertTrue(a.isValidUnicast() && b.isValidUnicast());
        assertTrue(!a.equals(b));
    }

    @Test
    void withoutAWireTheNicIsUnplugged() {
        E1000Function f = new E1000Function(E1000Options.of(E1000Harness.MAC));
        dev.vpcie.devices.testing.FunctionHarness fh = new dev.vpcie.devices.testing.FunctionHarness(f, 1 << 20).enumerate();
        assertFalse(f.linkUp());
        assertEquals(0, fh.read32(0, 0x0008) & 0x2, "STATUS.LU clear");
    }

    @Test
    void probeReadsAValidEepromAndTheMac() {
        E1000Harness h = new E1000Harness();
        E1000Driver d = new E1000Driver(h);
        assertEquals(0xBABA, d.probe(), "EEPROM checksum through microwire bit-banging");
        assertEquals(E1000Harness.MAC, d.mac);
        assertEquals(E1000Harness.MAC, MacAddress.fromReceiveAddress(d.rd(RA), d.rd(RA + 4)));
        assertEquals(RAH_AV, d.rd(RA + 4) & RAH_AV);
        assertEquals(E1000Harness.MAC, h.function.macAddress());
    }

    @Test
    void eerdReadsTheSameWords() {
        E1000Harness h = new E1000Harness();
        E1000Driver d = new E1000Driver(h);
        d.enableDevice();
        NvmImage image = E1000Nvm.image(E1000Options.of(E1000Harness.MAC));
        for (int w = 0; w < 64; w++) {
            d.wr(EERD, w << 8 | 1);
            int v = d.rd(EERD);
            assertEquals(0x10, v & 0x10, "DONE");
            assertEquals(image.word(w), v >>> 16, "word " + w);
            assertEquals(image.word(w), d.readEeprom(w), "microwire word " + w);
        }
    }

    @Test
    void aCorruptEepromFailsTheChecksumAsOnHardware() {
        int[] words = E1000Nvm.image(E1000Options.of(E1000Harness.MAC)).words();
        words[0x20] ^= 0x0100;
        E1000Harness h = new E1000Harness(E1000Options.of(E1000Harness.MAC), NvmImage.ofWords(words), 1514);
        E1000Driver d = new E1000Driver(h);
        assertTrue(d.probe() != 0xBABA, "The EEPROM Checksum Is Not Valid");
    }

    @Test
    void openBringsTheLinkUpThroughLsc() {
        E1000Harness h = new E1000Harness();
        E1000Driver d = new E1000Driver(h);
        d.probe();
        d.open();
        assertTrue(d.carrier, "watchdog saw the link after ICS = LSC");
        assertEquals(TCTL_EN, d.rd(TCTL) & TCTL_EN);
        assertEquals(STATUS_LU, d.rd(STATUS) & STATUS_LU);
        assertTrue(d.interruptsHandled > 0);
        assertFalse(h.irq.level, "line low after the ISR read ICR");
    }

    @Test
    void framesOfEverySizeCrossBothWaysByteIdentical() {
        E1000Harness h = new E1000Harness();
        E1000Driver d = new E1000Driver(h);
        d.probe();
        d.open();
        for (int len = 60; len <= 1514; len++) {
            byte[] out = TestPackets.rawFrame(MacAddress.parse("52:54:00:99:00:01"), d.mac, len, len);
            d.transmit(out);
            assertEquals(1, h.peerReceived.size(), "frame of " + len + " bytes sent");
            assertArrayEquals(out, h.peerReceived.remove(0), "transmitted frame of " + len + " bytes");
            byte[] in = TestPackets.rawFrame(d.mac, MacAddress.parse("52:54:00:99:00:01"), len, -len);
            assertTrue(h.peerSend(in));
            List<byte[]> got = d.drainReceived();
            assertEquals(1, got.size(), "frame of " + len + " bytes received");
            assertArrayEquals(in, got.get(0), "received frame of " + len + " bytes");
            d.cleanTx();
        }
        assertEquals(1455, h.function.statistics().peek(Statistic.GPTC));
        assertEquals(1455, h.function.statistics().peek(Statistic.GPRC));
    }

    @Test
    void aTailWriteReadsAWholeBatchOfBuffersAtOnceAndReceivingReadsNothing() {
        E1000Harness h = new E1000Harness();
        E1000Driver d = new E1000Driver(h);
        d.probe();
        d.open();
        MacAddress peer = MacAddress.parse("52:54:00:99:00:01");
        for (int i = 0; i < 8; i++) {
            byte[] out = TestPackets.rawFrame(peer, d.mac, 100 + i, i);
            int slot = d.txNextToUse;
            h.memory.put(d.txBuffer(slot), out, 0, out.length);
            d.descriptor(slot, d.txBuffer(slot), out.length | E1000Driver.TXD_CMD_IFCS | E1000Driver.TXD_CMD_EOP | E1000Driver.TXD_CMD_RS, 0);
            d.txNextToUse = (slot + 1) % d.txCount;
        }
        h.function.mmioWrite(0, E1000Driver.TDT, 4, d.txNextToUse); // one tail write, no settle
        assertEquals(1, h.memory.dma.inFlight(), "one descriptor fetch for the batch");
        h.memory.dma.completeReads();
        assertEquals(8, h.memory.dma.inFlight(), "every buffer of the batch in flight together");
        h.settle();
        assertEquals(8, h.peerReceived.size());
        assertEquals(8, d.cleanTx());

        long reads = h.memory.dma.reads;
        assertTrue(h.peerSend(TestPackets.rawFrame(d.mac, peer, 200, 1)));
        assertEquals(reads, h.memory.dma.reads, "descriptors were fetched ahead: the frame is written with posted writes only");
        assertEquals(1, d.drainReceived().size());
    }

    @Test
    void jumboFramesCrossWithLongPacketEnable() {
        for (int bufferSize : new int[] {4096, 16384}) {
            E1000Harness h = new E1000Harness();
            E1000Driver d = new E1000Driver(h, 256, 64);
            d.rxBufferSize = bufferSize;
            d.probe();
            d.open();
            for (int len : new int[] {1515, 4000, 9014, 16110}) {
                byte[] out = TestPackets.rawFrame(MacAddress.parse("52:54:00:99:00:01"), d.mac, len, len);
                d.transmit(out);
                assertArrayEquals(out, h.peerReceived.remove(0), "transmitted jumbo of " + len);
                byte[] in = TestPackets.rawFrame(d.mac, MacAddress.parse("52:54:00:99:00:01"), len, -len);
                h.peerSend(in);
                List<byte[]> got = d.drainReceived();
                assertEquals(1, got.size(), "jumbo of " + len + " with " + bufferSize + "-byte buffers");
                assertArrayEquals(in, got.get(0));
            }
        }
    }

    @Test
    void withoutLongPacketEnableOversizeFramesAreDroppedAndCounted() {
        E1000Harness h = new E1000Harness();
        E1000Driver d = new E1000Driver(h);
        d.probe();
        d.open();
        h.peerSend(TestPackets.rawFrame(d.mac, TestPackets.SRC, 1519, 1));
        h.peerSend(TestPackets.rawFrame(d.mac, TestPackets.SRC, 1518, 2));
        assertEquals(1, d.drainReceived().size(), "1518 (a tagged maximum) passes, 1519 does not");
        assertEquals(1, d.rd(0x40AC), "ROC");
    }

    @Test
    void shortFramesArePaddedToTheMinimum() {
        E1000Harness h = new E1000Harness();
        E1000Driver d = new E1000Driver(h);
        d.probe();
        d.open();
        byte[] runt = TestPackets.rawFrame(d.mac, TestPackets.SRC, 42, 3);
        h.peerSend(runt);
        List<byte[]> got = d.drainReceived();
        assertEquals(60, got.get(0).length);
        assertArrayEquals(runt, java.util.Arrays.copyOf(got.get(0), 42));
    }
}
