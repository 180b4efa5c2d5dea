package dev.vpcie.loopback;

import dev.vpcie.endpoint.Endpoint;
import dev.vpcie.protocol.nettlp.NetTlpPort;
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

    /** Opens both ports and attaches them; NetTLP has no session, so both sides are up at once. */
    public static NetTlpJoin join(RootComplex rc, Endpoint endpoint) throws IOException {
        rc.dmaReadCompletionLimit(4096); // one CplD per MRd, as NetTLP mode answers
        NetTlpPort host = NetTlpPort.open(NetTlpPort.Role.HOST, VRC, ENDPOINT, rc.loop());
        NetTlpPort device;
        try {
            device = NetTlpPort.open(NetTlpPort.Role.DEVICE, ENDPOINT, VRC, endpoint.loop());
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
