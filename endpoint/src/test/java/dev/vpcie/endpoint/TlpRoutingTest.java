package dev.vpcie.endpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.protocol.pci.PciConfig;
import dev.vpcie.protocol.tlp.Attributes;
import dev.vpcie.protocol.tlp.Bdf;
import dev.vpcie.protocol.tlp.CfgWrite;
import dev.vpcie.protocol.tlp.Completion;
import dev.vpcie.protocol.tlp.ConfigType;
import dev.vpcie.protocol.tlp.CplStatus;
import dev.vpcie.protocol.tlp.IoRead;
import dev.vpcie.protocol.tlp.IoWrite;
import dev.vpcie.protocol.tlp.MemWrite;
import dev.vpcie.protocol.tlp.Message;
import dev.vpcie.protocol.tlp.MessageRouting;
import dev.vpcie.testsupport.Await;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Configuration, memory, I/O and message routing; UR and counting for what no function claims. */
class TlpRoutingTest {

    @Test
    void configReadReachesTheFunctionByNumber() throws Exception {
        try (Fixture f = new Fixture(new TestFunction())) {
            int id = f.host.configRead(Fixture.bdf(0), PciConfig.VENDOR_ID);
            assertEquals(TestFunction.VENDOR, id & 0xFFFF);
            assertEquals(TestFunction.DEVICE, id >>> 16);
            assertEquals(0, f.host.configRead(Fixture.bdf(0), PciConfig.HEADER_TYPE & ~3) >>> 16 & 0x80,
                    "a single function is not multi-function");
        }
    }

    @Test
    void deviceNumberOtherThanZeroIsAnEmptySlot() throws Exception {
        try (Fixture f = new Fixture(new TestFunction())) {
            for (int dev : new int[] {1, 2, 31}) {
                Completion c = f.host.configReadRaw(ConfigType.TYPE0, Bdf.of(Fixture.BUS, dev, 0), 0);
                assertEquals(CplStatus.UR, c.status(), "device " + dev);
                assertEquals(Bdf.of(Fixture.BUS, dev, 0), c.completer());
            }
            assertEquals(3, f.endpoint.counters().get(RouterEvent.CONFIG_NO_DEVICE));
        }
    }

    @Test
    void typeOneConfigurationAndMissingFunctionsAreUnsupported() throws Exception {
        try (Fixture f = new Fixture(new TestFunction())) {
            assertEquals(CplStatus.UR, f.host.configReadRaw(ConfigType.TYPE1, Fixture.bdf(0), 0).status());
            assertEquals(CplStatus.UR, f.host.configReadRaw(ConfigType.TYPE0, Fixture.bdf(1), 0).status());
            Completion w = f.host.single(new CfgWrite(ConfigType.TYPE1, 0, f.host.tag(), Fixture.bdf(0), 0x10, 0xF, TestHost.le(-1)));
            assertEquals(CplStatus.UR, w.status());
            assertEquals(2, f.endpoint.counters().get(RouterEvent.CONFIG_TYPE1));
            assertEquals(1, f.endpoint.counters().get(RouterEvent.CONFIG_NO_FUNCTION));
        }
    }

    @Test
    void functionZeroOfSeveralReportsMultiFunction() throws Exception {
        try (Fixture f = new Fixture(new TestFunction(), new TestFunction())) {
            assertEquals(0x80, f.host.configRead(Fixture.bdf(0), PciConfig.HEADER_TYPE & ~3) >>> 16 & 0xFF);
            assertEquals(TestFunction.VENDOR, f.host.configRead(Fixture.bdf(1), 0) & 0xFFFF);
            assertEquals(0, f.host.configRead(Fixture.bdf(1), PciConfig.HEADER_TYPE & ~3) >>> 16 & 0x80);
        }
    }

    @Test
    void typeZeroWritesCaptureTheRoutingId() throws Exception {
        TestFunction fn = new TestFunction();
        try (Fixture f = new Fixture(fn)) {
            f.host.configWrite(Bdf.of(7, 0, 0), PciConfig.COMMAND, 0, 0b0011);
            assertEquals(Bdf.of(7, 0, 0), f.onFunction(0, () -> fn.config().routingId()));
            f.host.configWrite(Fixture.bdf(0), PciConfig.COMMAND, 0, 0b0011);
            assertEquals(Fixture.bdf(0), f.onFunction(0, () -> fn.config().routingId()));
            Completion c = f.host.configReadRaw(ConfigType.TYPE0, Fixture.bdf(0), 0);
            assertEquals(Fixture.bdf(0), c.completer());
        }
    }

    @Test
    void barSizingReadsBackTheSizeMask() throws Exception {
        try (Fixture f = new Fixture(new TestFunction())) {
            f.host.configWrite(Fixture.bdf(0), PciConfig.BAR0, -1);
            assertEquals(0xFFFF_F000, f.host.configRead(Fixture.bdf(0), PciConfig.BAR0));
            f.host.configWrite(Fixture.bdf(0), PciConfig.BAR5, -1);
            assertEquals(0xFFFF_FFE1, f.host.configRead(Fixture.bdf(0), PciConfig.BAR5));
        }
    }

    @Test
    void mmioAtEveryWidth() throws Exception {
        TestFunction fn = new TestFunction();
        try (Fixture f = new Fixture(fn)) {
            f.enable(0);
            f.host.memWriteValue(Fixture.REGS + 0x10, 4, 0xCAFEF00DL);
            f.host.memWriteValue(Fixture.REGS + 0x21, 1, 0xA5);
            f.host.memWriteValue(Fixture.REGS + 0x32, 2, 0xBEEF);
            f.host.memWriteValue(Fixture.REGS + 0x48, 8, 0x0123_4567_89AB_CDEFL);
            assertEquals(0xCAFEF00DL, f.host.memReadValue(Fixture.REGS + 0x10, 4));
            assertEquals(0xA5, f.host.memReadValue(Fixture.REGS + 0x21, 1));
            assertEquals(0xBEEF, f.host.memReadValue(Fixture.REGS + 0x32, 2));
            assertEquals(0x0123_4567_89AB_CDEFL, f.host.memReadValue(Fixture.REGS + 0x48, 8));
            List<TestFunction.Access> regs = fn.accesses.stream().filter(a -> a.bar() == TestFunction.REGS).toList();
            assertEquals(List.of(
                    new TestFunction.Access(true, 0, 0x10, 4, 0xCAFEF00DL),
                    new TestFunction.Access(true, 0, 0x21, 1, 0xA5),
                    new TestFunction.Access(true, 0, 0x32, 2, 0xBEEF),
                    new TestFunction.Access(true, 0, 0x48, 8, 0x0123_4567_89AB_CDEFL),
                    new TestFunction.Access(false, 0, 0x10, 4, 0xCAFEF00DL),
                    new TestFunction.Access(false, 0, 0x21, 1, 0xA5),
                    new TestFunction.Access(false, 0, 0x32, 2, 0xBEEF),
                    new TestFunction.Access(false, 0, 0x48, 8, 0x0123_4567_89AB_CDEFL)), regs,
                    "one naturally aligned access of the requested width each");
        }
    }

    @Test
    void unalignedRunsAreSplitIntoNaturallyAlignedAccesses() throws Exception {
        TestFunction fn = new TestFunction();
        try (Fixture f = new Fixture(fn)) {
            f.enable(0);
            f.host.memWrite(Fixture.REGS + 0x101, new byte[] {1, 2, 3, 4, 5, 6});
            f.host.memReadValue(Fixture.REGS + 0x100, 4); // a read is not passed by the posted write before it: a flush
            List<TestFunction.Access> w = fn.accesses.stream().filter(a -> a.write() && a.bar() == 0).toList();
            assertEquals(List.of(new TestFunction.Access(true, 0, 0x101, 1, 1), new TestFunction.Access(true, 0, 0x102, 2, 0x0302),
                    new TestFunction.Access(true, 0, 0x104, 2, 0x0504), new TestFunction.Access(true, 0, 0x106, 1, 6)), w);
        }
    }

    @Test
    void nonContiguousByteEnablesReachTheModelAsSeparateWrites() throws Exception {
        TestFunction fn = new TestFunction();
        try (Fixture f = new Fixture(fn)) {
            f.enable(0);
            // one DW, bytes 0 and 2 enabled (0101b): legal for a single-DW write
            f.host.port.send(new MemWrite(0, 0, Fixture.REGS + 0x200, 0b0101, 0, new byte[] {9, 8, 7, 6}));
            assertEquals(0x07, f.host.memReadValue(Fixture.REGS + 0x202, 1));
            List<TestFunction.Access> w = fn.accesses.stream().filter(a -> a.write() && a.bar() == 0).toList();
            assertEquals(List.of(new TestFunction.Access(true, 0, 0x200, 1, 9), new TestFunction.Access(true, 0, 0x202, 1, 7)), w);
        }
    }

    @Test
    void multiDwReadOfMemoryBarIsOneBlockReadSplitIntoCompletions() throws Exception {
        TestFunction fn = new TestFunction();
        try (Fixture f = new Fixture(fn)) {
            f.enable(0);
            byte[] pattern = new byte[4096];
            for (int i = 0; i < pattern.length; i++) pattern[i] = (byte) (i * 7 + 3);
            System.arraycopy(pattern, 0, fn.memory, 0x1000, pattern.length);
            byte[] got = f.host.memRead(Fixture.MEMORY + 0x1000, 4096);
            assertArrayEquals(pattern, got);
            byte[] odd = f.host.memRead(Fixture.MEMORY + 0x1003, 1000);
            assertArrayEquals(java.util.Arrays.copyOfRange(pattern, 3, 1003), odd);
            assertTrue(fn.accesses.contains(new TestFunction.Access(false, TestFunction.MEMORY, 0x1000, 4096, 0)), "one block read");
            int mps = f.onFunction(0, () -> fn.config().maxPayloadSize());
            long completions = f.host.fromDevice.stream().filter(t -> t instanceof Completion c && c.hasData()).count();
            assertTrue(completions >= 4096 / mps, "completions carry at most MPS (" + mps + ") bytes: " + completions);
            f.host.fromDevice.stream().filter(t -> t instanceof Completion c && c.hasData())
                    .forEach(t -> assertTrue(((Completion) t).data().length <= mps));
        }
    }

    @Test
    void zeroLengthReadCompletesWithOneDwWithoutTouchingTheModel() throws Exception {
        TestFunction fn = new TestFunction();
        try (Fixture f = new Fixture(fn)) {
            f.enable(0);
            Completion c = f.host.single(new dev.vpcie.protocol.tlp.MemRead(0, f.host.tag(), Fixture.REGS + 0x40, 1, 0, 0));
            assertEquals(CplStatus.SC, c.status());
            assertEquals(1, c.byteCount());
            assertEquals(4, c.data().length);
            assertTrue(fn.accesses.isEmpty(), "a zero-length read has no side effects");
            f.host.port.send(new MemWrite(0, 0, Fixture.REGS + 0x40, 0, 0, TestHost.le(-1)));
            assertEquals(0, f.host.memReadValue(Fixture.REGS + 0x40, 4), "nor does a zero-length write");
            assertEquals(1, fn.accesses.size());
        }
    }

    @Test
    void unclaimedMemoryReadGetsUrAndUnclaimedWriteIsCounted() throws Exception {
        TestFunction fn = new TestFunction();
        try (Fixture f = new Fixture(fn)) {
            f.enable(0);
            assertEquals(CplStatus.UR, f.host.memReadResult(0xD000_0000L, 4));
            f.host.memWriteValue(0xD000_0000L, 4, 1);
            Await.until(() -> f.endpoint.counters().get(RouterEvent.MEMORY_WRITE_UNCLAIMED) == 1, "the write is counted");
            assertEquals(1, f.endpoint.counters().get(RouterEvent.MEMORY_READ_UNCLAIMED));
            assertTrue(fn.accesses.isEmpty(), "the model saw nothing");
        }
    }

    @Test
    void memorySpaceDisabledMeansNoDecode() throws Exception {
        TestFunction fn = new TestFunction();
        try (Fixture f = new Fixture(fn)) {
            f.enable(0);
            f.command(0, PciConfig.Command.BUS_MASTER_ENABLE);
            assertEquals(CplStatus.UR, f.host.memReadResult(Fixture.REGS, 4));
            assertEquals(CplStatus.UR, f.host.memReadResult(Fixture.REGS + 0x20, 4));
        }
    }

    @Test
    void readRunningPastTheBarEndIsRefused() throws Exception {
        try (Fixture f = new Fixture(new TestFunction())) {
            f.enable(0);
            assertEquals(CplStatus.UR, f.host.memReadResult(Fixture.REGS + 4096 - 8, 16));
            assertEquals(1, f.endpoint.counters().get(RouterEvent.CROSSES_BAR_END));
        }
    }

    @Test
    void ioReadAndWrite() throws Exception {
        TestFunction fn = new TestFunction();
        try (Fixture f = new Fixture(fn)) {
            f.enable(0);
            Completion w = f.host.single(new IoWrite(0, f.host.tag(), Fixture.IO + 4, 0b1100, new byte[] {0, 0, 0x34, 0x12}));
            assertEquals(CplStatus.SC, w.status());
            Completion r = f.host.single(new IoRead(0, f.host.tag(), Fixture.IO + 4, 0xF));
            assertEquals(CplStatus.SC, r.status());
            assertEquals(0x1234_0000, TestHost.le(r.data(), 0));
            assertEquals(new TestFunction.Access(true, TestFunction.IO, 6, 2, 0x1234), fn.accesses.getFirst());
            assertEquals(CplStatus.UR, f.host.single(new IoRead(0, f.host.tag(), 0x8000, 0xF)).status());
            assertEquals(1, f.endpoint.counters().get(RouterEvent.IO_UNCLAIMED));
        }
    }

    @Test
    void poisonedWritesAreDropped() throws Exception {
        TestFunction fn = new TestFunction();
        try (Fixture f = new Fixture(fn)) {
            f.enable(0);
            f.host.port.send(new MemWrite(0, 0, Fixture.REGS, 0xF, 0, false, new Attributes(0, false, false, false, true),
                    TestHost.le(0x55)));
            assertEquals(0, f.host.memReadValue(Fixture.REGS, 4));
            assertEquals(1, f.endpoint.counters().get(RouterEvent.POISONED_WRITE));
        }
    }

    @Test
    void messagesAreIgnoredOrCountedAsUnsupported() throws Exception {
        try (Fixture f = new Fixture(new TestFunction())) {
            f.host.port.send(new Message(0, 0, MessageRouting.BROADCAST_FROM_ROOT_COMPLEX, TlpRouter.PME_TURN_OFF, 0, Attributes.DEFAULT, null));
            f.host.port.send(Message.vendorDefined(0, true, 0, 0x1AF4, 0, null));
            f.host.port.send(Message.vendorDefined(0, false, 0, 0x1AF4, 0, null));
            f.host.port.send(Message.assertIntx(0, 0));
            Await.until(() -> f.endpoint.counters().get(RouterEvent.MESSAGE_UNSUPPORTED) == 2, "unsupported messages counted");
            assertEquals(2, f.endpoint.counters().get(RouterEvent.MESSAGE_IGNORED));
        }
    }

    @Test
    void unexpectedCompletionIsCountedAndDropped() throws Exception {
        try (Fixture f = new Fixture(new TestFunction())) {
            f.host.port.send(new Completion(0, CplStatus.SC, false, 4, Fixture.bdf(0), 17, 0, Attributes.DEFAULT, new byte[4]));
            f.host.port.send(new Completion(0, CplStatus.SC, false, 4, Fixture.bdf(3), 17, 0, Attributes.DEFAULT, new byte[4]));
            Await.until(() -> f.endpoint.counters().get(RouterEvent.UNEXPECTED_COMPLETION) == 2, "both counted");
            assertInstanceOf(String.class, f.endpoint.counters().snapshot().toString());
        }
    }
}
