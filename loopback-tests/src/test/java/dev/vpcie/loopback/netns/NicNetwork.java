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
import dev.vpcie.protocol.transport.AfPacketTransport;
import dev.vpcie.protocol.transport.FrameTransport;
import dev.vpcie.testsupport.netns.FrameLoss;
import dev.vpcie.testsupport.netns.NetNamespace;
import dev.vpcie.testsupport.netns.VethPair;
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
    private final String model;
    private final LinkConfig config;
    /** The endpoint's process, as it were: replaced by {@link #killEndpoint} and {@link #restartEndpoint}. */
    private EndpointHost host;
    Nic nic;
    InterfaceWire wire;
    LinkControl links;
    final Link link;
    final RootComplex rc;
    final NicDriver driver;
    final TapBridge bridge;
    private final List<AutoCloseable> opened = new ArrayList<>();

    /** Builds it all; on failure, tears down what was made. */
    NicNetwork(String model, int lossPercent, NicOptions driverOptions) throws Exception {
        this.model = model;
        this.config = LinkConfig.defaults().withGroup(GROUP).withEtherType(ETHERTYPE);
        try {
            vrcHost = keep(NetNamespace.create("nicvrc"));
            endpointHost = keep(NetNamespace.create("nicep"));
            peer = keep(NetNamespace.create("nicpeer"));
            interconnect = keep(VethPair.create(vrcHost, endpointHost));
            cable = keep(VethPair.create(endpointHost, peer));
            peer.ip("addr", "add", PEER_IP + "/24", "dev", cable.nameB());
            // The interconnect needs no IP address at all: without IPv6 not even a link-local one appears.
            vrcHost.exec("sysctl", "-q", "-w", "net.ipv6.conf." + interconnect.nameA() + ".disable_ipv6=1");
            endpointHost.exec("sysctl", "-q", "-w", "net.ipv6.conf." + interconnect.nameB() + ".disable_ipv6=1");
            if (lossPercent > 0) {
                losses.add(keep(vrcHost.dropEgress(interconnect.nameA(), lossPercent)));
                losses.add(keep(endpointHost.dropEgress(interconnect.nameB(), lossPercent)));
            }
            startEndpoint();

            // The VRC's host: discovery, a link, enumeration, the driver and the TAP.
            FrameTransport vrcTransport = keep(vrcHost.call(() -> AfPacketTransport.open(interconnect.nameA(), ETHERTYPE)));
            LinkEndpoint vrcLinks = keep(LinkEndpoint.start(vrcTransport, config));
            List<Announcement> found = vrcLinks.discover(Duration.ofSeconds(2));
            assertEquals(1, found.size(), () -> "expected one endpoint in group " + GROUP + ", found " + found);
            rc = keep(new RootComplex(RootComplexConfig.defaults().withHostMemorySize(64L << 20)
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

    /** The endpoint's side, as one endpoint process holds it: the interconnect transport and link layer, the NIC and its wire. */
    private final class EndpointHost implements AutoCloseable {
        private final List<AutoCloseable> parts = new ArrayList<>();

        EndpointHost() throws Exception {
            try {
                FrameTransport transport = part(endpointHost.call(() -> AfPacketTransport.open(interconnect.nameB(), ETHERTYPE)));
                LinkEndpoint endpointLinks = part(LinkEndpoint.start(transport, config));
                Nic made = Nic.create(model, NIC_MAC);
                InterfaceWire madeWire = part(endpointHost.call(() -> InterfaceWire.afPacket(cable.nameA()))); // closed after the endpoint
                Endpoint endpoint = part(Endpoint.builder().config(EndpointConfig.defaults().withMaxPayloadLimit(
                        EndpointConfig.payloadLimitFor(endpointLinks.maxTlpLength()))).function(made.function(), List.of(madeWire)).build());
                madeWire.start(endpoint.function(0));
                links = new LinkControl(List.of(new LinkControl.Port(0, made, madeWire, endpoint.function(0))));
                nic = made;
                wire = madeWire;
                endpoint.serve(endpointLinks);
            } catch (Exception | Error e) {
                close();
                throw e;
            }
        }

        private <T extends AutoCloseable> T part(T resource) {
            parts.add(resource);
            return resource;
        }

        @Override public void close() { closeAll(parts); }
    }

    /** Where the endpoint sits among what {@link #close} closes: a restarted one is closed where the first was, before the veths. */
    private int hostSlot = -1;

    private void startEndpoint() throws Exception {
        host = new EndpointHost();
        if (hostSlot < 0) {
            hostSlot = opened.size();
            opened.add(host);
        } else {
            opened.set(hostSlot, host);
        }
    }

    /**
     * Ends the endpoint as a crash does: nftables drops everything its interconnect port sends
     * while it closes, so the VRC hears no CLOSE, only silence.
     */
    void killEndpoint() throws Exception {
        try (FrameLoss silence = endpointHost.dropEgress(interconnect.nameB(), 100)) {
            opened.set(hostSlot, () -> {});
            host.close();
            host = null;
        }
    }

    /** Starts a new endpoint in the endpoint's namespace: the same NIC model at the same MAC and host instance, a new session epoch. */
    void restartEndpoint() throws Exception {
        if (host != null) killEndpoint();
        startEndpoint();
    }

    /** Takes the VRC's end of the interconnect veth down (both ends lose carrier) or up again. */
    void interconnectDown(boolean down) throws IOException {
        vrcHost.ip("link", "set", interconnect.nameA(), down ? "down" : "up");
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
    @Override public void close() { closeAll(opened); }

    private static void closeAll(List<AutoCloseable> resources) {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                System.err.println("vpcie: closing " + resources.get(i) + ": " + e);
            }
        }
        resources.clear();
    }
}
