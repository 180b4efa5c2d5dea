package dev.vpcie.fabric;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.vrc.Counter;
import dev.vpcie.vrc.PcieDevice;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Issue 15's first scale test (root only; skipped visibly otherwise): one endpoint process
 * hosting 32 dmatest identities on one port of a VLAN-filtering bridge, one VRC in the same group
 * on another port. All 32 are enumerated, each at its own bus, all 32 are in the VRC's lspci, and
 * 32 checked DMA copies run at once without an error.
 */
class ThirtyTwoEndpointsTest {
    static final int GROUP = 11, ENDPOINTS = 32;

    @Test
    void thirtyTwoEndpointsEnumerateAndCopyAtOnce() throws Exception {
        String why = Fabric.unavailableReason();
        Assumptions.assumeTrue(why == null, () -> "scale test skipped: " + why);
        try (Fabric fabric = Fabric.create(FabricLayout.oneGroup(GROUP, ENDPOINTS));
             EndpointHost host = EndpointHost.start(fabric.host(0), GROUP, ENDPOINTS);
             FabricVrc vrc = FabricVrc.start(fabric.vrc(0), GROUP, 64L << 20)) {
            List<PcieDevice> devices = vrc.connectAndEnumerate(ENDPOINTS, Duration.ofMillis(300), Duration.ofSeconds(60));
            assertEquals(ENDPOINTS, devices.size(), () -> "functions enumerated: " + devices + "\n" + fabric.vlans());
            assertEquals(ENDPOINTS, devices.stream().map(d -> d.bdf() >> 8).distinct().count(), "each endpoint on a bus of its own");

            String listing = vrc.lspci();
            List<String> lines = listing.lines().toList();
            assertEquals(ENDPOINTS, lines.size(), listing);
            for (PcieDevice d : devices)
                assertTrue(lines.stream().anyMatch(l -> l.startsWith(d.name() + " System peripheral")), () -> d.name() + " in lspci:\n" + listing);

            CheckedCopies.Result copies = CheckedCopies.run(vrc.rootComplex(), devices, 64 << 10, TimeUnit.SECONDS.toNanos(60));
            assertTrue(copies.ok(), copies::describe);
            assertEquals(0, vrc.rootComplex().counters().get(Counter.DMA_READ_REFUSED) + vrc.rootComplex().counters().get(Counter.DMA_WRITE_REFUSED));
        }
    }
}
