package dev.vpcie.loopback;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.protocol.pci.Capability;
import dev.vpcie.protocol.pci.PciConfig;
import dev.vpcie.protocol.tlp.Bdf;
import dev.vpcie.testsupport.Await;
import dev.vpcie.vrc.Bar;
import dev.vpcie.vrc.Counter;
import dev.vpcie.vrc.DmaBuffer;
import dev.vpcie.vrc.PcieDevice;
import dev.vpcie.vrc.RootComplexConfig;
import dev.vpcie.vrc.drivers.DmaTestDriver;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The VRC and the endpoint with the real dmatest model, over an in-memory port pair: enumeration,
 * MMIO, DMA, interrupts, DMA windows, a dead endpoint and a restarted one.
 */
class InMemoryEndToEndTest {
    private static final long SECOND = 1_000_000_000L;

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void enumerationFindsDmatestWithItsIdsBarsAndCapabilities() throws Exception {
        try (InMemoryPair p = new InMemoryPair("dmatest")) {
            PcieDevice d = p.enumerateOne();
            assertEquals(Bdf.of(1, 0, 0), d.bdf());
            assertEquals(0x1AF4, d.vendorId());
            assertEquals(0x10F0, d.deviceId());
            assertEquals(0x088000, d.classCode());
            assertEquals(1, d.interruptPin());
            assertFalse(d.multiFunction());
            Bar regs = d.bar(0), mem = d.bar(2), msix = d.bar(4);
            assertEquals(Bar.Kind.MEMORY_32, regs.kind());
            assertEquals(4096, regs.size());
            assertEquals(Bar.Kind.MEMORY_64, mem.kind());
            assertTrue(mem.prefetchable());
            assertEquals(1 << 20, mem.size());
            assertEquals(4096, msix.size());
            assertTrue(regs.assigned() && mem.assigned() && msix.assigned());
            List<Integer> caps = d.capabilities().stream().filter(c -> !c.extended()).map(Capability::id).toList();
            assertEquals(List.of(PciConfig.CapId.POWER_MANAGEMENT, PciConfig.CapId.MSI, PciConfig.CapId.MSI_X, PciConfig.CapId.PCI_EXPRESS), caps);
            List<Integer> ext = d.capabilities().stream().filter(Capability::extended).map(Capability::id).toList();
            assertEquals(List.of(PciConfig.ExtCapId.ADVANCED_ERROR_REPORTING, PciConfig.ExtCapId.DEVICE_SERIAL_NUMBER), ext);
            assertEquals(256, d.maxPayloadSize());
            assertEquals(512, d.maxReadRequestSize());
            assertEquals(Bdf.of(1, 0, 0), p.endpoint.function(0).function().config().routingId(), "captured from enumeration");
        }
    }

    @Test
    void twoDevicesAreTwoFunctionsOfOneMultiFunctionDevice() throws Exception {
        try (InMemoryPair p = new InMemoryPair("dmatest", "dmatest")) {
            List<PcieDevice> found = p.enumerate();
            assertEquals(List.of(Bdf.of(1, 0, 0), Bdf.of(1, 0, 1)), found.stream().map(PcieDevice::bdf).toList());
            assertTrue(found.getFirst().multiFunction());
            assertTrue(found.get(0).bar(0).address() != found.get(1).bar(0).address());
            assertEquals(DmaTestRegistersView.ID_VALUE, found.get(1).mmioRead(0, 0, 4).value());
        }
    }

    @Test
    void mmioAtEveryWidth() throws Exception {
        try (InMemoryPair p = new InMemoryPair("dmatest")) {
            PcieDevice d = p.enumerateOne();
            assertEquals(DmaTestRegistersView.ID_VALUE, d.mmioRead(0, 0, 4).value());
            d.mmioWrite(2, 0x10, 8, 0x0123_4567_89AB_CDEFL);
            assertEquals(0x0123_4567_89AB_CDEFL, d.mmioRead(2, 0x10, 8).value());
            assertEquals(0x89AB_CDEFL, d.mmioRead(2, 0x10, 4).value());
            assertEquals(0x0123L, d.mmioRead(2, 0x16, 2).value());
            assertEquals(0xCDL, d.mmioRead(2, 0x11, 1).value());
            d.mmioWrite(2, 0x13, 1, 0x5A);
            d.mmioWrite(2, 0x14, 2, 0xBEEF);
            d.mmioWrite(2, 0x18, 4, 0xCAFEF00DL);
            assertEquals(0x0123_BEEF_5AAB_CDEFL, d.mmioRead(2, 0x10, 8).value());
            assertEquals(0xCAFEF00DL, d.mmioRead(2, 0x18, 4).value());
            assertEquals(0, p.rc.counters().get(Counter.COMPLETION_TIMEOUT));
        }
    }

    @Test
    void dmaCopiesAreByteIdenticalFromOneByteToEightMib() throws Exception {
        try (InMemoryPair p = new InMemoryPair(InMemoryPair.rcConfig(48L << 20), InMemoryPair.ENDPOINT, "dmatest")) {
            PcieDevice d = p.enumerateOne();
            int max = 8 << 20;
            DmaBuffer src = p.rc.hostMemory().allocate(max + 64);
            DmaBuffer dst = p.rc.hostMemory().allocate(max + 64);
            d.mapDma(src);
            d.mapDma(dst);
            byte[] content = random(max + 64, 11);
            src.segment().copyFrom(MemorySegment.ofArray(content));
            try (DmaTestDriver drv = new DmaTestDriver(d)) {
                int[] sizes = {1, 2, 3, 5, 63, 64, 65, 511, 513, 4095, 4097, 65_537, 1 << 20, (1 << 20) + 7, max};
                int[][] offsets = {{0, 0}, {1, 3}, {7, 2}, {3, 61}, {33, 0}};
                int i = 0;
                for (int size : sizes) {
                    int[] o = offsets[i++ % offsets.length];
                    dst.segment().fill((byte) 0);
                    DmaTestDriver.Completion c = drv.run(DmaTestDriver.Op.COPY, src.busAddress() + o[0], dst.busAddress() + o[1], size, 0,
                            30 * SECOND);
                    assertNotNull(c, "copy of " + size + " bytes completes");
                    assertTrue(c.ok(), "copy of " + size + " bytes: status " + c.status());
                    byte[] got = dst.segment().asSlice(o[1], size).toArray(ValueLayout.JAVA_BYTE);
                    assertArrayEquals(java.util.Arrays.copyOfRange(content, o[0], o[0] + size), got, size + " bytes at +" + o[0] + "/+" + o[1]);
                    if (o[1] > 0) assertEquals(0, dst.segment().get(ValueLayout.JAVA_BYTE, o[1] - 1), "byte before untouched");
                    assertEquals(0, dst.segment().get(ValueLayout.JAVA_BYTE, o[1] + size), "byte after untouched");
                }
            }
            assertEquals(0, p.rc.counters().get(Counter.DMA_READ_REFUSED) + p.rc.counters().get(Counter.DMA_WRITE_REFUSED));
        }
    }

    @Test
    void msixMsiAndIntxEachDeliver() throws Exception {
        try (InMemoryPair p = new InMemoryPair("dmatest")) {
            PcieDevice d = p.enumerateOne();
            DmaBuffer buf = p.rc.hostMemory().allocate(4096);
            d.mapDma(buf);
            try (DmaTestDriver drv = new DmaTestDriver(d)) {
                drv.enableInterrupts();
                assertEquals(2, d.enableMsix(2));
                EndToEndContract.assertDelivers(d, drv, buf, 1, "MSI-X");
                d.enableMsi(1);
                assertEquals(PcieDevice.InterruptMode.MSI, d.interruptMode());
                EndToEndContract.assertDelivers(d, drv, buf, 0, "MSI");
                d.enableIntx();
                EndToEndContract.assertDelivers(d, drv, buf, 0, "INTx");
                assertTrue(d.intxAsserted(), "the level stays up until the cause is cleared");
                assertEquals(DmaTestRegistersView.INT_DONE, drv.takeInterruptStatus());
                Await.until(() -> !d.intxAsserted(), "Deassert_INTx after the driver cleared the cause");
            }
        }
    }

    @Test
    void dmaOutsideTheMappedWindowsIsRefusedAndCounted() throws Exception {
        try (InMemoryPair p = new InMemoryPair("dmatest")) {
            PcieDevice d = p.enumerateOne();
            DmaBuffer mapped = p.rc.hostMemory().allocate(4096);
            DmaBuffer secret = p.rc.hostMemory().allocate(4096);
            secret.segment().fill((byte) 0x77);
            d.mapDma(mapped);
            try (DmaTestDriver drv = new DmaTestDriver(d)) {
                DmaTestDriver.Completion read = drv.run(DmaTestDriver.Op.COPY, secret.busAddress(), mapped.busAddress(), 64, 0, 10 * SECOND);
                assertNotNull(read);
                assertEquals(1, read.status(), "UNSUPPORTED_REQUEST: the device saw the VRC's UR as a DmaException");
                assertTrue(p.rc.counters().get(Counter.DMA_READ_REFUSED) >= 1);
                DmaTestDriver.Completion write = drv.run(DmaTestDriver.Op.FILL, 0, secret.busAddress(), 64, 0x11111111, 10 * SECOND);
                assertNotNull(write);
                assertTrue(write.ok(), "a refused posted write is invisible to the device, as on PCIe");
                Await.until(() -> p.rc.counters().get(Counter.DMA_WRITE_REFUSED) >= 1, "the refused write is counted");
                assertEquals(0x77, secret.segment().get(ValueLayout.JAVA_BYTE, 0), "unmapped memory untouched");
            }
        }
    }

    @Test
    void aStoppedEndpointReadsAsAllOnesWithinTheCompletionTimeout() throws Exception {
        RootComplexConfig config = RootComplexConfig.defaults().withHostMemorySize(16L << 20).withCompletionTimeout(Duration.ofMillis(100));
        try (InMemoryPair p = new InMemoryPair(config, InMemoryPair.ENDPOINT, "dmatest")) {
            PcieDevice d = p.enumerateOne();
            assertEquals(DmaTestRegistersView.ID_VALUE, d.mmioRead(0, 0, 4).value());
            p.endpoint.close(); // the process hangs or dies; the link has not noticed yet
            assertEquals(0xFFFF_FFFFL, d.mmioRead(0, 0, 4).value());
            assertEquals(1, p.rc.counters().get(Counter.COMPLETION_TIMEOUT));
            assertEquals(0xFFFF_FFFFL, d.configRead(0, 4).value());
        }
    }

    @Test
    void anEndpointRestartIsNoticedAndTheDeviceComesBackAfterReEnumeration() throws Exception {
        try (InMemoryPair p = new InMemoryPair("dmatest")) {
            PcieDevice before = p.enumerateOne();
            before.mmioWrite(2, 0, 4, 0x1234_5678);
            p.killEndpoint();
            assertEquals(0xFFFF_FFFFL, before.mmioRead(0, 0, 4).value(), "link down: all-ones at once");
            p.startEndpoint();
            Await.until(p.link::restarted, "the VRC notices the new epoch");
            PcieDevice after = p.enumerateOne();
            assertEquals(DmaTestRegistersView.ID_VALUE, after.mmioRead(0, 0, 4).value());
            assertEquals(0, after.mmioRead(2, 0, 4).value(), "a new process: fresh device memory");
            DmaBuffer buf = p.rc.hostMemory().allocate(4096);
            after.mapDma(buf);
            try (DmaTestDriver drv = new DmaTestDriver(after)) {
                DmaTestDriver.Completion c = drv.run(DmaTestDriver.Op.FILL, 0, buf.busAddress(), 100, 0x01020304, 10 * SECOND);
                assertNotNull(c);
                assertTrue(c.ok());
                assertEquals(0x01, buf.segment().get(ValueLayout.JAVA_BYTE, 99), "pattern byte 99 mod 4 = 3");
            }
        }
    }

    @Test
    void theSameVrcReconnectingResetsTheFunction() throws Exception {
        try (InMemoryPair p = new InMemoryPair("dmatest")) {
            PcieDevice d = p.enumerateOne();
            d.mmioWrite(2, 0, 4, 0xABCD);
            assertEquals(0xABCD, d.mmioRead(2, 0, 4).value(), "the read flushes the posted write");
            // A bit enumeration does not set and the hot insertion does not restore: only a reset clears it.
            int command = (int) d.configRead(PciConfig.COMMAND, 2).value();
            d.configWrite(PciConfig.COMMAND, 2, command | PciConfig.Command.INTERRUPT_DISABLE);
            p.ports[0].goDown("VRC restarted");
            Await.until(() -> p.endpoint.owner().isEmpty(), "the endpoint is free");
            p.ports[0].comeUp(0x7777);
            // The VRC takes the new session as a hot insertion and restores the function itself.
            Await.until(() -> p.rc.counters().get(Counter.HOT_INSERTION) == 1 && d.present(), "the hot insertion");
            assertEquals(0, d.configRead(PciConfig.COMMAND, 2).value() & PciConfig.Command.INTERRUPT_DISABLE,
                    "hot reset: Command was cleared before the VRC restored decoding");
            PcieDevice again = d;
            assertEquals(0xABCD, again.mmioRead(2, 0, 4).value(), "device memory survives a reset (the datasheet says so)");
        }
    }
}
