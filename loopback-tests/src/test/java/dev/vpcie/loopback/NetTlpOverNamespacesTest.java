package dev.vpcie.loopback;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vpcie.endpoint.DeviceRegistry;
import dev.vpcie.endpoint.Endpoint;
import dev.vpcie.protocol.nettlp.NetTlpCounters;
import dev.vpcie.testsupport.netns.VethTestbedExtension;
import dev.vpcie.vrc.Counter;
import dev.vpcie.vrc.PcieDevice;
import dev.vpcie.vrc.RootComplex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * dmatest over NetTLP's encapsulation between two network namespaces joined by a veth pair: the
 * VRC's sockets on 10.77.0.1 in one, the endpoint's on 10.77.0.2 in the other, as two hosts
 * would have them. Needs root (skipped with a message otherwise).
 */
class NetTlpOverNamespacesTest {
    @RegisterExtension
    static final VethTestbedExtension testbed = VethTestbedExtension.of("ntlp", "NetTLP over namespaces");

    @Test void dmatestEnumeratesCopiesAndInterruptsAcrossNamespaces() throws Exception {
        RootComplex rc = new RootComplex(InMemoryPair.rcConfig(64L << 20));
        Endpoint endpoint = Endpoint.builder().config(InMemoryPair.ENDPOINT).function(DeviceRegistry.create("dmatest", 0)).build();
        try (NetTlpJoin net = NetTlpJoin.join(rc, endpoint, testbed.get())) {
            PcieDevice d = DeviceChecks.onlyDmatest(rc);
            DeviceChecks.mmioWidths(d);
            DeviceChecks.copies(rc, d, 1, 63, 4097, 65_537, 1 << 20);
            DeviceChecks.interrupts(rc, d);
            assertEquals(0, rc.counters().get(Counter.COMPLETION_TIMEOUT));
            assertEquals(0, net.host.counters().get(NetTlpCounters.Event.MALFORMED) + net.host.counters().get(NetTlpCounters.Event.WRONG_PORT));
        } finally {
            endpoint.close();
            rc.close();
        }
    }
}
