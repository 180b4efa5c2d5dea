package dev.vpcie.endpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.devices.spi.DmaException;
import dev.vpcie.protocol.pci.PciConfig;
import dev.vpcie.protocol.tlp.MemRead;
import dev.vpcie.protocol.tlp.MemWrite;
import dev.vpcie.protocol.tlp.Tlp;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The DMA engine: splitting, pipelining, reassembly, requester ID, and every failure as a DmaException. */
class DmaEngineTest {
    private static final long HOST = TestHost.MEMORY_BASE;

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static List<MemRead> reads(Fixture f) {
        return f.host.fromDevice.stream().filter(t -> t instanceof MemRead).map(t -> (MemRead) t).toList();
    }

    private static List<MemWrite> writes(Fixture f) {
        return f.host.fromDevice.stream().filter(t -> t instanceof MemWrite).map(t -> (MemWrite) t).toList();
    }

    /** Sets Max Read Request Size, Max Payload Size and Extended Tag Field Enable in Device Control. */
    private static void deviceControl(Fixture f, TestFunction fn, int mrrs, int mps, boolean extendedTags) throws Exception {
        int at = fn.config().pciExpress().orElseThrow().offset() + PciConfig.Pcie.DEVICE_CONTROL;
        int value = PciConfig.Pcie.sizeEncoding(mrrs) << PciConfig.Pcie.DEVCTL_MAX_READ_REQUEST_SHIFT
                | PciConfig.Pcie.sizeEncoding(mps) << PciConfig.Pcie.DEVCTL_MAX_PAYLOAD_SHIFT
                | (extendedTags ? PciConfig.Pcie.DEVCTL_EXTENDED_TAG : 0);
        f.host.configWrite(Fixture.bdf(0), at & ~3, value << (8 * (at & 3)), 0b11 << (at & 3));
    }

    @Test
    void readsAreSplitByMrrsAndFourKibAndReassembled() throws Exception {
        TestFunction fn = new TestFunction();
        try (Fixture f = new Fixture(fn)) {
            f.enable(0);
            deviceControl(f, fn, 512, 256, true);
            byte[] data = random(100_000, 1);
            long at = HOST + 0x3F3; // odd, and the transfer crosses many 4 KiB pages
            f.host.fill(at, data);
            byte[] got = f.onFunction(0, () -> {
                byte[] b = new byte[data.length + 10];
                fn.context.dma().read(at, b, 5, data.length);
                return java.util.Arrays.copyOfRange(b, 5, 5 + data.length);
            });
            assertArrayEquals(data, got);
            List<MemRead> reads = reads(f);
            long total = 0;
            for (MemRead r : reads) {
                int bytes = dev.vpcie.protocol.tlp.ByteEnables.byteCount(r.length(), r.firstBe(), r.lastBe());
                long first = r.address() + dev.vpcie.protocol.tlp.ByteEnables.firstByteOffset(r.firstBe());
                assertTrue(bytes <= 512, "MRRS respected: " + r);
                assertEquals(first >>> 12, (first + bytes - 1) >>> 12, "no 4 KiB crossing: " + r);
                assertEquals(Fixture.bdf(0), r.requester(), "requester ID is the captured routing ID");
                total += bytes;
            }
            assertEquals(data.length, total);
            assertEquals(reads.size(), fn.context.counters().get("dma-read-requests"));
        }
    }

    @Test
    void smallerMrrsMakesSmallerRequests() throws Exception {
        TestFunction fn = new TestFunction();
        try (Fixture f = new Fixture(fn)) {
            f.enable(0);
            deviceControl(f, fn, 128, 128, true);
            byte[] data = random(5000, 2);
            f.host.fill(HOST + 0x80, data);
            byte[] got = f.onFunction(0, () -> {
                byte[] b = new byte[data.length];
                fn.context.dma().read(HOST + 0x80, b, 0, b.length);
                return b;
            });
            assertArrayEquals(data, got);
            assertTrue(reads(f).stream().allMatch(r -> r.length() <= 32), "128-byte requests");
            assertEquals((5000 + 127) / 128, reads(f).size());
        }
    }

    @Test
    void manyReadsAreInFlightAtOnceAndMayCompleteOutOfOrder() throws Exception {
        TestFunction fn = new TestFunction();
        try (Fixture f = new Fixture(fn)) {
            f.enable(0);
            deviceControl(f, fn, 128, 128, true);
            byte[] data = random(64 * 128, 3);
            f.host.fill(HOST, data);
            f.host.holdReadsUntil(64); // answered only once 64 are outstanding, newest first
            byte[] got = f.onFunction(0, () -> {
                byte[] b = new byte[data.length];
                fn.context.dma().read(HOST, b, 0, b.length);
                return b;
            });
            assertArrayEquals(data, got);
            assertEquals(64, f.host.maxOutstandingSeen());
        }
    }

    @Test
    void withoutExtendedTagsAtMost32ReadsAreOutstanding() throws Exception {
        TestFunction fn = new TestFunction();
        try (Fixture f = new Fixture(fn)) {
            f.enable(0);
            deviceControl(f, fn, 128, 128, false);
            byte[] data = random(64 * 128, 4);
            f.host.fill(HOST, data);
            f.host.holdReadsUntil(32);
            byte[] got = f.onFunction(0, () -> {
                byte[] b = new byte[data.length];
                fn.context.dma().read(HOST, b, 0, b.length);
                return b;
            });
            assertArrayEquals(data, got);
            assertEquals(32, f.host.maxOutstandingSeen());
            assertTrue(reads(f).stream().allMatch(r -> r.tag() < 32), "5-bit tags");
        }
    }

    @Test
    void configuredLimitCapsOutstandingReads() throws Exception {
        TestFunction fn = new TestFunction();
        try (Fixture f = new Fixture(Fixture.CONFIG.withMaxOutstandingReads(4), fn)) {
            f.enable(0);
            deviceControl(f, fn, 128, 128, true);
            byte[] data = random(16 * 128, 5);
            f.host.fill(HOST, data);
            f.host.holdReadsUntil(4);
            byte[] got = f.onFunction(0, () -> {
                byte[] b = new byte[data.length];
                fn.context.dma().read(HOST, b, 0, b.length);
                return b;
            });
            assertArrayEquals(data, got);
            assertEquals(4, f.host.maxOutstandingSeen());
        }
    }

    @Test
    void writesAreSplitByMpsAndFourKib() throws Exception {
        TestFunction fn = new TestFunction();
        try (Fixture f = new Fixture(fn)) {
            f.enable(0);
            deviceControl(f, fn, 512, 256, true);
            byte[] data = random(20_001, 6);
            long at = HOST + 0xFFD;
            f.onFunction(0, () -> {
                fn.context.dma().write(at, data, 0, data.length);
                return null;
            });
            Fixture.await(() -> java.util.Arrays.equals(f.host.memory(at, data.length), data), "the data lands in host memory");
            for (MemWrite w : writes(f)) {
                assertTrue(w.data().length <= 256 + 4, "MPS respected (plus alignment slack in the first DW): " + w);
                int bytes = dev.vpcie.protocol.tlp.ByteEnables.byteCount(w.length(), w.firstBe(), w.lastBe());
                long first = w.address() + dev.vpcie.protocol.tlp.ByteEnables.firstByteOffset(w.firstBe());
                assertTrue(bytes <= 256);
                assertEquals(first >>> 12, (first + bytes - 1) >>> 12, "no 4 KiB crossing: " + w);
                assertEquals(Fixture.bdf(0), w.requester());
            }
        }
    }

    @Test
    void payloadLimitOfTheLinkCapsWrites() throws Exception {
        TestFunction fn = new TestFunction();
        try (Fixture f = new Fixture(Fixture.CONFIG.withMaxPayloadLimit(128), fn)) {
            f.enable(0);
            deviceControl(f, fn, 512, 512, true);
            byte[] data = random(4096, 7);
            f.onFunction(0, () -> {
                fn.context.dma().write(HOST, data, 0, data.length);
                return null;
            });
            Fixture.await(() -> writes(f).size() == 32, "32 writes of 128 bytes");
            assertTrue(writes(f).stream().allMatch(w -> w.data().length == 128));
        }
    }

    @Test
    void readAfterWriteSeesTheWrite() throws Exception {
        TestFunction fn = new TestFunction();
        try (Fixture f = new Fixture(fn)) {
            f.enable(0);
            byte[] data = random(3000, 8);
            byte[] got = f.onFunction(0, () -> {
                fn.context.dma().write(HOST + 0x10, data, 0, data.length);
                byte[] b = new byte[data.length];
                fn.context.dma().read(HOST + 0x10, b, 0, b.length);
                return b;
            });
            assertArrayEquals(data, got);
        }
    }

    @Test
    void unsupportedRequestSurfacesAsDmaException() throws Exception {
        TestFunction fn = new TestFunction();
        try (Fixture f = new Fixture(fn)) {
            f.enable(0);
            f.host.refuseReads(r -> r.address() >= HOST + 0x2000, TestHost.Answer.UR);
            DmaException e = assertThrows(DmaException.class, () -> f.onFunction(0, () -> {
                fn.context.dma().read(HOST + 0x1000, new byte[0x2000], 0, 0x2000);
                return null;
            }));
            assertEquals(DmaException.Reason.UNSUPPORTED_REQUEST, e.reason());
            assertTrue(e.address() >= HOST + 0x2000, "the failing request's address: " + Long.toHexString(e.address()));
            assertEquals(1, fn.context.counters().get("dma-error-unsupported-request"));
            // the engine is usable afterwards: tags were returned
            f.host.refuseReads(r -> false, TestHost.Answer.DATA);
            byte[] ok = f.onFunction(0, () -> {
                byte[] b = new byte[0x4000];
                fn.context.dma().read(HOST, b, 0, b.length);
                return b;
            });
            assertEquals(0x4000, ok.length);
        }
    }

    @Test
    void completerAbortAndPoisonedDataSurfaceAsCompleterAbort() throws Exception {
        TestFunction fn = new TestFunction();
        try (Fixture f = new Fixture(fn)) {
            f.enable(0);
            for (TestHost.Answer a : new TestHost.Answer[] {TestHost.Answer.CA, TestHost.Answer.POISONED}) {
                f.host.refuseReads(r -> true, a);
                DmaException e = assertThrows(DmaException.class, () -> f.onFunction(0, () -> fn.context.dma().readInt(HOST + 64)));
                assertEquals(DmaException.Reason.COMPLETER_ABORT, e.reason(), a.toString());
            }
        }
    }

    @Test
    void missingCompletionTimesOutAndLateOnesAreUnexpected() throws Exception {
        TestFunction fn = new TestFunction();
        try (Fixture f = new Fixture(fn)) {
            f.enable(0);
            // A short timeout (range A upper end, 55 ms) through Device Control 2 for the read that is
            // meant to time out; cleared afterwards, so the read that must succeed gets the fixture's seconds.
            int control2 = fn.config().pciExpress().orElseThrow().offset() + PciConfig.Pcie.DEVICE_CONTROL_2;
            f.host.configWrite(Fixture.bdf(0), control2, 0b0101, 0b0011);
            f.host.holdReadsUntil(1000); // hold everything
            DmaException e = assertThrows(DmaException.class, () -> f.onFunction(0, () -> {
                fn.context.dma().read(HOST, new byte[1024], 0, 1024);
                return null;
            }));
            assertEquals(DmaException.Reason.COMPLETION_TIMEOUT, e.reason());
            f.host.configWrite(Fixture.bdf(0), control2, 0, 0b0011);
            f.host.holdReadsUntil(0);
            f.host.releaseHeld(); // the late completions arrive now
            Fixture.await(() -> f.endpoint.counters().get(RouterEvent.UNEXPECTED_COMPLETION) >= 1, "late completions counted");
            byte[] data = random(1024, 9);
            f.host.fill(HOST, data);
            byte[] got = f.onFunction(0, () -> {
                byte[] b = new byte[1024];
                fn.context.dma().read(HOST, b, 0, b.length);
                return b;
            });
            assertArrayEquals(data, got, "quarantined tags are not confused with new reads");
        }
    }

    @Test
    void deviceControl2SelectsTheCompletionTimeout() throws Exception {
        TestFunction fn = new TestFunction();
        try (Fixture f = new Fixture(Fixture.CONFIG.withCompletionTimeout(Duration.ofMillis(40)), fn)) {
            int at = fn.config().pciExpress().orElseThrow().offset() + PciConfig.Pcie.DEVICE_CONTROL_2;
            DmaEngine dma = f.endpoint.function(0).dma();
            assertEquals(Duration.ofMillis(40).toNanos(), (long) f.onFunction(0, dma::completionTimeoutNs), "default encoding: configured");
            f.host.configWrite(Fixture.bdf(0), at, 0b0110, 0b0011);
            assertEquals(Duration.ofMillis(210).toNanos(), (long) f.onFunction(0, dma::completionTimeoutNs), "range B upper end");
            f.host.configWrite(Fixture.bdf(0), at, PciConfig.Pcie.DEVCTL2_COMPLETION_TIMEOUT_DISABLE, 0b0011);
            assertEquals(Duration.ofMillis(40 * EndpointConfig.DISABLED_TIMEOUT_FACTOR).toNanos(), (long) f.onFunction(0, dma::completionTimeoutNs),
                    "disabled: stretched, never infinite");
        }
    }

    @Test
    void busMasterDisabledMeansNoDma() throws Exception {
        TestFunction fn = new TestFunction();
        try (Fixture f = new Fixture(fn)) {
            f.enable(0);
            f.command(0, PciConfig.Command.MEMORY_SPACE_ENABLE);
            DmaException r = assertThrows(DmaException.class, () -> f.onFunction(0, () -> fn.context.dma().readInt(HOST)));
            DmaException w = assertThrows(DmaException.class, () -> f.onFunction(0, () -> {
                fn.context.dma().writeInt(HOST, 1);
                return null;
            }));
            assertEquals(DmaException.Reason.BUS_MASTER_DISABLED, r.reason());
            assertEquals(DmaException.Reason.BUS_MASTER_DISABLED, w.reason());
            assertTrue(f.host.fromDevice.stream().noneMatch(t -> t instanceof MemRead || t instanceof MemWrite), "nothing was sent");
        }
    }

    @Test
    void linkDownFailsOutstandingReads() throws Exception {
        TestFunction fn = new TestFunction();
        try (Fixture f = new Fixture(fn)) {
            f.enable(0);
            f.host.holdReadsUntil(1000);
            java.util.concurrent.CompletableFuture<DmaException.Reason> outcome = new java.util.concurrent.CompletableFuture<>();
            f.endpoint.function(0).execute(() -> {
                try {
                    fn.context.dma().read(HOST, new byte[4096], 0, 4096);
                    outcome.complete(null);
                } catch (DmaException e) {
                    outcome.complete(e.reason());
                }
            });
            Fixture.await(() -> f.host.maxOutstandingSeen() > 0, "reads are outstanding");
            f.ports[0].goDown("test");
            assertEquals(DmaException.Reason.LINK_DOWN, outcome.get(TestHost.TIMEOUT_S, java.util.concurrent.TimeUnit.SECONDS));
            DmaException after = assertThrows(DmaException.class, () -> f.onFunction(0, () -> fn.context.dma().readInt(HOST)));
            assertTrue(after.reason() == DmaException.Reason.LINK_DOWN || after.reason() == DmaException.Reason.BUS_MASTER_DISABLED,
                    "no session (and the hot reset clears Bus Master Enable): " + after.reason());
        }
    }

    @Test
    void zeroLengthCallsSendNothing() throws Exception {
        TestFunction fn = new TestFunction();
        try (Fixture f = new Fixture(fn)) {
            f.enable(0);
            f.onFunction(0, () -> {
                fn.context.dma().read(HOST, new byte[1], 0, 0);
                fn.context.dma().write(HOST, new byte[1], 0, 0);
                return null;
            });
            List<Tlp> sent = f.host.fromDevice.stream().filter(t -> t instanceof MemRead || t instanceof MemWrite).toList();
            assertEquals(List.of(), sent);
        }
    }
}
