package dev.vpcie.vrc;

import static org.junit.jupiter.api.Assertions.*;

import dev.vpcie.vrc.bench.MmioBench;
import dev.vpcie.vrc.drivers.DmaTestDriver;
import org.junit.jupiter.api.Test;

class BenchAndDriverTest {

    @Test void mmioBenchRecordsBothHistograms() throws Exception {
        try (Fixture fx = Fixture.nic()) {
            PcieDevice d = fx.enumerateOne();
            MmioBench.Result r = MmioBench.run(d, 0, 0, 10, 200);
            System.out.println("in-memory MMIO read " + r.mmioRead() + "; ping-pong " + r.tlpPingPong());
            assertEquals(200, r.mmioRead().count());
            assertEquals(200, r.tlpPingPong().count());
            assertEquals(0, fx.rc.counters().get(Counter.COMPLETION_TIMEOUT));
        }
    }

    @Test void dmatestDriverRefusesOtherDevices() throws Exception {
        try (Fixture fx = Fixture.nic()) {
            PcieDevice d = fx.enumerateOne();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new DmaTestDriver(d));
            assertTrue(e.getMessage().contains("not a dmatest device"), e.getMessage());
        }
    }
}
