package dev.vpcie.cli;

import dev.vpcie.endpoint.Endpoint;
import dev.vpcie.protocol.agent.AgentLoop;
import dev.vpcie.protocol.link.LinkConfig;
import java.util.List;

/**
 * Opens the real network for {@code vpcie endpoint}: the {@link Interconnect} the user chose
 * (transport, faults, link layer in the group), on which the endpoint answers discovery and
 * accepts the links VRCs open.
 */
final class EndpointNetworks {
    private EndpointNetworks() {}

    static EndpointNetwork open(EndpointNetwork.Options o) throws Exception {
        return new Network(Interconnect.open(new Interconnect.Options(o.iface(), o.group(), o.transport(), o.udpListen(), o.udpPeer(),
                o.faults(), o.groupKey(), o.capture(), o.etherType()), LinkConfig.defaults().withHostInstance(o.instance()), o.loop()));
    }

    /** The link layer on one transport. */
    private record Network(Interconnect net) implements EndpointNetwork {

        @Override public void serve(Endpoint endpoint) { endpoint.serve(net.links()); }

        @Override public AgentLoop loop() { return net.links().loop(); }

        @Override public int maxTlpLength() { return net.links().maxTlpLength(); }

        @Override public String describe() { return net.describe(); }

        @Override public List<String> stats() { return StatsReport.lines(net, null); }

        @Override public List<dev.vpcie.protocol.link.Link> links() { return net.links().links(); }

        @Override public void close() { net.close(); }
    }
}
