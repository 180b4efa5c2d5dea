package dev.vpcie.cli;

import dev.vpcie.endpoint.Endpoint;
import dev.vpcie.protocol.encap.FrameCodec;
import dev.vpcie.protocol.link.LinkConfig;
import dev.vpcie.protocol.link.LinkEndpoint;
import dev.vpcie.protocol.transport.AfPacketTransport;
import dev.vpcie.protocol.transport.FaultInjectingTransport;
import dev.vpcie.protocol.transport.FrameTransport;
import dev.vpcie.protocol.transport.PcapTransport;
import dev.vpcie.protocol.transport.UdpTransport;
import java.io.IOException;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Opens the real network for {@code vpcie endpoint}: the transport the user chose on the
 * interface (with injected faults if asked), and a {@link LinkEndpoint} on it that answers
 * discovery in the group and accepts the links VRCs open.
 */
final class EndpointNetworks {
    private EndpointNetworks() {}

    static EndpointNetwork open(EndpointNetwork.Options o) throws Exception {
        FaultInjectingTransport.Faults faults = FaultInjectingTransport.Faults.parse(o.faults()); // a bad spec is a usage error
        FrameTransport transport = transport(o);
        try {
            FrameTransport used = faults.equals(FaultInjectingTransport.Faults.NONE) ? transport : new FaultInjectingTransport(transport, faults);
            LinkEndpoint links = LinkEndpoint.start(used, LinkConfig.defaults().withGroup(o.group()));
            return new Network(links, used, o.group());
        } catch (RuntimeException e) {
            transport.close();
            throw e;
        }
    }

    private static FrameTransport transport(EndpointNetwork.Options o) throws Exception {
        int etherType = FrameCodec.DEFAULT_ETHER_TYPE;
        return switch (o.transport()) {
            case "af_packet" -> {
                checkInterface(o.iface());
                yield AfPacketTransport.open(o.iface(), etherType);
            }
            case "pcap" -> {
                checkInterface(o.iface());
                yield PcapTransport.open(o.iface(), etherType);
            }
            case "udp" -> {
                try {
                    yield UdpTransport.open(UdpTransport.parseAddress(o.udpListen()), UdpTransport.parseAddress(o.udpPeer()), etherType);
                } catch (IOException e) {
                    throw new IOException("cannot use UDP " + o.udpListen() + " -> " + o.udpPeer() + ": " + e.getMessage(), e);
                }
            }
            default -> throw new IllegalArgumentException("unknown transport '" + o.transport() + "' (af_packet, pcap or udp)");
        };
    }

    /** A missing interface is the commonest mistake: say which ones exist. */
    static void checkInterface(String name) throws SocketException {
        if (NetworkInterface.getByName(name) != null) return;
        List<String> names = new ArrayList<>();
        for (NetworkInterface n : Collections.list(NetworkInterface.getNetworkInterfaces())) names.add(n.getName());
        Collections.sort(names);
        throw new IllegalArgumentException("no network interface '" + name + "' in this network namespace (there are: "
                + String.join(", ", names) + ")");
    }

    /** The link layer on one transport. */
    private record Network(LinkEndpoint links, FrameTransport transport, int group) implements EndpointNetwork {

        @Override public void serve(Endpoint endpoint) { endpoint.serve(links); }

        @Override public int maxTlpLength() { return links.maxTlpLength(); }

        @Override public String describe() {
            return transport.name() + " " + links.address() + "/" + links.hostInstance() + (group == 0 ? " untagged" : " group " + group);
        }

        @Override public void close() {
            links.close();
            transport.close();
        }
    }
}
