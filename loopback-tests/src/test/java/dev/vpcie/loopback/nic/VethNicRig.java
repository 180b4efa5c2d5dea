package dev.vpcie.loopback.nic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.devices.spi.MemoryEthernetWire;
import dev.vpcie.endpoint.Endpoint;
import dev.vpcie.endpoint.EndpointConfig;
import dev.vpcie.protocol.link.Announcement;
import dev.vpcie.protocol.link.Link;
import dev.vpcie.protocol.link.LinkConfig;
import dev.vpcie.protocol.link.LinkEndpoint;
import dev.vpcie.protocol.transport.AfPacketTransport;
import dev.vpcie.protocol.transport.FrameTransport;
import dev.vpcie.testsupport.netns.FrameLoss;
import dev.vpcie.testsupport.netns.VethTestbed;
import dev.vpcie.vrc.PcieDevice;
import dev.vpcie.vrc.RootComplex;
import dev.vpcie.vrc.RootComplexConfig;
import dev.vpcie.vrc.nic.NicDriver;
import dev.vpcie.vrc.nic.NicDrivers;
import dev.vpcie.vrc.nic.NicOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * The whole path over a real interconnect: a VRC in namespace a and an endpoint hosting a NIC
 * model in namespace b, joined by a veth pair, AF_PACKET transports and the link layer, as the
 * two commands run them; optionally with frame loss on both veth ends (nftables). The NIC's own
 * cable is in memory; its far end is for the test to plug (a {@link PeerTap}). Needs root.
 */
final class VethNicRig implements AutoCloseable {
    static final int ETHERTYPE = 0x88B5, GROUP = 9;
    static final Duration PATIENCE = Duration.ofSeconds(20);

    final VethTestbed testbed;
    final MemoryEthernetWire wire;
    final List<FrameLoss> losses = new ArrayList<>();
    private final FrameTransport endpointTransport, vrcTransport;
    private final LinkEndpoint endpointLinks, vrcLinks;
    final Endpoint endpoint;
    final Link link;
    final RootComplex rc;
    final PcieDevice device;
    private NicDriver driver;

    private static final class FunctionThread implements Executor {
        volatile Executor target;

        @Override public void execute(Runnable r) { target.execute(r); }
    }

    VethNicRig(NicRig.Model model, int lossPercent) throws Exception {
        testbed = VethTestbed.create("nicv");
        FrameTransport et = null, vt = null;
        LinkEndpoint el = null, vl = null;
        Endpoint ep = null;
        RootComplex root = null;
        try {
            if (lossPercent > 0) {
                losses.add(testbed.a().dropEgress(testbed.interfaceA(), lossPercent));
                losses.add(testbed.b().dropEgress(testbed.interfaceB(), lossPercent));
            }
            LinkConfig config = LinkConfig.defaults().withGroup(GROUP).withEtherType(ETHERTYPE)
                    .withKeepalive(Duration.ofMillis(100), Duration.ofSeconds(3));
            et = testbed.b().call(() -> AfPacketTransport.open(testbed.interfaceB(), ETHERTYPE));
            el = LinkEndpoint.start(et, config);
            FunctionThread functionThread = new FunctionThread();
            wire = new MemoryEthernetWire(9014, functionThread, Runnable::run);
            ep = Endpoint.builder().config(EndpointConfig.defaults().withCompletionTimeout(Duration.ofSeconds(5))
                            .withMaxPayloadLimit(EndpointConfig.payloadLimitFor(el.maxTlpLength())))
                    .function(model.create(null), List.of(wire.endA())).build();
            functionThread.target = ep.function(0);
            ep.serve(el);

            vt = testbed.a().call(() -> AfPacketTransport.open(testbed.interfaceA(), ETHERTYPE));
            vl = LinkEndpoint.start(vt, config);
            List<Announcement> found = vl.discover(Duration.ofMillis(500));
            assertEquals(1, found.size(), () -> "expected one endpoint in group " + GROUP + ", found " + found);
            int mps = Math.min(256, EndpointConfig.payloadLimitFor(vl.maxTlpLength()));
            root = new RootComplex(RootComplexConfig.defaults().withHostMemorySize(64L << 20).withCompletionTimeout(Duration.ofSeconds(5))
                    .withPayloadSizes(mps, 512));
            Link l = vl.connect(found.getFirst().address(), found.getFirst().instance());
            root.attach(l);
            assertTrue(l.awaitUp(PATIENCE), "no session with the endpoint over " + testbed);
            List<PcieDevice> devices = root.enumerate();
            assertEquals(1, devices.size(), () -> "expected the NIC, found " + devices);
            this.endpointTransport = et;
            this.endpointLinks = el;
            this.endpoint = ep;
            this.vrcTransport = vt;
            this.vrcLinks = vl;
            this.link = l;
            this.rc = root;
            this.device = devices.getFirst();
        } catch (Exception | Error e) {
            if (root != null) root.close();
            if (vl != null) vl.close();
            if (vt != null) vt.close();
            if (ep != null) ep.close();
            if (el != null) el.close();
            if (et != null) et.close();
            losses.forEach(FrameLoss::close);
            testbed.close();
            throw e;
        }
    }

    NicDriver open(NicOptions options) {
        driver = NicDrivers.open(device, NicDrivers.Kind.AUTO, options);
        return driver;
    }

    long framesLost() throws java.io.IOException {
        long n = 0;
        for (FrameLoss l : losses) n += l.dropped();
        return n;
    }

    @Override public void close() {
        if (driver != null) driver.close();
        rc.close();
        vrcLinks.close();
        vrcTransport.close();
        endpoint.close();
        endpointLinks.close();
        endpointTransport.close();
        losses.forEach(FrameLoss::close);
        testbed.close();
    }
}
