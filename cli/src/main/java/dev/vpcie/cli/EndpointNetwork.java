package dev.vpcie.cli;

import dev.vpcie.endpoint.Endpoint;
import dev.vpcie.protocol.agent.AgentLoop;
import dev.vpcie.protocol.capture.CaptureSpec;
import java.util.List;

/**
 * How {@code vpcie endpoint} joins the interconnect: a transport on the interface, the link layer
 * on top, answering discovery in the group and accepting the links VRCs open. The command asks a
 * {@link Factory} for one, so tests substitute an in-memory network.
 */
public interface EndpointNetwork extends AutoCloseable {

    /**
     * What the user asked for on the command line; {@code instance} is the endpoint identity's
     * host-instance ID, and {@code loop} the agent loop of the process's first identity for the
     * further ones to share (null: the link layer gets a loop of its own).
     */
    record Options(String iface, int group, String transport, String udpListen, String udpPeer, String faults, String groupKey,
                   CaptureSpec capture, int etherType, int instance, AgentLoop loop) {

        Options(String iface, int group, String transport, String udpListen, String udpPeer, String faults, String groupKey,
                CaptureSpec capture) {
            this(iface, group, transport, udpListen, udpPeer, faults, groupKey, capture, dev.vpcie.protocol.encap.FrameCodec.DEFAULT_ETHER_TYPE,
                    dev.vpcie.protocol.link.LinkConfig.defaults().hostInstance(), null);
        }

        /** The same, for another identity: instance {@code i} on {@code shared}. */
        Options identity(int i, AgentLoop shared) {
            return new Options(iface, group, transport, udpListen, udpPeer, faults, groupKey, capture, etherType, i, shared);
        }
    }

    /** Opens the network; failures carry a message fit for the user (missing interface, privileges...). */
    @FunctionalInterface
    interface Factory {
        EndpointNetwork open(Options options) throws Exception;
    }

    /** Starts serving {@code endpoint} to the VRCs of the group ({@link Endpoint#serve}). */
    void serve(Endpoint endpoint);

    /**
     * The agent loop the link layer runs on, for the endpoint to run on too (one thread: the link's
     * TLPs are served inline); null when the network has none to share.
     */
    default AgentLoop loop() { return null; }

    /** The largest encoded TLP a link carries (from the MTU). */
    int maxTlpLength();

    /** For the status line, e.g. {@code af_packet:veth0 02:00:00:00:00:02 group 7}. */
    String describe();

    /** The links open now (for --metrics); none where there is no real network. */
    default List<dev.vpcie.protocol.link.Link> links() { return List.of(); }

    /** The interconnect's counters as {@code stats} lines (frames, links); none where there is no real network. */
    default List<String> stats() { return List.of(); }

    @Override void close();
}
