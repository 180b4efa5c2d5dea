package dev.vpcie.loopback.nic;

import static org.junit.jupiter.api.Assertions.*;

import dev.vpcie.vrc.nic.IrqMode;
import dev.vpcie.vrc.nic.NicDriver;
import dev.vpcie.vrc.nic.NicDrivers;
import dev.vpcie.vrc.nic.NicException;
import dev.vpcie.vrc.nic.IntelNicDriver;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** What only the 82540EM driver does or refuses. */
class E1000DriverTest {

    @Test void interruptsAreIntxOnly() throws Exception {
        try (NicRig rig = new NicRig(NicRig.Model.E1000, 1514)) {
            for (IrqMode m : new IrqMode[] {IrqMode.MSI, IrqMode.MSIX}) {
                NicException e = assertThrows(NicException.class, () -> rig.open(NicRig.options().withIrqMode(m)));
                assertTrue(e.getMessage().contains("INTx only"), e.getMessage());
            }
            NicException q = assertThrows(NicException.class, () -> rig.open(NicRig.options().withRxQueues(2)));
            assertTrue(q.getMessage().contains("one RX queue"), q.getMessage());
            NicDriver d = rig.open(NicRig.options().withIrqMode(IrqMode.INTX));
            assertEquals(dev.vpcie.vrc.PcieDevice.InterruptMode.INTX, rig.device.interruptMode());
            assertEquals(IrqMode.INTX, ((IntelNicDriver) d).interruptMode());
            assertEquals("82540EM", d.chip());
        }
    }

    @Test void theIgbDriverRefusesAnE1000() throws Exception {
        try (NicRig rig = new NicRig(NicRig.Model.E1000, 1514)) {
            NicException e = assertThrows(NicException.class, () -> NicDrivers.open(rig.device, NicDrivers.Kind.IGB, NicRig.options()));
            assertTrue(e.getMessage().contains("is not an 82576"), e.getMessage());
            assertEquals(NicDrivers.Kind.E1000, NicDrivers.detect(rig.device));
        }
    }

    @Test void framesTooShortOrTooLongAreRefusedAtTheDoor() throws Exception {
        try (NicRig rig = new NicRig(NicRig.Model.E1000, 1514)) {
            NicDriver d = rig.open(NicRig.options());
            assertThrows(IllegalArgumentException.class, () -> d.transmit(ByteBuffer.allocate(13)));
            assertThrows(IllegalArgumentException.class, () -> d.transmit(ByteBuffer.allocate(1515)));
            assertEquals(0, d.stats().txFrames());
        }
    }

    @Test void closeResetsTheNicAndReleasesEverything() throws Exception {
        try (NicRig rig = new NicRig(NicRig.Model.E1000, 1514)) {
            NicDriver d = rig.open(NicRig.options());
            assertTrue(rig.rc.hostMemory().allocatedBytes() > 0);
            assertFalse(rig.rc.dmaWindows().mappings().isEmpty());
            d.close();
            assertEquals(0, rig.rc.hostMemory().allocatedBytes(), "rings and buffers freed");
            assertTrue(rig.rc.dmaWindows().mappings().isEmpty(), "DMA windows unmapped");
            assertEquals(0, rig.device.mmioRead(0, 0x0100, 4).value() & 0x2, "RCTL.EN clear after the reset");
            assertEquals(0, rig.device.configRead(dev.vpcie.protocol.pci.PciConfig.COMMAND, 2).value()
                    & dev.vpcie.protocol.pci.PciConfig.Command.BUS_MASTER_ENABLE, "bus mastering off");
            assertFalse(d.transmit(ByteBuffer.allocate(60)), "a closed driver sends nothing");
        }
    }
}
