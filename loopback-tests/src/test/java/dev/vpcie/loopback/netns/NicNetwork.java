package dev.vpcie.loopback.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.devices.nic.MacAddress;
import dev.vpcie.endpoint.Endpoint;
import dev.vpcie.endpoint.EndpointConfig;
import dev.vpcie.endpoint.wire.InterfaceWire;
import dev.vpcie.endpoint.wire.LinkControl;
import dev.vpcie.endpoint.wire.Nic;
import dev.vpcie.protocol.link.Announcement;
import dev.vpcie.protocol.link.Link;
import dev.vpcie.protocol.link.LinkConfig;
import dev.vpcie.protocol.link.LinkEndpoint;
import dev.vpcie.protocol.netns.FrameLoss;
import dev.vpcie.protocol.netns.NetNamespace;
import dev.vpcie.protocol.netns.VethPair;
import dev.vpcie.protocol.transport.AfPacketTransport;
import dev.vpcie.protocol.transport.FrameTransport;
import dev.vpcie.vrc.PcieDevice;
import dev.vpcie.vrc.RootComplex;
import dev.vpcie.vrc.RootComplexConfig;
import dev.vpcie.vrc.nic.NicDriver;
import dev.vpcie.vrc.nic.NicDrivers;
import dev.vpcie.vrc.nic.NicOptions;
import dev.vpcie.vrc.tap.TapBridge;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The ping demo's network, in this JVM: three namespaces — the VRC's host, the endpoint's host and
 * a peer — with a veth for the interconnect (VRC host to endpoint host) and a veth for the NIC's
 * wire (endpoint host to peer). The endpoint hosts one NIC model whose wire is its end of the
 * second veth ({@link InterfaceWire}); the VRC enumerates it over the first, brings it up with its
 * own driver and bridges it to a TAP, {@value #TAP}, at {@value #HOST_IP} in the peer's subnet.
 * The peer's veth end is {@value #PEER_IP}. Optionally nftables drops a share of the frames each
 * end of the interconnect sends. Needs root.
 */
final class NicNetwork implements AutoCloseable {
    static final String TAP = "nic0", HOST_IP = "10.66.0.1", PEER_IP = "10.66.0.2";
    static final MacAddress NIC_MAC = MacAddress.parse("02:00:00:66:00:01");
    private static final int GROUP = 6, ETHERTYPE = 0x88B5;
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    final NetNamespace vrcHost, endpointHost, peer;
    final VethPair interconnect, cable;
    final List<FrameLoss> losses = new ArrayList<>();
    final Nic nic;
    final InterfaceWire wire;
    final Endpoint endpoint;
    final LinkControl links;
    final Link link;
    final NicDriver driver;
    final TapBridge bridge;
    private final List<AutoCloseable> opened = new ArrayList<>();

    /** Builds it all; on failure, tears down what was made. */
    NicNetwork(String model, int lossPercent, NicOptions driverOptions) throws Exception {
        try {
            vrcHost = keep(NetNamespace.create("nicvrc"));
            endpointHost = keep(NetNamespace.create("nicep"));
            peer = keep(NetNamespace.create("nicpeer"));
            interconnect = keep(VethPair.create(vrcHost, endpointHost));
            cable = keep(VethPair.create(endpointHost, peer));
            peer.ip("addr", "add", PEER_IP + "/24", "dev", cable.nameB());
            if (lossPercent > 0) {
                losses.add(keep(vrcHost.dropEgress(interconnect.nameA(), lossPercent)));
                losses.add(keep(endpointHost.dropEgress(interconnect.nameB(), lossPercent)));
            }
            LinkConfig config = LinkConfig.defaults().withGroup(GROUP).withEtherType(ETHERTYPE);

            // The endpoint's host: the interconnect transport, the NIC and its wire.
            FrameTransport endpointTransport = keep(endpointHost.call(() -> AfPacketTransport.open(interconnect.nameB(), ETHERTYPE)));
            LinkEndpoint endpointLinks = keep(LinkEndpoint.start(endpointTransport, config));
            nic = Nic.create(model, NIC_MAC);
            wire = endpointHost.call(() -> InterfaceWire.afPacket(cable.nameA()));
            opened.add(wire); // closed after the endpoint (closing runs backwards)
            endpoint = keep(Endpoint.builder().config(EndpointConfig.defaults().withMaxPayloadLimit(
                    EndpointConfig.payloadLimitFor(endpointLinks.maxTlpLength()))).function(nic.function(), List.of(wire)).build());
            wire.start(endpoint.function(0));
            links = new LinkControl(List.of(new LinkControl.Port(0, nic, wire, endpoint.function(0))));
            endpoint.serve(endpointLinks);

            // The VRC's host: discovery, a link, enumeration, the driver and the TAP.
            FrameTransport vrcTransport = keep(vrcHost.call(() -> AfPacketTransport.open(interconnect.nameA(), ETHERTYPE)));
            LinkEndpoint vrcLinks = keep(LinkEndpoint.start(vrcTransport, config));
            List<Announcement> found = vrcLinks.discover(Duration.ofSeconds(2));
            assertEquals(1, found.size(), () -> "expected one endpoint in group " + GROUP + ", found " + found);
            RootComplex rc = keep(new RootComplex(RootComplexConfig.defaults().withHostMemorySize(64L << 20)
                    .withCompletionTimeout(Duration.ofSeconds(2))
                    .withPayloadSizes(Math.min(256, EndpointConfig.payloadLimitFor(vrcLinks.maxTlpLength())), 512)));
            link = vrcLinks.connect(found.getFirst().address(), found.getFirst().instance());
            rc.attach(link);
            assertTrue(link.awaitUp(PATIENCE), "no session with the endpoint");
            List<PcieDevice> devices = rc.enumerate();
            assertEquals(1, devices.size(), () -> "expected the NIC, found " + devices);
            driver = keep(NicDrivers.open(devices.getFirst(), NicDrivers.Kind.AUTO, driverOptions));
            bridge = keep(vrcHost.call(() -> TapBridge.start(driver, TAP, TapBridge.Options.defaults())));
            vrcHost.ip("addr", "add", HOST_IP + "/24", "dev", TAP);
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    private <T extends AutoCloseable> T keep(T resource) {
        opened.add(resource);
        return resource;
    }

    /** Interconnect frames nftables dropped so far. */
    long framesLost() throws IOException {
        long n = 0;
        for (FrameLoss l : losses) n += l.dropped();
        return n;
    }

    /** Closes everything it made, newest first; never throws. */
    @Override public void close() {
        for (int i = opened.size() - 1; i >= 0; i--) {
            try {
                opened.get(i).close();
            } catch (Exception e) {
                System.err.println("vpcie: closing " + opened.get(i) + ": " + e);
            }
        }
        opened.clear();
    }
}
