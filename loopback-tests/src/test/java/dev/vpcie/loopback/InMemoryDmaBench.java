package dev.vpcie.loopback;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vpcie.endpoint.EndpointConfig;
import dev.vpcie.protocol.pci.PciConfig;
import dev.vpcie.vrc.PcieDevice;
import dev.vpcie.vrc.RootComplexConfig;
import dev.vpcie.vrc.bench.DmaBench;
import dev.vpcie.vrc.drivers.DmaTestDriver;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The transaction layers of both sides without a network: what the VRC, the endpoint and the
 * dmatest model cost by themselves. Prints figures; asserts only that nothing failed. Runs with
 * {@code -Dvpcie.bench=true} (a minute or so of both cores); {@code -Dvpcie.bench.bytes=N} bytes per
 * size (default 16 MiB), {@code -Dvpcie.bench.extendedTags=false} to leave Extended Tag Field Enable
 * clear (32 reads in flight instead of 256).
 */
class InMemoryDmaBench {

    @Test
    void dmaBandwidthInMemory() throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("vpcie.bench"), "benchmark skipped: run with -Dvpcie.bench=true");
        try (InMemoryPair p = new InMemoryPair(RootComplexConfig.defaults().withHostMemorySize(64L << 20), EndpointConfig.defaults(), "dmatest")) {
            PcieDevice d = p.enumerateOne();
            boolean extendedTags = Boolean.parseBoolean(System.getProperty("vpcie.bench.extendedTags", "true"));
            if (extendedTags) { // as Linux does for every device that supports 8-bit tags (pci_configure_extended_tags)
                int devctl = d.capability(PciConfig.CapId.PCI_EXPRESS).orElseThrow().offset() + PciConfig.Pcie.DEVICE_CONTROL;
                d.configWrite(devctl, 2, d.configRead(devctl, 2).value() | PciConfig.Pcie.DEVCTL_EXTENDED_TAG);
            }
            try (DmaTestDriver drv = new DmaTestDriver(d)) {
                DmaBench.Result r = DmaBench.run(drv, List.of(DmaBench.Mode.READ, DmaBench.Mode.WRITE, DmaBench.Mode.COPY),
                        DmaBench.defaultSizes(), Long.getLong("vpcie.bench.bytes", 16L << 20), 60_000_000_000L);
                System.out.println("in-memory dmatest bandwidth (MPS " + d.maxPayloadSize() + ", MRRS " + d.maxReadRequestSize()
                        + (extendedTags ? ", 8-bit tags" : ", 5-bit tags") + ")");
                for (DmaBench.Row row : r.rows()) {
                    System.out.printf("  %-5s %8d B  %7.2f Gbit/s  %10.0f TLPs/s%s%n", row.mode(), row.size(), row.gigabitsPerSecond(),
                            row.tlpsPerSecond(), row.failed() > 0 ? "  FAILED " + row.failed() : "");
                }
                System.out.println("  TLP ping-pong " + r.tlpPingPong());
                System.out.println("  endpoint " + p.endpoint.counters().snapshot() + "; function " + p.endpoint.function(0).counters().snapshot());
                System.out.println("  root complex " + p.rc.counters());
                assertEquals(0, r.rows().stream().mapToInt(DmaBench.Row::failed).sum(), "no command failed");
            }
        }
    }
}
