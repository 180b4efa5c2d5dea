package dev.vpcie.devices.nic.igb;

import static dev.vpcie.devices.nic.igb.IgbDriver.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.devices.nic.MacAddress;
import dev.vpcie.devices.nic.NvmImage;
import dev.vpcie.devices.nic.Statistic;
import dev.vpcie.devices.nic.TestPackets;
import dev.vpcie.devices.testing.FunctionHarness;
import dev.vpcie.protocol.pci.CapabilityWalker;
import dev.vpcie.protocol.pci.PciConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Linux igb driver's probe and open sequence against the model, then frames both ways. */
class IgbBringUpTest {
    static final MacAddress PEER = MacAddress.parse("52:54:00:99:00:01");

    @Test
    void configurationSpaceIsAn82576() {
        IgbFunction f = new IgbFunction(IgbOptions.of(IgbHarness.MAC));
        assertEquals(0x8086, f.config().vendorId());
        assertEquals(0x10C9, f.config().deviceId());
        assertEquals(0x01, f.config().revisionId());
        assertEquals(0x020000, f.config().classCode());
        assertEquals(0x8086, f.config().subsystemVendorId());
        assertEquals(0xA02C, f.config().subsystemId());
        assertEquals(1, f.config().interruptPin());
        CapabilityWalker.Walk walk = CapabilityWalker.all(f.config());
        assertTrue(walk.defect().isEmpty());
        assertEquals(List.of(0x40, 0x50, 0x70, 0xA0, 0x100, 0x148), walk.capabilities().stream().map(c -> c.offset()).toList(),
                "PM, MSI, MSI-X, PCIe where the chip has them; AER, DSN");
        assertEquals(List.of(PciConfig.CapId.POWER_MANAGEMENT, PciConfig.CapId.MSI, PciConfig.CapId.MSI_X, PciConfig.CapId.PCI_EXPRESS,
                PciConfig.ExtCapId.ADVANCED_ERROR_REPORTING, PciConfig.ExtCapId.DEVICE_SERIAL_NUMBER),
                walk.capabilities().stream().map(c -> c.id()).toList());
        assertEquals(9, f.config().read(0x72, 2) & 0x7FF, "MSI-X table size 10");
        assertEquals(3, f.config().read(0x74, 4), "table at BAR3 offset 0");
        assertEquals(0x2000 | 3, f.config().read(0x78, 4), "PBA at BAR3 offset 0x2000");
        assertEquals(1, f.config().msi().orElseThrow().vectorsCapable());
        assertTrue(f.config().msi().orElseThrow().address64() && f.config().msi().orElseThrow().perVectorMasking());
        assertEquals(0x20000, f.config().bar(0).size());
        assertTrue(f.config().bar(2).isIo());
        assertEquals(32, f.config().bar(2).size());
        assertEquals(0x4000, f.config().bar(3).size());
        assertEquals(2, f.config().bar(3).registers(), "64-bit MSI-X BAR");
        f.config().write(0x10, 4, 0xFFFF_FFFF);
        assertEquals(0xFFFE_0000, f.config().read(0x10, 4), "BAR0: 128 KiB, 32-bit, non-prefetchable memory");
        f.config().write(0x18, 4, 0xFFFF_FFFF);
        assertEquals(0xFFFF_FFE1, f.config().read(0x18, 4), "BAR2: 32 bytes of I/O");
        f.config().write(0x1C, 4, 0xFFFF_FFFF);
        assertEquals(0xFFFF_C004, f.config().read(0x1C, 4), "BAR3: 16 KiB, 64-bit memory");
        long dsn = (f.config().readDword(0x150) & 0xFFFF_FFFFL) << 32 | (f.config().readDword(0x14C) & 0xFFFF_FFFFL);
        assertEquals(0x525400_FFFE_123456L, dsn, "the serial number is the MAC's EUI-64");
    }

    @Test
    void instancesGetDistinctValidAddresses() {
        MacAddress a = IgbFunction.forInstance(0).macAddress();
        MacAddress b = IgbFunction.forInstance(1).macAddress();
        assertTrue(a.isValidUnicast() && b.isValidUnicast());
        assertNotEquals(a, b);
    }

    @Test
    void withoutAWireTheNicIsUnplugged() {
        IgbFunction f = new IgbFunction(IgbOptions.of(IgbHarness.MAC));
        FunctionHarness fh = new FunctionHarness(f, 1 << 20).enumerate();
        assertFalse(f.linkUp());
        assertEquals(0, fh.read32(0, STATUS) & STATUS_LU);
    }

    @Test
    void probeValidatesTheNvmAndReadsTheMacFromRal0() {
        IgbHarness h = new IgbHarness();
        IgbDriver d = new IgbDriver(h);
        assertEquals(0xBABA, d.probe());
        assertEquals(IgbHarness.MAC, d.mac);
        assertEquals(IgbHarness.MAC, h.function.macAddress());
        assertEquals(CTRL_EXT_DRV_LOAD, d.rd(CTRL_EXT) & CTRL_EXT_DRV_LOAD);
        assertEquals(0, h.function.registers().get(SWSM) & (SWSM_SMBI | SWSM_SWESMBI), "the hardware semaphore was released");
        assertEquals(0, d.rd(SW_FW_SYNC), "no resource left owned");
        assertEquals(0, h.counters.get("mdic-errors"));
        assertEquals(0x5, h.function.config().read(0xA0 + 0x28, 2) & 0xF, "completion timeout set through DEVCTL2 (GCR.CAP_VER2)");
    }

    @Test
    void everyNvmWordReadsThroughEerd() {
        IgbHarness h = new IgbHarness();
        IgbDriver d = new IgbDriver(h);
        d.enableDevice();
        NvmImage image = IgbNvm.image(IgbOptions.of(IgbHarness.MAC));
        for (int w = 0; w < 256; w++) assertEquals(image.word(w), d.readNvm(w), "word " + w);
        assertEquals(0x10C9, d.readNvm(0x0D));
        assertEquals(0xFFFF, d.readNvm(0x37), "no alternate MAC");
        d.wr(EERD, 300 << 2 | EERD_START);
        assertEquals(EERD_DONE | 300 << 2, d.rd(EERD), "beyond the NVM: done, data 0");
    }

    @Test
    void aCorruptNvmFailsTheChecksumAsOnHardware() {
        int[] words = IgbNvm.image(IgbOptions.of(IgbHarness.MAC)).words();
        words[0x20] ^= 0x0100;
        IgbHarness h = new IgbHarness(IgbOptions.of(IgbHarness.MAC), NvmImage.ofWords(words), 1514);
        IgbDriver d = new IgbDriver(h);
        assertNotEquals(0xBABA, d.probe(), "The NVM Checksum Is Not Valid");
    }

    @Test
    void openInMsixModeBringsTheLinkUp() {
        IgbHarness h = new IgbHarness();
        IgbDriver d = new IgbDriver(h);
        d.probe();
        d.open(Mode.MSIX, 4);
        assertTrue(d.carrier, "watchdog saw the link");
        assertEquals(STATUS_LU, d.rd(STATUS) & STATUS_LU);
        assertEquals(TCTL_EN, d.rd(TCTL) & TCTL_EN);
        assertEquals(0x1F, d.eimsEnableMask, "other + 4 queue vectors");
        assertEquals(0x1F, d.rd(EIMS));
        assertFalse(h.irq.level, "no INTx in MSI-X mode");
        assertEquals(0, h.counters.get("mdic-errors"));
        assertEquals(0, h.function.registerCounters().get("read-only-register-writes"));
    }

    @Test
    void framesOfEverySizeCrossBothWaysByteIdentical() {
        IgbHarness h = new IgbHarness();
        IgbDriver d = new IgbDriver(h);
        d.probe();
        d.open(Mode.MSIX, 1);
        for (int len = 60; len <= 1514; len++) {
            byte[] out = TestPackets.rawFrame(PEER, d.mac, len, len);
            d.transmit(out);
            assertEquals(1, h.peerReceived.size(), "frame of " + len + " bytes sent");
            assertArrayEquals(out, h.peerReceived.remove(0), "transmitted frame of " + len + " bytes");
            byte[] in = TestPackets.rawFrame(d.mac, PEER, len, -len);
            assertTrue(h.peerSend(in));
            List<byte[]> got = d.drainFrames();
            assertEquals(1, got.size(), "frame of " + len + " bytes received");
            assertArrayEquals(in, got.get(0), "received frame of " + len + " bytes");
            d.service();
        }
        assertEquals(0, d.cleanTx(0) - d.cleanTx(0), "all transmit descriptors done");
        assertEquals(1455, h.function.statistics().peek(Statistic.GPTC));
        assertEquals(1455, h.function.statistics().peek(Statistic.GPRC));
        assertEquals(0, h.function.receiveBuffered());
    }

    @Test
    void jumboFramesSpanDescriptorsBothWays() {
        IgbHarness h = new IgbHarness();
        IgbDriver d = new IgbDriver(h);
        d.jumbo = true;
        d.probe();
        d.open(Mode.MSIX, 2);
        for (int len : new int[] {1515, 2048, 4000, 9014}) {
            byte[] out = TestPackets.rawFrame(PEER, d.mac, len, len);
            d.transmit(1, out);
            assertArrayEquals(out, h.peerReceived.remove(0), "transmitted jumbo of " + len);
            byte[] in = TestPackets.rawFrame(d.mac, PEER, len, -len);
            h.peerSend(in);
            List<byte[]> got = d.drainFrames();
            assertEquals(1, got.size(), "jumbo of " + len + " received over 2 KiB buffers");
            assertArrayEquals(in, got.get(0));
        }
    }

    @Test
    void oversizeFramesAreDroppedByRlpmlAndCounted() {
        IgbHarness h = new IgbHarness();
        IgbDriver d = new IgbDriver(h);
        d.probe();
        d.open();
        h.peerSend(TestPackets.rawFrame(d.mac, PEER, 1533, 1));
        h.peerSend(TestPackets.rawFrame(d.mac, PEER, 1532, 2));
        assertEquals(1, d.drainFrames().size(), "RLPML 1536 takes 1532 + FCS, not 1533 + FCS");
        assertEquals(1, d.rd(ROC));
    }

    @Test
    void shortFramesArePaddedToTheMinimum() {
        IgbHarness h = new IgbHarness();
        IgbDriver d = new IgbDriver(h);
        d.probe();
        d.open();
        byte[] runt = TestPackets.rawFrame(d.mac, PEER, 42, 3);
        h.peerSend(runt);
        List<byte[]> got = d.drainFrames();
        assertEquals(60, got.get(0).length);
        assertArrayEquals(runt, java.util.Arrays.copyOf(got.get(0), 42));
    }
}
