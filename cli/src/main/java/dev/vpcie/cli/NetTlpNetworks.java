package dev.vpcie.cli;

import dev.vpcie.endpoint.Endpoint;
import dev.vpcie.protocol.agent.AgentLoop;
import dev.vpcie.protocol.nettlp.NetTlpCodec;
import dev.vpcie.protocol.nettlp.NetTlpPort;
import dev.vpcie.protocol.link.TlpPort;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The interconnect with {@code --encap nettlp}: one {@link NetTlpPort} between two addresses,
 * device role for {@code vpcie endpoint} (libtlp's side, behind a NetTLP adapter or a VRC in
 * NetTLP mode), host role for {@code vpcie vrc} (the adapter and its host).
 */
final class NetTlpNetworks {
    /** The largest TLP a datagram carries: a 4DW header and 4096 bytes. */
    static final int MAX_TLP = NetTlpCodec.MAX_DATAGRAM - NetTlpCodec.HEADER_BYTES;

    private NetTlpNetworks() {}

    /** The endpoint's side: its own loop (the endpoint runs on it too) and a device-role port on it. */
    static EndpointNetwork endpoint(InetAddress local, InetAddress adapter) throws IOException {
        AgentLoop loop = AgentLoop.start("vpcie-endpoint nettlp");
        try {
            return new EndpointSide(loop, NetTlpPort.open(NetTlpPort.Role.DEVICE, local, adapter, loop));
        } catch (IOException | RuntimeException e) {
            loop.close();
            throw new IOException("cannot open NetTLP's ports on " + local.getHostAddress() + ": " + e.getMessage(), e);
        }
    }

    private record EndpointSide(AgentLoop loop, NetTlpPort port) implements EndpointNetwork {
        @Override public void serve(Endpoint endpoint) { endpoint.attach(port); }

        @Override public int maxTlpLength() { return MAX_TLP; }

        @Override public String describe() { return port.describe(); }

        @Override public List<String> stats() { return lines(port); }

        @Override public void close() {
            port.close();
            loop.close();
        }
    }

    /** The VRC's side: a host-role port on the root complex's loop. */
    static VrcConnector connector(InetAddress local, InetAddress device) {
        return target -> {
            NetTlpPort port;
            try {
                port = NetTlpPort.open(NetTlpPort.Role.HOST, local, device, target.loop());
            } catch (IOException e) {
                throw new IOException("cannot open NetTLP's ports on " + local.getHostAddress() + ": " + e.getMessage(), e);
            }
            return new VrcConnector.Connection() {
                @Override public List<TlpPort> ports() { return List.of(port); }

                @Override public int maxTlpLength() { return MAX_TLP; }

                @Override public List<String> stats() { return lines(port); }

                @Override public void close() { port.close(); }
            };
        };
    }

    /** The port's counters as {@code stats} lines: events, then one line per UDP port (and so per tag) that carried anything. */
    static List<String> lines(NetTlpPort port) {
        List<String> lines = new ArrayList<>();
        StringBuilder events = new StringBuilder("nettlp " + port.describe() + ":");
        var counted = port.counters().events();
        if (counted.isEmpty()) events.append(" no drops or errors");
        for (var e : counted.entrySet()) events.append(' ').append(e.getKey().name().toLowerCase(java.util.Locale.ROOT)).append(' ').append(e.getValue());
        lines.add(events.toString());
        for (String p : port.counters().perPort()) lines.add("  " + p);
        return lines;
    }
}
