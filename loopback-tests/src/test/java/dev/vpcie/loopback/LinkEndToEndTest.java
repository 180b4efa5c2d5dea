package dev.vpcie.loopback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.endpoint.DeviceRegistry;
import dev.vpcie.endpoint.Endpoint;
import dev.vpcie.endpoint.EndpointConfig;
import dev.vpcie.protocol.link.Announcement;
import dev.vpcie.protocol.link.Link;
import dev.vpcie.protocol.link.LinkConfig;
import dev.vpcie.protocol.link.LinkEndpoint;
import dev.vpcie.protocol.transport.FaultInjectingTransport;
import dev.vpcie.protocol.transport.FrameTransport;
import dev.vpcie.protocol.transport.MemoryTransport;
import dev.vpcie.testsupport.Await;
import dev.vpcie.vrc.PcieDevice;
import dev.vpcie.vrc.RootComplex;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The VRC and the endpoint over the real link layer (discovery, sessions, ACK/NAK and replay) on
 * an in-memory cable, clean and with frame loss: the endpoint is found by discovery, enumerated,
 * moves data and interrupts; when its process ends and a new one starts, the VRC notices and the
 * device works again after re-enumeration.
 */
class LinkEndToEndTest {
    private static final int GROUP = 7;
    /**
     * Link down after 5 s of silence (default 1 s): nothing here is about silence, and a pause of a
     * loaded machine must not end a session mid-test. A lost CLOSE is noticed by this timeout.
     */
    private static final LinkConfig LINK = LinkConfig.defaults().withGroup(GROUP).withKeepalive(Duration.ofMillis(100), Duration.ofSeconds(5));

    /** The endpoint process: its link layer and the endpoint it serves. */
    private record EndpointProcess(LinkEndpoint links, Endpoint endpoint) implements AutoCloseable {
        static EndpointProcess start(FrameTransport transport) {
            LinkEndpoint links = LinkEndpoint.start(transport, LINK);
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

    private static FrameTransport lossy(FrameTransport t, int lossPercent, long seed) {
        return lossPercent == 0 ? t : new FaultInjectingTransport(t, FaultInjectingTransport.Faults.NONE.withLoss(lossPercent).withSeed(seed));
    }

    @ParameterizedTest(name = "{0} % frame loss")
    @ValueSource(ints = {0, 5})
    void discoveredEnumeratedUsedRestartedAndUsedAgain(int loss) throws Exception {
        try (MemoryTransport.Pair cable = MemoryTransport.pair();
             LinkEndpoint vrcLinks = LinkEndpoint.start(lossy(cable.a(), loss, 1), LINK);
             RootComplex rc = new RootComplex(InMemoryPair.rcConfig(32L << 20))) {
            FrameTransport endpointSide = lossy(cable.b(), loss, 2);
            EndpointProcess[] process = {EndpointProcess.start(endpointSide)};
            try {
                List<Announcement> found = LinkRig.discover(vrcLinks, Duration.ofMillis(300));
                assertEquals(1, found.size(), "one endpoint in the group: " + found);
                Announcement a = found.getFirst();
                assertTrue(a.text().contains("00.0 dmatest [1af4:10f0] class 088000") && a.text().endsWith("owner=none"), a.text());

                Link link = vrcLinks.connect(a.address(), a.instance());
                rc.attach(link);
                assertTrue(link.awaitUp(Duration.ofSeconds(5)), "session up");
                Await.until(() -> process[0].endpoint().owner().isPresent(), "the endpoint is owned");
                PcieDevice d = DeviceChecks.onlyDmatest(rc);
                DeviceChecks.mmioWidths(d);
                DeviceChecks.copies(rc, d, 1, 4097, (1 << 20) + 5);
                DeviceChecks.interrupts(rc, d);
                DeviceChecks.refusedDma(rc, d);
                assertTrue(LinkRig.discover(vrcLinks, Duration.ofMillis(300)).getFirst().text().contains("owner=" + cable.a().address()),
                        "the announcement names the owner");

                long firstEpoch = link.peerEpoch();
                process[0].close(); // the endpoint process ends (its link layer says goodbye)
                Await.until(() -> !link.isUp(), "the VRC sees the session end");
                assertEquals(0xFFFF_FFFFL, d.mmioRead(0, 0, 4).value(), "a gone endpoint reads as all-ones");

                process[0] = EndpointProcess.start(endpointSide); // a new process on the same interface
                // The link's epoch, not EndpointLink.restarted(): EndpointLink learns epochs from the sessions it saw
                // come up, and the first may have come up before rc.attach() made it the link's handler.
                Await.until(() -> link.isUp() && link.peerEpoch() != firstEpoch, "a session with the new endpoint process (new epoch)");
                PcieDevice again = DeviceChecks.onlyDmatest(rc);
                DeviceChecks.copies(rc, again, 65_537);
                DeviceChecks.interrupts(rc, again);
            } finally {
                process[0].close();
            }
        }
    }
}
