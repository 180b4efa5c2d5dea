package dev.vpcie.cli;

import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Opens the real network for {@code vpcie endpoint}: a transport on the interface and the link layer on it. */
final class EndpointNetworks {
    private EndpointNetworks() {}

    static EndpointNetwork open(EndpointNetwork.Options o) throws Exception {
        if (!o.transport().equals("udp")) checkInterface(o.iface());
        throw new IllegalStateException("cannot serve on " + (o.iface() != null ? o.iface() : o.udpListen()) + " (" + o.transport()
                + "): this build has no link layer (LinkEndpoint) yet");
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
}
