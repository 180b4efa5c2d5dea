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
import dev.vpcie.vrc.Access;
import dev.vpcie.vrc.Bar;
import dev.vpcie.vrc.Counter;
import dev.vpcie.vrc.DmaBuffer;
import dev.vpcie.vrc.Outcome;
import dev.vpcie.vrc.PcieDevice;
import dev.vpcie.vrc.drivers.DmaTestDriver;
import dev.vpcie.vrc.lspci.Lspci;
import dev.vpcie.vrc.lspci.LspciFunction;
import dev.vpcie.vrc.lspci.PciIds;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What must hold end to end, whatever carries the frames: the VRC enumerates the endpoint's
 * dmatest function through real configuration TLPs over the reliable link, drives it through its
 * own driver (which keeps its own register constants), and gets byte-identical DMA, interrupts of
 * each kind, refused DMA outside its windows, all-ones from a frozen endpoint, and the device
 * back after an endpoint restart. Subclasses say which {@link Wire}.
 */
abstract class EndToEndContract {
    private static final long SECOND = 1_000_000_000L;
    /** Where a deliberate change to the lspci output is written back: {@code -Dloopback.golden.update=true}. */
    private static final String GOLDEN = "lspci/dmatest-vv.txt";

    /** The interconnect this subclass tests over; a new one per test. */
    abstract Wire wire() throws IOException;

    /** DMA copy sizes to check; every size is copied at an odd source and destination alignment somewhere in the list. */
    int[] dmaSizes() {
        return new int[] {1, 2, 3, 5, 63, 64, 65, 511, 513, 4095, 4097, 65_537, 1 << 20, (1 << 20) + 7, 8 << 20};
    }

    LinkRig.Options options() { return LinkRig.Options.defaults(); }

    /**
     * The VRC's completion timeout in the frozen-endpoint test: short, but longer than a frame repair
     * on this wire and than a pause of a loaded machine, since the enumeration and the first read in
     * that test must succeed under it (pauses of 400-750 ms were seen at load 8; 200 ms was too short).
     * Its two reads must also end before the rig's 3 s link-down timeout: at most 1.5 s each.
     */
    Duration frozenCompletionTimeout() { return Duration.ofSeconds(1); }

    private LinkRig rig() throws Exception { return LinkRig.start(wire(), options()); }

    private LinkRig rig(LinkRig.Options o) throws Exception { return LinkRig.start(wire(), o); }

    @Test
    void enumerationFindsDmatestWithItsIdsBarsAndCapabilities() throws Exception {
        try (LinkRig r = rig()) {
            PcieDevice d = r.enumerateOne();
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
            assertEquals(Bar.Kind.MEMORY_32, msix.kind());
            assertEquals(4096, msix.size());
            assertTrue(regs.assigned() && mem.assigned() && msix.assigned());
            assertEquals(List.of(PciConfig.CapId.POWER_MANAGEMENT, PciConfig.CapId.MSI, PciConfig.CapId.MSI_X, PciConfig.CapId.PCI_EXPRESS),
                    d.capabilities().stream().filter(c -> !c.extended()).map(Capability::id).toList());
            assertEquals(List.of(PciConfig.ExtCapId.ADVANCED_ERROR_REPORTING, PciConfig.ExtCapId.DEVICE_SERIAL_NUMBER),
                    d.capabilities().stream().filter(Capability::extended).map(Capability::id).toList());
            assertEquals(256, d.maxPayloadSize());
            assertEquals(512, d.maxReadRequestSize());
            assertEquals(Bdf.of(1, 0, 0), r.endpoint().function(0).function().config().routingId(),
                    "the endpoint captured its Routing ID from the VRC's configuration writes");
        }
    }

    @Test
    void lspciVeryVerboseMatchesTheStoredText() throws Exception {
        try (LinkRig r = rig()) {
            PcieDevice d = r.enumerateOne();
            String actual = new Lspci(PciIds.builtIn()).render(List.of(LspciFunction.of(d)), 2, null);
            if (Boolean.getBoolean("loopback.golden.update")) {
                Files.writeString(Path.of("src/test/resources", GOLDEN), actual);
                return;
            }
            assertEquals(golden(), actual, "lspci -vv of the dmatest function over " + r.wire.describe());
        }
    }

    private static String golden() throws IOException {
        try (InputStream in = EndToEndContract.class.getResourceAsStream("/" + GOLDEN)) {
            if (in == null) throw new IOException("missing test resource " + GOLDEN);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void mmioRoundTripsAtEveryWidth() throws Exception {
        try (LinkRig r = rig()) {
            PcieDevice d = r.enumerateOne();
            assertEquals(DmaTestRegistersView.ID_VALUE, d.mmioRead(0, 0, 4).value(), "ID register, 4 bytes");
            assertEquals(0x4D44L, d.mmioRead(0, 0, 2).value(), "ID register, low 2 bytes");
            assertEquals(0x31L, d.mmioRead(0, 3, 1).value(), "ID register, byte 3");
            d.mmioWrite(2, 0x100, 8, 0x0123_4567_89AB_CDEFL);
            assertEquals(0x0123_4567_89AB_CDEFL, d.mmioRead(2, 0x100, 8).value());
            assertEquals(0x89AB_CDEFL, d.mmioRead(2, 0x100, 4).value());
            assertEquals(0x0123L, d.mmioRead(2, 0x106, 2).value());
            assertEquals(0xCDL, d.mmioRead(2, 0x101, 1).value());
            d.mmioWrite(2, 0x103, 1, 0x5A);
            d.mmioWrite(2, 0x104, 2, 0xBEEF);
            d.mmioWrite(2, 0x108, 4, 0xCAFE_F00DL);
            d.mmioWrite(2, 0xFFFF8, 8, 0x1122_3344_5566_7788L);
            assertEquals(0x0123_BEEF_5AAB_CDEFL, d.mmioRead(2, 0x100, 8).value());
            assertEquals(0xCAFE_F00DL, d.mmioRead(2, 0x108, 4).value());
            assertEquals(0x1122_3344_5566_7788L, d.mmioRead(2, 0xFFFF8, 8).value(), "the last QW of the 1 MiB BAR");
            assertEquals(0, r.rc.counters().get(Counter.COMPLETION_TIMEOUT) + r.rc.counters().get(Counter.UNSUPPORTED_REQUEST));
        }
    }

    @Test
    void dmaCopiesAreByteIdenticalAtOddAlignments() throws Exception {
        int[] sizes = dmaSizes();
        int max = Arrays.stream(sizes).max().orElseThrow();
        try (LinkRig r = rig()) {
            PcieDevice d = r.enumerateOne();
            DmaBuffer src = r.rc.hostMemory().allocate(max + 64);
            DmaBuffer dst = r.rc.hostMemory().allocate(max + 64);
            d.mapDma(src);
            d.mapDma(dst);
            byte[] content = new byte[max + 64];
            new Random(11).nextBytes(content);
            src.segment().copyFrom(MemorySegment.ofArray(content));
            try (DmaTestDriver drv = new DmaTestDriver(d)) {
                int[][] offsets = {{0, 0}, {1, 3}, {7, 2}, {3, 61}, {33, 0}};
                for (int i = 0; i < sizes.length; i++) {
                    int size = sizes[i];
                    int[] o = offsets[i % offsets.length];
                    dst.segment().fill((byte) 0);
                    DmaTestDriver.Completion c = drv.run(DmaTestDriver.Op.COPY, src.busAddress() + o[0], dst.busAddress() + o[1], size, 0,
                            60 * SECOND);
                    assertNotNull(c, "copy of " + size + " bytes completes");
                    assertTrue(c.ok(), "copy of " + size + " bytes: " + c.statusName());
                    byte[] got = dst.segment().asSlice(o[1], size).toArray(ValueLayout.JAVA_BYTE);
                    assertArrayEquals(Arrays.copyOfRange(content, o[0], o[0] + size), got, size + " bytes from +" + o[0] + " to +" + o[1]);
                    if (o[1] > 0) assertEquals(0, dst.segment().get(ValueLayout.JAVA_BYTE, o[1] - 1), "the byte before is untouched");
                    assertEquals(0, dst.segment().get(ValueLayout.JAVA_BYTE, o[1] + size), "the byte after is untouched");
                }
                assertEquals(new Access(Outcome.SUCCESS, 0), drv.failed());
            }
            assertEquals(0, r.rc.counters().get(Counter.DMA_READ_REFUSED) + r.rc.counters().get(Counter.DMA_WRITE_REFUSED));
        }
    }

    @Test
    void msixMsiAndIntxEachDeliver() throws Exception {
        try (LinkRig r = rig()) {
            PcieDevice d = r.enumerateOne();
            DmaBuffer buf = r.rc.hostMemory().allocate(4096);
            d.mapDma(buf);
            try (DmaTestDriver drv = new DmaTestDriver(d)) {
                drv.enableInterrupts();
                assertEquals(2, d.enableMsix(2));
                assertDelivers(d, drv, buf, 1, "MSI-X");
                d.enableMsi(1);
                assertEquals(PcieDevice.InterruptMode.MSI, d.interruptMode());
                assertDelivers(d, drv, buf, 0, "MSI");
                d.enableIntx();
                assertDelivers(d, drv, buf, 0, "INTx");
                assertTrue(d.intxAsserted(), "the level stays up until the cause is cleared");
                assertEquals(DmaTestRegistersView.INT_DONE, drv.takeInterruptStatus());
                Await.until(() -> !d.intxAsserted(), "Deassert_INTx after the driver cleared the cause");
            }
            assertTrue(r.rc.counters().get(Counter.MSI_DELIVERED) >= 2);
            assertEquals(1, r.rc.counters().get(Counter.INTX_ASSERT));
            assertEquals(0, r.rc.counters().get(Counter.MSI_REFUSED));
        }
    }

    /** Also used by {@link InMemoryEndToEndTest}: the interrupt arrives after the data and the completion record. */
    static void assertDelivers(PcieDevice d, DmaTestDriver drv, DmaBuffer buf, int vector, String mode) throws Exception {
        CountDownLatch fired = new CountDownLatch(1);
        d.onInterrupt(vector, fired::countDown);
        int seq = drv.submit(DmaTestDriver.Op.FILL, 0, buf.busAddress(), 256, 0x5A5A5A5A, true, vector);
        assertTrue(fired.await(LinkRig.PATIENCE.toSeconds(), TimeUnit.SECONDS), mode + " interrupt delivered");
        DmaTestDriver.Completion c = drv.poll(seq);
        assertNotNull(c, mode + ": the completion record is in memory before the interrupt");
        assertTrue(c.ok(), c.statusName());
        assertEquals(0x5A, buf.segment().get(ValueLayout.JAVA_BYTE, 255), mode + ": the data is in memory before the interrupt");
        buf.segment().fill((byte) 0);
        d.onInterrupt(vector, null);
        if (!mode.equals("INTx")) drv.takeInterruptStatus();
    }

    @Test
    void dmaOutsideTheMappedWindowsIsRefusedAndCountedOnBothSides() throws Exception {
        try (LinkRig r = rig()) {
            PcieDevice d = r.enumerateOne();
            DmaBuffer mapped = r.rc.hostMemory().allocate(4096);
            DmaBuffer secret = r.rc.hostMemory().allocate(4096);
            secret.segment().fill((byte) 0x77);
            d.mapDma(mapped);
            try (DmaTestDriver drv = new DmaTestDriver(d)) {
                DmaTestDriver.Completion read = drv.run(DmaTestDriver.Op.COPY, secret.busAddress(), mapped.busAddress(), 64, 0, 30 * SECOND);
                assertNotNull(read);
                assertEquals("UNSUPPORTED_REQUEST", read.statusName(), "the device saw the VRC's UR");
                assertEquals(new Access(Outcome.SUCCESS, 1), drv.failed(), "the device counts the failed command");
                assertEquals(0, mapped.segment().get(ValueLayout.JAVA_BYTE, 0), "nothing was copied");
                assertTrue(r.rc.counters().get(Counter.DMA_READ_REFUSED) >= 1, "the VRC counts the refused read");
                assertTrue(r.endpoint().function(0).counters().get("dma-error-unsupported-request") >= 1,
                        "the endpoint counts the UR: " + r.endpoint().function(0).counters().snapshot());
                DmaTestDriver.Completion write = drv.run(DmaTestDriver.Op.FILL, 0, secret.busAddress(), 64, 0x11111111, 30 * SECOND);
                assertNotNull(write);
                assertTrue(write.ok(), "a refused posted write is invisible to the device, as on PCIe");
                Await.until(() -> r.rc.counters().get(Counter.DMA_WRITE_REFUSED) >= 1, "the VRC counts the refused write");
                assertEquals(0x77, secret.segment().get(ValueLayout.JAVA_BYTE, 0), "unmapped memory untouched");
            }
        }
    }

    @Test
    void aFrozenEndpointReadsAsAllOnesWithinTheCompletionTimeout() throws Exception {
        try (LinkRig r = rig(options().withRcCompletionTimeout(frozenCompletionTimeout()))) {
            PcieDevice d = r.enumerateOne();
            assertEquals(DmaTestRegistersView.ID_VALUE, d.mmioRead(0, 0, 4).value());
            r.stopEndpoint();
            assertEquals(0xFFFF_FFFFL, d.mmioRead(0, 0, 4).value(), "no completion: all-ones");
            assertEquals(0xFFFFL, d.configRead(PciConfig.VENDOR_ID, 2).value(), "configuration reads too");
            assertEquals(2, r.rc.counters().get(Counter.COMPLETION_TIMEOUT), "both ended by the completion timeout: " + r.rc.counters());
            assertEquals(0, r.rc.counters().get(Counter.LINK_DOWN_FAILURE), "the link was still up: " + r.rc.counters());
        }
    }

    @Test
    void anEndpointRestartIsNoticedAndTheDeviceComesBackAfterReEnumeration() throws Exception {
        try (LinkRig r = rig()) {
            PcieDevice before = r.enumerateOne();
            before.mmioWrite(2, 0, 4, 0x1234_5678);
            assertEquals(0x1234_5678L, before.mmioRead(2, 0, 4).value());
            r.killEndpoint();
            Await.until(() -> !r.link.isUp(), "the VRC sees the link go down");
            assertEquals(0xFFFF_FFFFL, before.mmioRead(0, 0, 4).value(), "link down: all-ones at once");
            assertTrue(r.rc.counters().get(Counter.LINK_DOWN_FAILURE) >= 1);
            r.startEndpoint();
            Await.until(r.link::restarted, "the VRC notices the new session epoch");
            PcieDevice after = r.enumerateOne();
            assertEquals(DmaTestRegistersView.ID_VALUE, after.mmioRead(0, 0, 4).value());
            assertEquals(0, after.mmioRead(2, 0, 4).value(), "a new process: fresh device memory");
            DmaBuffer buf = r.rc.hostMemory().allocate(4096);
            after.mapDma(buf);
            try (DmaTestDriver drv = new DmaTestDriver(after)) {
                DmaTestDriver.Completion c = drv.run(DmaTestDriver.Op.FILL, 0, buf.busAddress(), 100, 0x01020304, 30 * SECOND);
                assertNotNull(c);
                assertTrue(c.ok(), c.statusName());
                assertEquals(0x01, buf.segment().get(ValueLayout.JAVA_BYTE, 99), "pattern byte 99 mod 4 = 3");
            }
        }
    }
}
