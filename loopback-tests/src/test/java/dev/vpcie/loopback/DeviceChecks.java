package dev.vpcie.loopback;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.testsupport.Await;
import dev.vpcie.vrc.Counter;
import dev.vpcie.vrc.DmaBuffer;
import dev.vpcie.vrc.PcieDevice;
import dev.vpcie.vrc.RootComplex;
import dev.vpcie.vrc.drivers.DmaTestDriver;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** What the end-to-end tests check on an enumerated dmatest device, whatever carries the TLPs. */
final class DeviceChecks {
    private static final long SECOND = 1_000_000_000L;

    private DeviceChecks() {}

    /** The one function the VRC found, checked to be dmatest. */
    static PcieDevice onlyDmatest(RootComplex rc) throws InterruptedException {
        List<PcieDevice> devices = rc.enumerate();
        assertEquals(1, devices.size(), devices.toString());
        PcieDevice d = devices.getFirst();
        assertEquals(0x1AF4, d.vendorId());
        assertEquals(0x10F0, d.deviceId());
        assertEquals(0x088000, d.classCode());
        return d;
    }

    /** MMIO reads and writes of 1, 2, 4 and 8 bytes on the device memory BAR, and the ID register. */
    static void mmioWidths(PcieDevice d) {
        assertEquals(DmaTestRegistersView.ID_VALUE, d.mmioRead(0, 0, 4).value());
        d.mmioWrite(2, 0x100, 8, 0x0123_4567_89AB_CDEFL);
        d.mmioWrite(2, 0x103, 1, 0x5A);
        d.mmioWrite(2, 0x104, 2, 0xBEEF);
        assertEquals(0x0123_BEEF_5AAB_CDEFL, d.mmioRead(2, 0x100, 8).value());
        assertEquals(0x5AAB_CDEFL, d.mmioRead(2, 0x100, 4).value());
        assertEquals(0xBEEFL, d.mmioRead(2, 0x104, 2).value());
        assertEquals(0x23L, d.mmioRead(2, 0x106, 1).value());
    }

    /** Host-to-host copies of each size at odd source and destination offsets, byte-identical. */
    static void copies(RootComplex rc, PcieDevice d, int... sizes) {
        int max = Arrays.stream(sizes).max().orElse(1);
        DmaBuffer src = rc.hostMemory().allocate(max + 64), dst = rc.hostMemory().allocate(max + 64);
        d.mapDma(src);
        d.mapDma(dst);
        byte[] content = new byte[max + 64];
        new Random(max).nextBytes(content);
        src.segment().copyFrom(MemorySegment.ofArray(content));
        try (DmaTestDriver drv = new DmaTestDriver(d)) {
            int[][] offsets = {{1, 3}, {7, 2}, {3, 61}, {0, 0}, {33, 5}};
            for (int i = 0; i < sizes.length; i++) {
                int size = sizes[i];
                int[] o = offsets[i % offsets.length];
                dst.segment().fill((byte) 0);
                DmaTestDriver.Completion c = drv.run(DmaTestDriver.Op.COPY, src.busAddress() + o[0], dst.busAddress() + o[1], size, 0, 60 * SECOND);
                assertNotNull(c, "copy of " + size + " bytes completes");
                assertTrue(c.ok(), "copy of " + size + " bytes: status " + c.status());
                assertArrayEquals(Arrays.copyOfRange(content, o[0], o[0] + size), dst.segment().asSlice(o[1], size).toArray(ValueLayout.JAVA_BYTE),
                        size + " bytes at +" + o[0] + "/+" + o[1]);
                assertEquals(0, dst.segment().get(ValueLayout.JAVA_BYTE, o[1] + size), "the byte after is untouched");
            }
        } finally {
            rc.dmaWindows().unmapAll(d.bdf());
            rc.hostMemory().free(src);
            rc.hostMemory().free(dst);
        }
    }

    /** A completed command's vector arrives as MSI-X, then MSI, then INTx, each after the data it announces. */
    static void interrupts(RootComplex rc, PcieDevice d) throws InterruptedException {
        DmaBuffer buf = rc.hostMemory().allocate(4096);
        d.mapDma(buf);
        try (DmaTestDriver drv = new DmaTestDriver(d)) {
            drv.enableInterrupts();
            d.enableMsix(2);
            delivers(d, drv, buf, 1, "MSI-X");
            drv.takeInterruptStatus();
            d.enableMsi(1);
            delivers(d, drv, buf, 0, "MSI");
            drv.takeInterruptStatus();
            d.enableIntx();
            delivers(d, drv, buf, 0, "INTx");
            assertEquals(DmaTestRegistersView.INT_DONE, drv.takeInterruptStatus());
            Await.until(() -> !d.intxAsserted(), "Deassert_INTx once the driver cleared the cause");
            d.disableInterrupts();
        } finally {
            rc.dmaWindows().unmapAll(d.bdf());
            rc.hostMemory().free(buf);
        }
    }

    private static void delivers(PcieDevice d, DmaTestDriver drv, DmaBuffer buf, int vector, String mode) throws InterruptedException {
        CountDownLatch fired = new CountDownLatch(1);
        d.onInterrupt(vector, fired::countDown);
        buf.segment().fill((byte) 0);
        int seq = drv.submit(DmaTestDriver.Op.FILL, 0, buf.busAddress(), 256, 0x5A5A5A5A, true, vector);
        assertTrue(fired.await(InMemoryPair.WAIT_S, TimeUnit.SECONDS), mode + " interrupt delivered");
        assertNotNull(drv.poll(seq), mode + ": the completion record is in memory before the interrupt");
        assertEquals(0x5A, buf.segment().get(ValueLayout.JAVA_BYTE, 255), mode + ": the data is in memory before the interrupt");
        d.onInterrupt(vector, null);
    }

    /** A device read outside its DMA windows fails with UR in the device; a write there is dropped; both counted. */
    static void refusedDma(RootComplex rc, PcieDevice d) throws InterruptedException {
        DmaBuffer mapped = rc.hostMemory().allocate(4096), secret = rc.hostMemory().allocate(4096);
        secret.segment().fill((byte) 0x77);
        d.mapDma(mapped);
        long readsBefore = rc.counters().get(Counter.DMA_READ_REFUSED), writesBefore = rc.counters().get(Counter.DMA_WRITE_REFUSED);
        try (DmaTestDriver drv = new DmaTestDriver(d)) {
            DmaTestDriver.Completion read = drv.run(DmaTestDriver.Op.COPY, secret.busAddress(), mapped.busAddress(), 64, 0, 30 * SECOND);
            assertNotNull(read);
            assertEquals(1, read.status(), "UNSUPPORTED_REQUEST in the device's completion record");
            assertTrue(rc.counters().get(Counter.DMA_READ_REFUSED) > readsBefore);
            DmaTestDriver.Completion write = drv.run(DmaTestDriver.Op.FILL, 0, secret.busAddress(), 64, 0x11111111, 30 * SECOND);
            assertNotNull(write);
            assertTrue(write.ok(), "a refused posted write is invisible to the device, as on PCIe");
            Await.until(() -> rc.counters().get(Counter.DMA_WRITE_REFUSED) > writesBefore, "the refused write is counted");
            assertEquals(0x77, secret.segment().get(ValueLayout.JAVA_BYTE, 0), "unmapped memory untouched");
        } finally {
            rc.dmaWindows().unmapAll(d.bdf());
            rc.hostMemory().free(mapped);
            rc.hostMemory().free(secret);
        }
    }
}
