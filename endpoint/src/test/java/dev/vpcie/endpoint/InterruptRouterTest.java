package dev.vpcie.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.devices.config.MsiCapability;
import dev.vpcie.protocol.pci.PciConfig;
import dev.vpcie.protocol.tlp.MemWrite;
import dev.vpcie.protocol.tlp.Message;
import dev.vpcie.protocol.tlp.Tlp;
import java.util.List;
import org.junit.jupiter.api.Test;

/** MSI-X, MSI and INTx chosen by the configuration enables, with masking and pending bits. */
class InterruptRouterTest {
    private static final long MSI_ADDRESS = 0xFEE0_0000L;
    private static final long MSI_ADDRESS_64 = 0x10_FEE0_0000L;

    /** Programs MSI-X entry {@code vector} through BAR4 and unmasks it unless told otherwise. */
    private static void msixEntry(Fixture f, int vector, long address, int data, boolean masked) throws Exception {
        long e = Fixture.MSIX + 16L * vector;
        f.host.memWriteValue(e, 8, address);
        f.host.memWriteValue(e + 8, 4, data);
        f.host.memWriteValue(e + 12, 4, masked ? 1 : 0);
        f.host.memReadValue(e + 12, 4); // flush the posted writes before the function raises anything
    }

    private static int msixControlOffset(TestFunction fn) { return fn.msix.offset(); }

    /** Writes Message Control of MSI-X (the upper half of the capability's first dword). */
    private static void msixControl(Fixture f, TestFunction fn, boolean enable, boolean functionMask) throws Exception {
        int control = (enable ? 1 << 15 : 0) | (functionMask ? 1 << 14 : 0);
        f.host.configWrite(Fixture.bdf(0), msixControlOffset(fn), control << 16, 0b1100);
    }

    private static MsiCapability msi(TestFunction fn) { return fn.config().msi().orElseThrow(); }

    /** Programs MSI: 64-bit address, data, log2 of the vectors granted, and enables it. */
    private static void msiEnable(Fixture f, TestFunction fn, long address, int data, int log2Vectors) throws Exception {
        int at = msi(fn).offset();
        f.host.configWrite(Fixture.bdf(0), at + 4, (int) address);
        f.host.configWrite(Fixture.bdf(0), at + 8, (int) (address >>> 32));
        f.host.configWrite(Fixture.bdf(0), at + 0xC, data, 0b0011);
        f.host.configWrite(Fixture.bdf(0), at, (1 | log2Vectors << 4) << 16, 0b1100);
    }

    private static void msiMask(Fixture f, TestFunction fn, int mask) throws Exception {
        f.host.configWrite(Fixture.bdf(0), msi(fn).offset() + 0x10, mask);
    }

    private static void raise(Fixture f, TestFunction fn, int vector) throws Exception {
        f.onFunction(0, () -> {
            fn.context.interrupts().raise(vector);
            return null;
        });
    }

    private static void level(Fixture f, TestFunction fn, boolean asserted) throws Exception {
        f.onFunction(0, () -> {
            fn.context.interrupts().setLevel(asserted);
            return null;
        });
    }

    private static MemWrite messageWrite(Tlp t) {
        return assertInstanceOf(MemWrite.class, t);
    }

    @Test
    void msixSendsTheTableEntry() throws Exception {
        TestFunction fn = new TestFunction();
        try (Fixture f = new Fixture(fn)) {
            f.enable(0);
            msixEntry(f, 2, MSI_ADDRESS + 0x40, 0x4321, false);
            msixControl(f, fn, true, false);
            raise(f, fn, 2);
            MemWrite w = messageWrite(f.host.nextMessage());
            assertEquals(MSI_ADDRESS + 0x40, w.address());
            assertEquals(0x4321, TestHost.le(w.data(), 0));
            assertEquals(0xF, w.firstBe());
            assertEquals(Fixture.bdf(0), w.requester());
        }
    }

    @Test
    void maskedMsixVectorSetsItsPbaBitAndFiresWhenUnmasked() throws Exception {
        TestFunction fn = new TestFunction();
        try (Fixture f = new Fixture(fn)) {
            f.enable(0);
            msixEntry(f, 1, MSI_ADDRESS, 7, true);
            msixControl(f, fn, true, false);
            raise(f, fn, 1);
            assertEquals(0b10, f.host.memReadValue(Fixture.MSIX + 0x800, 8), "PBA bit 1 set");
            assertTrue(f.host.messages.isEmpty(), "no message while masked");
            f.host.memWriteValue(Fixture.MSIX + 16 + 12, 4, 0); // unmask vector 1
            MemWrite w = messageWrite(f.host.nextMessage());
            assertEquals(7, TestHost.le(w.data(), 0));
            assertEquals(0, f.host.memReadValue(Fixture.MSIX + 0x800, 8), "PBA bit cleared");
        }
    }

    @Test
    void functionMaskHoldsEveryVector() throws Exception {
        TestFunction fn = new TestFunction();
        try (Fixture f = new Fixture(fn)) {
            f.enable(0);
            msixEntry(f, 0, MSI_ADDRESS, 0x10, false);
            msixEntry(f, 3, MSI_ADDRESS, 0x13, false);
            msixControl(f, fn, true, true);
            raise(f, fn, 0);
            raise(f, fn, 3);
            assertEquals(0b1001, f.host.memReadValue(Fixture.MSIX + 0x800, 8));
            msixControl(f, fn, true, false);
            assertEquals(0x10, TestHost.le(messageWrite(f.host.nextMessage()).data(), 0));
            assertEquals(0x13, TestHost.le(messageWrite(f.host.nextMessage()).data(), 0));
        }
    }

    @Test
    void msixVectorBeyondTheTableIsCountedAndDropped() throws Exception {
        TestFunction fn = new TestFunction();
        try (Fixture f = new Fixture(fn)) {
            f.enable(0);
            msixControl(f, fn, true, false);
            raise(f, fn, 9);
            assertEquals(1, fn.context.counters().get("interrupt-dropped-bad-vector"));
        }
    }

    @Test
    void msiSendsDataWithTheVectorInItsLowBits() throws Exception {
        TestFunction fn = new TestFunction();
        try (Fixture f = new Fixture(fn)) {
            f.enable(0);
            msiEnable(f, fn, MSI_ADDRESS_64, 0x4560, 2); // 4 vectors granted
            raise(f, fn, 2);
            MemWrite w = messageWrite(f.host.nextMessage());
            assertEquals(MSI_ADDRESS_64, w.address());
            assertTrue(w.longAddress(), "a 64-bit address takes the 4DW header");
            assertEquals(0x4562, TestHost.le(w.data(), 0), "upper 16 bits zero, vector in the low bits");
        }
    }

    @Test
    void msiFoldsVectorsOntoThoseGranted() throws Exception {
        TestFunction fn = new TestFunction();
        try (Fixture f = new Fixture(fn)) {
            f.enable(0);
            msiEnable(f, fn, MSI_ADDRESS, 0x20, 1); // 2 vectors granted
            raise(f, fn, 3);
            assertEquals(0x21, TestHost.le(messageWrite(f.host.nextMessage()).data(), 0));
            msiEnable(f, fn, MSI_ADDRESS, 0x20, 0); // 1 vector
            raise(f, fn, 3);
            assertEquals(0x20, TestHost.le(messageWrite(f.host.nextMessage()).data(), 0));
        }
    }

    @Test
    void maskedMsiVectorIsPendingUntilUnmasked() throws Exception {
        TestFunction fn = new TestFunction();
        try (Fixture f = new Fixture(fn)) {
            f.enable(0);
            msiMask(f, fn, 0b0100);
            msiEnable(f, fn, MSI_ADDRESS, 0x30, 2);
            raise(f, fn, 2);
            int pendingAt = msi(fn).offset() + 0x14;
            assertEquals(0b0100, f.host.configRead(Fixture.bdf(0), pendingAt));
            assertTrue(f.host.messages.isEmpty());
            msiMask(f, fn, 0);
            assertEquals(0x32, TestHost.le(messageWrite(f.host.nextMessage()).data(), 0));
            assertEquals(0, f.host.configRead(Fixture.bdf(0), pendingAt));
        }
    }

    @Test
    void msixTakesPrecedenceOverMsi() throws Exception {
        TestFunction fn = new TestFunction();
        try (Fixture f = new Fixture(fn)) {
            f.enable(0);
            msiEnable(f, fn, MSI_ADDRESS, 0x30, 2);
            msixEntry(f, 0, MSI_ADDRESS + 0x100, 0x99, false);
            msixControl(f, fn, true, false);
            raise(f, fn, 0);
            MemWrite w = messageWrite(f.host.nextMessage());
            assertEquals(MSI_ADDRESS + 0x100, w.address());
            assertEquals(0x99, TestHost.le(w.data(), 0));
        }
    }

    @Test
    void intxFollowsTheLevelAndInterruptDisable() throws Exception {
        TestFunction fn = new TestFunction();
        try (Fixture f = new Fixture(fn)) {
            f.enable(0);
            level(f, fn, true);
            Message m = assertInstanceOf(Message.class, f.host.nextMessage());
            assertEquals(Message.ASSERT_INTA, m.code());
            assertEquals(Fixture.bdf(0), m.requester());
            assertTrue((f.host.configRead(Fixture.bdf(0), PciConfig.COMMAND) >>> 16 & PciConfig.Status.INTERRUPT_STATUS) != 0,
                    "Status.Interrupt Status follows the line");
            int enables = PciConfig.Command.MEMORY_SPACE_ENABLE | PciConfig.Command.IO_SPACE_ENABLE | PciConfig.Command.BUS_MASTER_ENABLE;
            f.command(0, enables | PciConfig.Command.INTERRUPT_DISABLE);
            assertEquals(Message.DEASSERT_INTA, assertInstanceOf(Message.class, f.host.nextMessage()).code());
            assertTrue((f.host.configRead(Fixture.bdf(0), PciConfig.COMMAND) >>> 16 & PciConfig.Status.INTERRUPT_STATUS) != 0,
                    "Interrupt Status is set whatever Interrupt Disable says");
            f.command(0, enables);
            assertEquals(Message.ASSERT_INTA, assertInstanceOf(Message.class, f.host.nextMessage()).code());
            level(f, fn, false);
            assertEquals(Message.DEASSERT_INTA, assertInstanceOf(Message.class, f.host.nextMessage()).code());
            assertEquals(0, f.host.configRead(Fixture.bdf(0), PciConfig.COMMAND) >>> 16 & PciConfig.Status.INTERRUPT_STATUS);
            level(f, fn, false);
            assertTrue(f.host.messages.isEmpty(), "no message without a change");
        }
    }

    @Test
    void enablingMsiDeassertsIntxAndRaiseSendsNothingInIntxMode() throws Exception {
        TestFunction fn = new TestFunction();
        try (Fixture f = new Fixture(fn)) {
            f.enable(0);
            raise(f, fn, 0);
            assertEquals(1, fn.context.counters().get("interrupt-raised-without-msi"));
            level(f, fn, true);
            assertEquals(Message.ASSERT_INTA, assertInstanceOf(Message.class, f.host.nextMessage()).code());
            msiEnable(f, fn, MSI_ADDRESS, 0, 0);
            assertEquals(Message.DEASSERT_INTA, assertInstanceOf(Message.class, f.host.nextMessage()).code());
        }
    }

    @Test
    void messagesNeedBusMasterEnable() throws Exception {
        TestFunction fn = new TestFunction();
        try (Fixture f = new Fixture(fn)) {
            f.enable(0);
            msiEnable(f, fn, MSI_ADDRESS, 0, 0);
            f.command(0, PciConfig.Command.MEMORY_SPACE_ENABLE);
            raise(f, fn, 0);
            assertEquals(1, fn.context.counters().get("interrupt-dropped-bus-master-disabled"));
            assertTrue(f.host.messages.isEmpty());
        }
    }

    @Test
    void interruptArrivesAfterTheDataWrittenBeforeIt() throws Exception {
        TestFunction fn = new TestFunction();
        try (Fixture f = new Fixture(fn)) {
            f.enable(0);
            msixEntry(f, 0, MSI_ADDRESS, 1, false);
            msixControl(f, fn, true, false);
            f.onFunction(0, () -> {
                fn.context.dma().write(TestHost.MEMORY_BASE, new byte[8192], 0, 8192);
                fn.context.interrupts().raise(0);
                return null;
            });
            f.host.nextMessage();
            List<Tlp> sent = f.host.fromDevice;
            int interrupt = -1, lastData = -1;
            for (int i = 0; i < sent.size(); i++) {
                if (sent.get(i) instanceof MemWrite w) {
                    if (w.address() == MSI_ADDRESS) interrupt = i;
                    else lastData = i;
                }
            }
            assertTrue(lastData >= 0 && interrupt > lastData, "the interrupt follows every data write");
            assertFalse(f.host.messages.stream().anyMatch(t -> t instanceof MemWrite w && w.address() != MSI_ADDRESS));
        }
    }
}
