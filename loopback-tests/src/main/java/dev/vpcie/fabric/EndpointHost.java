package dev.vpcie.fabric;

import dev.vpcie.devices.dmatest.DmaTestDevice;
import dev.vpcie.endpoint.Endpoint;
import dev.vpcie.endpoint.EndpointConfig;
import dev.vpcie.protocol.agent.AgentLoop;
import dev.vpcie.protocol.link.LinkConfig;
import dev.vpcie.protocol.link.LinkEndpoint;
import dev.vpcie.protocol.link.SecurityCounters;
import dev.vpcie.protocol.transport.AfPacketTransport;
import dev.vpcie.protocol.transport.FrameTransport;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * An endpoint process on a fabric port, in this JVM, as {@code vpcie endpoint --identities N
 * --device dmatest} runs it: N identities (instances 1..N of the port's MAC), each with its own
 * AF_PACKET socket, link layer and dmatest function, all on one agent loop. Close it and start
 * another (say, in another group) for a restart.
 */
public final class EndpointHost implements AutoCloseable {
    /** Completion timeout of the functions' DMA reads: far above any scheduling delay of a loaded machine. */
    static final Duration COMPLETION_TIMEOUT = Duration.ofSeconds(5);

    private final AgentLoop loop = AgentLoop.start("vpcie-endpoint-host", LinkConfig.defaults().busyPoll());
    private final List<FrameTransport> transports = new ArrayList<>();
    private final List<LinkEndpoint> links = new ArrayList<>();
    private final List<Endpoint> endpoints = new ArrayList<>();
    private final int group;

    private EndpointHost(int group) { this.group = group; }

    /** Starts {@code identities} dmatest endpoints in {@code group} on {@code port}. */
    public static EndpointHost start(Fabric.Port port, int group, int identities) throws IOException {
        EndpointHost h = new EndpointHost(group);
        try {
            for (int i = 1; i <= identities; i++) h.add(port, i);
        } catch (IOException | RuntimeException e) {
            h.close();
            throw e;
        }
        return h;
    }

    private void add(Fabric.Port port, int instance) throws IOException {
        FrameTransport t = port.namespace().call(() -> AfPacketTransport.open(port.iface(), LinkConfig.defaults().etherType()));
        transports.add(t);
        LinkEndpoint l = LinkEndpoint.start(t, LinkConfig.defaults().withGroup(group).withHostInstance(instance), loop);
        links.add(l);
        EndpointConfig config = EndpointConfig.defaults().withCompletionTimeout(COMPLETION_TIMEOUT)
                .withMaxPayloadLimit(EndpointConfig.payloadLimitFor(l.maxTlpLength()));
        // Serial numbers differ per identity, as they would per device.
        long serial = 0x0200_0000_0000_0000L | (long) group << 16 | instance;
        Endpoint e = Endpoint.builder().config(config).loop(loop).function(new DmaTestDevice(DmaTestDevice.Options.defaults(serial))).build();
        endpoints.add(e);
        e.serve(l);
    }

    public int group() { return group; }

    public List<Endpoint> endpoints() { return endpoints; }

    /** The identities' link layers, by instance - 1. */
    public List<LinkEndpoint> links() { return links; }

    /** Frames of other groups the identities refused, summed ({@link SecurityCounters#otherGroup}). */
    public long otherGroupFrames() { return links.stream().mapToLong(l -> l.securityCounters().otherGroup()).sum(); }

    /** CPU time of the one agent thread all identities run on, in nanoseconds. */
    public long cpuTimeNs() { return loop.cpuTimeNs(); }

    /** Stops every identity (their VRCs get a CLOSE), then the loop and the sockets. */
    @Override public void close() {
        for (Endpoint e : endpoints) e.close();
        for (LinkEndpoint l : links) l.close();
        loop.close();
        for (FrameTransport t : transports) t.close();
    }
}
