package dev.vpcie.loopback;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.endpoint.DeviceRegistry;
import dev.vpcie.endpoint.Endpoint;
import dev.vpcie.endpoint.EndpointConfig;
import dev.vpcie.protocol.nettlp.NetTlpCounters;
import dev.vpcie.protocol.nettlp.NetTlpPorts;
import dev.vpcie.protocol.tlp.Completion;
import dev.vpcie.protocol.tlp.MemRead;
import dev.vpcie.vrc.Access;
import dev.vpcie.vrc.Counter;
import dev.vpcie.vrc.DmaBuffer;
import dev.vpcie.vrc.Outcome;
import dev.vpcie.vrc.PcieDevice;
import dev.vpcie.vrc.RootComplex;
import dev.vpcie.vrc.RootComplexConfig;
import dev.vpcie.vrc.drivers.DmaTestDriver;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The dmatest device end to end over NetTLP's encapsulation: an endpoint (libtlp's role) on
 * 127.0.0.2 and a VRC (the adapter and host) on 127.0.0.1, each on its own loop, over real UDP
 * sockets on NetTLP's ports. Without a link layer, a lost datagram must surface as a completion
 * timeout, never as wrong data.
 */
class NetTlpEndToEndTest {
    private static final long SECOND = 1_000_000_000L;

    /** A VRC and an endpoint with one dmatest, joined over NetTLP. */
    private static final class Rig implements AutoCloseable {
        final RootComplex rc;
        final Endpoint endpoint;
        final NetTlpJoin net;

        Rig(RootComplexConfig rcConfig, EndpointConfig epConfig) throws Exception {
            rc = new RootComplex(rcConfig);
            endpoint = Endpoint.builder().config(epConfig).function(DeviceRegistry.create("dmatest", 0)).build();
            net = NetTlpJoin.join(rc, endpoint);
        }

        Rig() throws Exception { this(InMemoryPair.rcConfig(64L << 20), InMemoryPair.ENDPOINT); }

        @Override public void close() {
            endpoint.close();
            rc.close();
            net.close();
        }
    }

    @Test void enumerationMmioAndInterruptsWork() throws Exception {
        try (Rig r = new Rig()) {
            PcieDevice d = DeviceChecks.onlyDmatest(r.rc);
            DeviceChecks.mmioWidths(d);
            DeviceChecks.interrupts(r.rc, d);
            // configuration and MMIO requests went out on the 0x4000 ports, the device's DMA on 0x3000 + tag
            long mmio = 0, dma = 0;
            for (int p = 0; p < NetTlpPorts.MMIO_PORTS; p++) mmio += r.net.host.counters().sentOn(NetTlpPorts.MMIO_BASE + p);
            for (int p = 0; p < NetTlpPorts.DMA_PORTS; p++) dma += r.net.host.counters().receivedOn(NetTlpPorts.DMA_BASE + p);
            assertTrue(mmio > 0 && dma > 0, "mmio " + mmio + ", dma " + dma);
            assertEquals(0, r.net.host.counters().get(NetTlpCounters.Event.MALFORMED) + r.net.device.counters().get(NetTlpCounters.Event.MALFORMED));
        }
    }

    @Test void dmaCopiesAreByteIdenticalAtOddAlignments() throws Exception {
        try (Rig r = new Rig()) {
            PcieDevice d = DeviceChecks.onlyDmatest(r.rc);
            DeviceChecks.copies(r.rc, d, 1, 2, 3, 5, 63, 64, 65, 511, 513, 4095, 4097, 65_537, 1 << 20);
            assertEquals(0, r.rc.counters().get(Counter.COMPLETION_TIMEOUT));
        }
    }

    @Test void dmaOutsideTheWindowsIsRefused() throws Exception {
        try (Rig r = new Rig()) {
            DeviceChecks.refusedDma(r.rc, DeviceChecks.onlyDmatest(r.rc));
        }
    }

    /** The VRC's own DMA read answers come one CplD per MRd, as libtlp expects. */
    @Test void everyDeviceReadGetsOneCompletion() throws Exception {
        try (Rig r = new Rig()) {
            PcieDevice d = DeviceChecks.onlyDmatest(r.rc);
            long readsBefore = r.rc.counters().get(Counter.DMA_READ), cplBefore = r.rc.counters().get(Counter.DMA_READ_COMPLETION);
            DeviceChecks.copies(r.rc, d, 4096, 3001);
            long reads = r.rc.counters().get(Counter.DMA_READ) - readsBefore;
            assertTrue(reads > 0);
            assertEquals(reads, r.rc.counters().get(Counter.DMA_READ_COMPLETION) - cplBefore);
        }
    }

    /** An MMIO read whose request is lost is all-ones after the VRC's completion timeout, and counted. */
    @Test void aLostMmioReadIsACompletionTimeoutNotData() throws Exception {
        try (Rig r = new Rig(InMemoryPair.rcConfig(64L << 20).withCompletionTimeout(Duration.ofMillis(300)), InMemoryPair.ENDPOINT)) {
            PcieDevice d = DeviceChecks.onlyDmatest(r.rc);
            AtomicBoolean dropNext = new AtomicBoolean(true);
            r.net.host.dropBeforeSend(t -> t instanceof MemRead && dropNext.getAndSet(false));
            long before = r.rc.counters().get(Counter.COMPLETION_TIMEOUT);
            Access a = d.mmioRead(0, 0, 4);
            assertEquals(Outcome.TIMEOUT, a.outcome());
            assertEquals(0xFFFF_FFFFL, a.value());
            assertEquals(before + 1, r.rc.counters().get(Counter.COMPLETION_TIMEOUT));
            assertEquals(1, r.net.host.counters().get(NetTlpCounters.Event.INJECTED_DROP));
            assertEquals(DmaTestRegistersView.ID_VALUE, d.mmioRead(0, 0, 4).value(), "the next read goes through");
        }
    }

    /** A device DMA read whose completion is lost fails the device's command; the target keeps its old bytes. */
    @Test void aLostDmaCompletionIsATimeoutInTheDeviceNotCorruptData() throws Exception {
        EndpointConfig ep = EndpointConfig.defaults().withCompletionTimeout(Duration.ofMillis(300));
        try (Rig r = new Rig(InMemoryPair.rcConfig(64L << 20), ep)) {
            PcieDevice d = DeviceChecks.onlyDmatest(r.rc);
            DmaBuffer src = r.rc.hostMemory().allocate(8192), dst = r.rc.hostMemory().allocate(8192);
            d.mapDma(src);
            d.mapDma(dst);
            byte[] content = new byte[8192];
            new Random(3).nextBytes(content);
            src.segment().copyFrom(MemorySegment.ofArray(content));
            dst.segment().fill((byte) 0x11);
            AtomicBoolean dropNext = new AtomicBoolean(true);
            r.net.host.dropBeforeSend(t -> t instanceof Completion c && c.hasData() && dropNext.getAndSet(false));
            try (DmaTestDriver drv = new DmaTestDriver(d)) {
                DmaTestDriver.Completion c = drv.run(DmaTestDriver.Op.COPY, src.busAddress(), dst.busAddress(), 8192, 0, 30 * SECOND);
                assertNotNull(c, "the command ends");
                assertNotEquals(0, c.status(), "the device reports the failed read: " + c.statusName());
                assertEquals(1, r.net.host.counters().get(NetTlpCounters.Event.INJECTED_DROP));
                byte[] got = dst.segment().toArray(ValueLayout.JAVA_BYTE);
                for (int i = 0; i < got.length; i++)
                    assertTrue(got[i] == content[i] || got[i] == 0x11, "byte " + i + " is either copied or untouched, never invented");
                // and the device works again
                dst.segment().fill((byte) 0);
                DmaTestDriver.Completion again = drv.run(DmaTestDriver.Op.COPY, src.busAddress(), dst.busAddress(), 8192, 0, 30 * SECOND);
                assertTrue(again.ok(), again.statusName());
                assertArrayEquals(content, dst.segment().toArray(ValueLayout.JAVA_BYTE));
            }
        }
    }
}
