package dev.vpcie.loopback;

import dev.vpcie.endpoint.Endpoint;
import dev.vpcie.protocol.nettlp.NetTlpPort;
import dev.vpcie.testsupport.netns.NetNamespace;
import dev.vpcie.testsupport.netns.VethTestbed;
import dev.vpcie.vrc.EndpointLink;
import dev.vpcie.vrc.RootComplex;
import java.io.IOException;
import java.net.InetAddress;

/**
 * A root complex and an endpoint joined by NetTLP's encapsulation over UDP: the VRC's
 * host-role port on {@link #VRC} (127.0.0.1), the endpoint's device-role port on
 * {@link #ENDPOINT} (127.0.0.2), each run by its own side's loop, as two processes would be.
 * Loopback loses nothing unless a socket buffer overflows, which is the lossless path NetTLP
 * needs; {@link #drop} injects a loss.
 */
public final class NetTlpJoin implements AutoCloseable {
    public static final InetAddress VRC = address("127.0.0.1"), ENDPOINT = address("127.0.0.2");

    public final NetTlpPort host, device;
    public final EndpointLink link;

    private NetTlpJoin(NetTlpPort host, NetTlpPort device, EndpointLink link) {
        this.host = host;
        this.device = device;
        this.link = link;
    }

    /** Opens both ports on 127.0.0.1 and 127.0.0.2 and attaches them; NetTLP has no session, so both sides are up at once. */
    public static NetTlpJoin join(RootComplex rc, Endpoint endpoint) throws IOException {
        return join(rc, endpoint, Opener.HERE, VRC, Opener.HERE, ENDPOINT);
    }

    /**
     * Over a veth pair between two namespaces: the VRC's sockets in namespace a on
     * {@link VethTestbed#ADDRESS_A}, the endpoint's in namespace b on {@link VethTestbed#ADDRESS_B}.
     */
    public static NetTlpJoin join(RootComplex rc, Endpoint endpoint, VethTestbed testbed) throws IOException {
        return join(rc, endpoint, testbed.a()::call, address(VethTestbed.ADDRESS_A), testbed.b()::call, address(VethTestbed.ADDRESS_B));
    }

    /** Where a port's sockets are opened: here, or inside a network namespace (they stay there). */
    @FunctionalInterface
    public interface Opener {
        NetTlpPort open(NetNamespace.Task<NetTlpPort, IOException> task) throws IOException;

        Opener HERE = NetNamespace.Task::call;
    }

    private static NetTlpJoin join(RootComplex rc, Endpoint endpoint, Opener vrcSide, InetAddress vrc, Opener endpointSide,
                                   InetAddress ep) throws IOException {
        rc.dmaReadCompletionLimit(4096); // one CplD per MRd, as NetTLP mode answers
        NetTlpPort host = vrcSide.open(() -> NetTlpPort.open(NetTlpPort.Role.HOST, vrc, ep, rc.loop()));
        NetTlpPort device;
        try {
            device = endpointSide.open(() -> NetTlpPort.open(NetTlpPort.Role.DEVICE, ep, vrc, endpoint.loop()));
        } catch (IOException | RuntimeException e) {
            host.close();
            throw e;
        }
        EndpointLink link = rc.attach(host);
        endpoint.attach(device);
        return new NetTlpJoin(host, device, link);
    }

    @Override public void close() {
        device.close();
        host.close();
    }

    private static InetAddress address(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
