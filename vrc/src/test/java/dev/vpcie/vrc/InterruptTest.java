package dev.vpcie.vrc;

import static org.junit.jupiter.api.Assertions.*;

import dev.vpcie.protocol.tlp.MemWrite;
import dev.vpcie.testsupport.Await;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class InterruptTest {

    @Test void msixVectorRunsItsHandler() throws Exception {
        try (Fixture fx = Fixture.nic()) {
            PcieDevice d = fx.enumerateOne();
            CountDownLatch two = new CountDownLatch(1);
            AtomicInteger others = new AtomicInteger();
            d.onInterrupt(2, two::countDown);
            d.onInterrupt(0, others::incrementAndGet);
            assertEquals(4, d.enableMsix(4));
            assertEquals(PcieDevice.InterruptMode.MSIX, d.interruptMode());
            FakeFunction f = fx.endpoint.functions[0];
            assertEquals(0x8000, f.get16(0x72) & 0xC000, "MSI-X enabled, function unmasked");
            assertEquals(0x0400, f.get16(0x04) & 0x0400, "INTx disabled");
            assertTrue(fx.endpoint.msix(0, 2));
            assertTrue(two.await(5, TimeUnit.SECONDS));
            assertFalse(fx.endpoint.msix(0, 5), "vectors beyond the count stay masked");
            assertEquals(1, fx.rc.counters().get(Counter.MSI_DELIVERED));
            assertEquals(0, others.get());
        }
    }

    @Test void msiVectorsRunTheirHandlers() throws Exception {
        try (Fixture fx = Fixture.nic()) {
            PcieDevice d = fx.enumerateOne();
            CountDownLatch three = new CountDownLatch(1);
            d.onInterrupt(3, three::countDown);
            assertEquals(4, d.enableMsi(3), "rounded up to a power of two");
            assertEquals(8, d.enableMsi(32), "limited by Multiple Message Capable");
            assertEquals(4, d.enableMsi(4));
            assertTrue(fx.endpoint.msi(0, 3));
            assertTrue(three.await(5, TimeUnit.SECONDS));
            assertEquals(PcieDevice.InterruptMode.MSI, d.interruptMode());
        }
    }

    @Test void intxAssertRunsTheHandlerOncePerLevelChange() throws Exception {
        try (Fixture fx = Fixture.nic()) {
            PcieDevice d = fx.enumerateOne();
            AtomicInteger calls = new AtomicInteger();
            d.onInterrupt(0, calls::incrementAndGet);
            d.enableIntx();
            assertEquals(0, fx.endpoint.functions[0].get16(0x04) & 0x0400, "Interrupt Disable cleared");
            fx.endpoint.intx(0, true);
            Await.until(() -> calls.get() == 1, "handler ran");
            fx.endpoint.intx(0, true); // still asserted: no new edge
            fx.endpoint.intx(0, false);
            Await.until(() -> fx.rc.counters().get(Counter.INTX_DEASSERT) == 1, "deassert seen");
            assertFalse(d.intxAsserted());
            fx.endpoint.intx(0, true);
            Await.until(() -> calls.get() == 2, "handler ran again");
            assertEquals(3, fx.rc.counters().get(Counter.INTX_ASSERT));
            assertTrue(d.intxAsserted());
        }
    }

    @Test void forgedOrStrayMessageWritesAreRefused() throws Exception {
        try (Fixture fx = Fixture.nic()) {
            PcieDevice d = fx.enumerateOne();
            d.enableMsix(2);
            long base = fx.rc.msiWindow().base();
            // Right address, vector out of range.
            fx.ports[1].send(new MemWrite(d.bdf(), 0, base, 0xF, 0, new byte[] {9, 0, 0, 0}));
            // Right address, wrong requester.
            fx.ports[1].send(new MemWrite(d.bdf() + 1, 0, base, 0xF, 0, new byte[] {0, 0, 0, 0}));
            // Address no vector was given.
            fx.ports[1].send(new MemWrite(d.bdf(), 0, base + 0x4000, 0xF, 0, new byte[] {0, 0, 0, 0}));
            Await.until(() -> fx.rc.counters().get(Counter.MSI_REFUSED) == 3, "refusals counted");
            assertEquals(0, fx.rc.counters().get(Counter.MSI_DELIVERED));
        }
    }

    @Test void interruptWithoutHandlerIsCounted() throws Exception {
        try (Fixture fx = Fixture.nic()) {
            PcieDevice d = fx.enumerateOne();
            d.enableMsix(1);
            fx.endpoint.msix(0, 0);
            Await.until(() -> fx.rc.counters().get(Counter.INTERRUPT_UNHANDLED) == 1, "counted");
        }
    }

    @Test void disableTurnsEverythingOff() throws Exception {
        try (Fixture fx = Fixture.nic()) {
            PcieDevice d = fx.enumerateOne();
            d.enableMsix(2);
            d.disableInterrupts();
            FakeFunction f = fx.endpoint.functions[0];
            assertEquals(0, f.get16(0x72) & 0x8000);
            assertEquals(0, f.get16(0x52) & 1);
            assertEquals(0x0400, f.get16(0x04) & 0x0400);
            assertFalse(fx.endpoint.msix(0, 0));
        }
    }
}
