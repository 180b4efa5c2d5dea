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
import dev.vpcie.testsupport.Await;
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
            byte[] b = f.read(0, fn, at, new byte[data.length + 10], 5, data.length);
            byte[] got = java.util.Arrays.copyOfRange(b, 5, 5 + data.length);
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
            byte[] got = f.read(0, fn, HOST + 0x80, data.length);
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
            byte[] got = f.read(0, fn, HOST, data.length);
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
            byte[] got = f.read(0, fn, HOST, data.length);
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
            byte[] got = f.read(0, fn, HOST, data.length);
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
            Await.until(() -> java.util.Arrays.equals(f.host.memory(at, data.length), data), "the data lands in host memory");
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
            Await.until(() -> writes(f).size() == 32, "32 writes of 128 bytes");
            assertTrue(writes(f).stream().allMatch(w -> w.data().length == 128));
        }
    }

    @Test
    void readAfterWriteSeesTheWrite() throws Exception {
        TestFunction fn = new TestFunction();
        try (Fixture f = new Fixture(fn)) {
            f.enable(0);
            byte[] data = random(3000, 8);
            byte[] got = new byte[data.length];
            java.util.concurrent.CompletableFuture<DmaException> done = f.onFunction(0, () -> {
                var cf = new java.util.concurrent.CompletableFuture<DmaException>();
                fn.context.dma().write(HOST + 0x10, data, 0, data.length);
                fn.context.dma().read(0, HOST + 0x10, got, 0, got.length, cf::complete);
                return cf;
            });
            assertEquals(null, done.get(TestHost.TIMEOUT_S, java.util.concurrent.TimeUnit.SECONDS));
            assertArrayEquals(data, got);
        }
    }

    @Test
    void unsupportedRequestSurfacesAsDmaException() throws Exception {
        TestFunction fn = new TestFunction();
        try (Fixture f = new Fixture(fn)) {
            f.enable(0);
            f.host.refuseReads(r -> r.address() >= HOST + 0x2000, TestHost.Answer.UR);
            DmaException e = assertThrows(DmaException.class, () -> f.read(0, fn, HOST + 0x1000, 0x2000));
            assertEquals(DmaException.Reason.UNSUPPORTED_REQUEST, e.reason());
            assertTrue(e.address() >= HOST + 0x2000, "the failing request's address: " + Long.toHexString(e.address()));
            assertEquals(1, fn.context.counters().get("dma-error-unsupported-request"));
            // the engine is usable afterwards: tags were returned
            f.host.refuseReads(r -> false, TestHost.Answer.DATA);
            byte[] ok = f.read(0, fn, HOST, 0x4000);
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
                DmaException e = assertThrows(DmaException.class, () -> f.read(0, fn, HOST + 64, 4));
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
            DmaException e = assertThrows(DmaException.class, () -> f.read(0, fn, HOST, 1024));
            assertEquals(DmaException.Reason.COMPLETION_TIMEOUT, e.reason());
            f.host.configWrite(Fixture.bdf(0), control2, 0, 0b0011);
            f.host.holdReadsUntil(0);
            f.host.releaseHeld(); // the late completions arrive now
            Await.until(() -> f.endpoint.counters().get(RouterEvent.UNEXPECTED_COMPLETION) >= 1, "late completions counted");
            byte[] data = random(1024, 9);
            f.host.fill(HOST, data);
            byte[] got = f.read(0, fn, HOST, 1024);
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
            DmaException r = assertThrows(DmaException.class, () -> f.read(0, fn, HOST, 4));
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
    void sessionEndWithReadsInFlightDropsTheirHandlers() throws Exception {
        TestFunction fn = new TestFunction();
        try (Fixture f = new Fixture(fn)) {
            f.enable(0);
            f.host.holdReadsUntil(1000);
            java.util.concurrent.atomic.AtomicInteger handlersRun = new java.util.concurrent.atomic.AtomicInteger();
            f.onFunction(0, () -> {
                for (int i = 0; i < 8; i++) fn.context.dma().read(0, HOST + 512L * i, new byte[512], 0, 512, e -> handlersRun.incrementAndGet());
                return null;
            });
            Await.until(() -> f.host.maxOutstandingSeen() >= 8, "reads are outstanding");
            f.ports[0].goDown("test");
            f.ports[1].settle(Duration.ofSeconds(TestHost.TIMEOUT_S)); // the hot reset is queued on the function
            DmaEngine dma = f.endpoint.function(0).dma();
            assertEquals(0, (int) f.onFunction(0, dma::pendingCalls), "every read forgotten");
            assertEquals(0, (int) f.onFunction(0, dma::outstandingReads), "every tag given back");
            f.onFunction(0, () -> null); // the function has run everything queued since
            assertEquals(0, handlersRun.get(), "a reset calls no handler");
            DmaException after = assertThrows(DmaException.class, () -> f.read(0, fn, HOST, 4));
            assertTrue(after.reason() == DmaException.Reason.LINK_DOWN || after.reason() == DmaException.Reason.BUS_MASTER_DISABLED,
                    "no session (and the hot reset clears Bus Master Enable): " + after.reason());
        }
    }

    @Test
    void manyReadsCompleteOutOfOrderAndTheirHandlersRunInIssueOrder() throws Exception {
        TestFunction fn = new TestFunction();
        try (Fixture f = new Fixture(fn)) {
            f.enable(0);
            deviceControl(f, fn, 128, 128, true);
            byte[] data = random(16 * 128, 10);
            f.host.fill(HOST, data);
            f.host.holdReadsUntil(16); // all 16 in flight, then answered newest first
            byte[][] into = new byte[16][128];
            List<Integer> order = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
            java.util.concurrent.CompletableFuture<Void> all = new java.util.concurrent.CompletableFuture<>();
            f.onFunction(0, () -> {
                for (int i = 0; i < 16; i++) {
                    int n = i;
                    fn.context.dma().read(0, HOST + 128L * i, into[i], 0, 128, e -> {
                        assertEquals(null, e);
                        order.add(n);
                        if (n == 15) all.complete(null);
                    });
                }
                return null;
            });
            all.get(TestHost.TIMEOUT_S, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(16, f.host.maxOutstandingSeen(), "all in flight at once");
            assertEquals(java.util.stream.IntStream.range(0, 16).boxed().toList(), order, "issue order, though completed newest first");
            for (int i = 0; i < 16; i++) assertArrayEquals(java.util.Arrays.copyOfRange(data, 128 * i, 128 * i + 128), into[i]);
        }
    }

    @Test
    void aReadThatFailsMidBatchFailsItsHandlerAndNothingAfterItIsData() throws Exception {
        TestFunction fn = new TestFunction();
        try (Fixture f = new Fixture(fn)) {
            f.enable(0);
            deviceControl(f, fn, 128, 128, true);
            f.host.fill(HOST, random(8 * 128, 11));
            f.host.refuseReads(r -> r.address() == HOST + 3 * 128, TestHost.Answer.UR);
            f.host.holdReadsUntil(8);
            DmaException[] outcome = new DmaException[8];
            List<Integer> order = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
            java.util.concurrent.CompletableFuture<Void> all = new java.util.concurrent.CompletableFuture<>();
            f.onFunction(0, () -> {
                for (int i = 0; i < 8; i++) {
                    int n = i;
                    fn.context.dma().read(0, HOST + 128L * i, new byte[128], 0, 128, e -> {
                        outcome[n] = e;
                        order.add(n);
                        if (n == 7) all.complete(null);
                    });
                }
                return null;
            });
            all.get(TestHost.TIMEOUT_S, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(java.util.stream.IntStream.range(0, 8).boxed().toList(), order, "every handler once, in issue order");
            for (int i = 0; i < 3; i++) assertEquals(null, outcome[i], "read " + i + " before the failure");
            assertEquals(DmaException.Reason.UNSUPPORTED_REQUEST, outcome[3].reason());
            for (int i = 4; i < 8; i++) assertTrue(outcome[i] != null, "read " + i + " after the failure is not delivered as data");
            // the engine is usable afterwards
            f.host.refuseReads(r -> false, TestHost.Answer.DATA);
            f.host.holdReadsUntil(0);
            assertEquals(128, f.read(0, fn, HOST, 128).length);
        }
    }

    @Test
    void aFailureInOneStreamLeavesAnotherStreamsReadsDeliveredAsData() throws Exception {
        TestFunction fn = new TestFunction();
        try (Fixture f = new Fixture(fn)) {
            f.enable(0);
            deviceControl(f, fn, 128, 128, true);
            byte[] data = random(8 * 128, 12);
            f.host.fill(HOST, data);
            f.host.refuseReads(r -> r.address() == HOST, TestHost.Answer.UR);
            f.host.holdReadsUntil(8);
            DmaException[] outcome = new DmaException[8];
            byte[][] into = new byte[8][128];
            java.util.concurrent.CountDownLatch all = new java.util.concurrent.CountDownLatch(8);
            f.onFunction(0, () -> {
                for (int i = 0; i < 8; i++) {
                    int n = i;
                    // even reads on stream 1 (its first one refused), odd reads on stream 2, interleaved
                    fn.context.dma().read(1 + i % 2, HOST + 128L * i, into[i], 0, 128, e -> {
                        outcome[n] = e;
                        all.countDown();
                    });
                }
                return null;
            });
            assertTrue(all.await(TestHost.TIMEOUT_S, java.util.concurrent.TimeUnit.SECONDS), "every handler ran");
            assertEquals(DmaException.Reason.UNSUPPORTED_REQUEST, outcome[0].reason());
            for (int i = 2; i < 8; i += 2) assertTrue(outcome[i] != null, "read " + i + " after the failure in its stream is not data");
            for (int i = 1; i < 8; i += 2) {
                assertEquals(null, outcome[i], "read " + i + " of the other stream");
                assertArrayEquals(java.util.Arrays.copyOfRange(data, 128 * i, 128 * i + 128), into[i]);
            }
        }
    }

    @Test
    void zeroLengthCallsSendNothing() throws Exception {
        TestFunction fn = new TestFunction();
        try (Fixture f = new Fixture(fn)) {
            f.enable(0);
            f.onFunction(0, () -> {
                fn.context.dma().read(0, HOST, new byte[1], 0, 0, e -> { });
                fn.context.dma().write(HOST, new byte[1], 0, 0);
                return null;
            });
            List<Tlp> sent = f.host.fromDevice.stream().filter(t -> t instanceof MemRead || t instanceof MemWrite).toList();
            assertEquals(List.of(), sent);
        }
    }
}
