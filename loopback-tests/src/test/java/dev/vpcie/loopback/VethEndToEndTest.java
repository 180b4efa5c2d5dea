package dev.vpcie.loopback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.endpoint.DeviceRegistry;
import dev.vpcie.endpoint.Endpoint;
import dev.vpcie.endpoint.EndpointConfig;
import dev.vpcie.protocol.encap.FrameCodec;
import dev.vpcie.protocol.link.Announcement;
import dev.vpcie.protocol.link.Link;
import dev.vpcie.protocol.link.LinkConfig;
import dev.vpcie.protocol.link.LinkEndpoint;
import dev.vpcie.protocol.netns.FrameLoss;
import dev.vpcie.protocol.netns.NetNamespace;
import dev.vpcie.protocol.netns.VethTestbed;
import dev.vpcie.protocol.transport.AfPacketTransport;
import dev.vpcie.protocol.transport.FrameTransport;
import dev.vpcie.protocol.transport.PcapTransport;
import dev.vpcie.vrc.Counter;
import dev.vpcie.vrc.PcieDevice;
import dev.vpcie.vrc.RootComplex;
import dev.vpcie.vrc.RootComplexConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The VRC in one network namespace and the endpoint with dmatest in another, joined by a veth
 * pair, over the AF_PACKET and pcap transports, clean and with 5 % of the frames each side sends
 * dropped by nftables: discovery, enumeration, MMIO, DMA copies at odd alignments, MSI-X/MSI/INTx,
 * DMA windows, a hung endpoint reading all-ones within the completion timeout, and an endpoint
 * restart noticed and recovered by re-enumeration. Needs root (skipped with a message otherwise).
 */
class VethEndToEndTest {
    private static final int GROUP = 7;
    private static VethTestbed testbed;

    @BeforeAll
    static void createTestbed() throws IOException {
        String why = NetNamespace.unavailableReason();
        Assumptions.assumeTrue(why == null, () -> "veth end-to-end tests skipped: " + why);
        testbed = VethTestbed.create("e2e");
    }

    @AfterAll
    static void deleteTestbed() {
        if (testbed != null) testbed.close();
        testbed = null;
    }

    private static FrameTransport open(String transport, NetNamespace ns, String iface) throws IOException {
        return ns.call(() -> switch (transport) {
            case "af_packet" -> AfPacketTransport.open(iface, FrameCodec.DEFAULT_ETHER_TYPE);
            case "pcap" -> PcapTransport.open(iface, FrameCodec.DEFAULT_ETHER_TYPE);
            default -> throw new IllegalArgumentException(transport);
        });
    }

    /** The endpoint process: its link layer and the endpoint it serves. */
    private record EndpointProcess(LinkEndpoint links, Endpoint endpoint) implements AutoCloseable {
        static EndpointProcess start(FrameTransport transport) {
            LinkEndpoint links = LinkEndpoint.start(transport, LinkConfig.defaults().withGroup(GROUP));
            Endpoint e = Endpoint.builder().function(DeviceRegistry.create("dmatest", 0))
                    .config(InMemoryPair.ENDPOINT.withMaxPayloadLimit(EndpointConfig.payloadLimitFor(links.maxTlpLength()))).build();
            e.serve(links);
            return new EndpointProcess(links, e);
        }

        @Override public void close() {
            links.close();
            endpoint.close();
        }
    }

    @ParameterizedTest(name = "{0}, {1} % loss")
    @CsvSource({"af_packet, 0", "af_packet, 5", "pcap, 0", "pcap, 5"})
    void theWholeDeviceOverVeth(String transport, int lossPercent) throws Exception {
        FrameTransport vrcSide = open(transport, testbed.a(), testbed.interfaceA());
        FrameTransport endpointSide = open(transport, testbed.b(), testbed.interfaceB());
        FrameLoss lossA = lossPercent == 0 ? null : testbed.a().dropEgress(testbed.interfaceA(), lossPercent);
        FrameLoss lossB = lossPercent == 0 ? null : testbed.b().dropEgress(testbed.interfaceB(), lossPercent);
        EndpointProcess[] process = {EndpointProcess.start(endpointSide)};
        // 1 s: ample for the link to repair losses, short enough for the hung-endpoint read below.
        RootComplexConfig rcConfig = InMemoryPair.rcConfig(32L << 20).withCompletionTimeout(Duration.ofSeconds(1));
        try (LinkEndpoint vrcLinks = LinkEndpoint.start(vrcSide, LinkConfig.defaults().withGroup(GROUP)); RootComplex rc = new RootComplex(rcConfig)) {
            List<Announcement> found = vrcLinks.discover(Duration.ofMillis(500));
            assertEquals(1, found.size(), "one endpoint in group " + GROUP + ": " + found);
            assertTrue(found.getFirst().text().contains("00.0 dmatest [1af4:10f0]"), found.getFirst().text());
            Link link = vrcLinks.connect(found.getFirst().address(), found.getFirst().instance());
            rc.attach(link);
            assertTrue(link.awaitUp(Duration.ofSeconds(10)), "session up");

            PcieDevice d = DeviceChecks.onlyDmatest(rc);
            DeviceChecks.mmioWidths(d);
            DeviceChecks.copies(rc, d, 1, 3, 511, 4097, 65_537, (1 << 20) + 7, 8 << 20);
            DeviceChecks.interrupts(rc, d);
            DeviceChecks.refusedDma(rc, d);
            if (lossPercent > 0) assertTrue(lossA.dropped() > 0 && lossB.dropped() > 0, "nftables dropped frames both ways");

            long firstEpoch = link.peerEpoch();
            // A hung endpoint: its functions stop but its link stays up, so only the completion timeout ends the read.
            process[0].endpoint().close();
            long timeouts = rc.counters().get(Counter.COMPLETION_TIMEOUT);
            assertEquals(0xFFFF_FFFFL, d.mmioRead(0, 0, 4), "all-ones from a hung endpoint");
            assertEquals(timeouts + 1, rc.counters().get(Counter.COMPLETION_TIMEOUT), "ended by the completion timeout");
            process[0].links().close();
            InMemoryPair.await(() -> !link.isUp(), "the session ends with the endpoint process");

            process[0] = EndpointProcess.start(endpointSide);
            // The link's epoch, not EndpointLink.restarted(): EndpointLink learns epochs from the sessions it saw
            // come up, and the first may have come up before rc.attach() made it the link's handler.
            InMemoryPair.await(() -> link.isUp() && link.peerEpoch() != firstEpoch, "a session with the new endpoint process (new epoch)");
            PcieDevice again = DeviceChecks.onlyDmatest(rc);
            DeviceChecks.copies(rc, again, 100_003);
            DeviceChecks.interrupts(rc, again);
        } finally {
            process[0].close();
            if (lossA != null) lossA.close();
            if (lossB != null) lossB.close();
            vrcSide.close();
            endpointSide.close();
        }
    }
}
