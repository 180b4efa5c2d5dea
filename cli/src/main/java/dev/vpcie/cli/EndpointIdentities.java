package dev.vpcie.cli;

import dev.vpcie.endpoint.Endpoint;
import dev.vpcie.endpoint.EndpointConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The identities {@code vpcie endpoint --identities N} hosts beside its first one: each its own
 * host instance on the same interface (its own socket, link layer and discovery answer), its own
 * copy of the functions, and its own owner; all on the first identity's agent loop, so an idle
 * identity costs a socket and a few buffers, never a thread. Devices with a wire (NICs) are not
 * hosted here: a wire belongs to one function.
 */
final class EndpointIdentities implements AutoCloseable {

    /** One further identity: its network and the endpoint served on it. */
    record Identity(int instance, EndpointNetwork network, Endpoint endpoint) {}

    private final List<Identity> identities = new ArrayList<>();

    private EndpointIdentities() {}

    /**
     * Opens {@code count} identities, instances {@code first.instance() + 1} onwards, on
     * {@code first}'s loop (the same interface, so the same {@code config}), each with the
     * functions {@code functions} adds, configured as {@code configure} says (listeners, owner
     * timeout) and then served. On a failure the ones opened so far are closed.
     */
    static EndpointIdentities open(int count, EndpointNetwork.Factory networks, EndpointNetwork.Options options, EndpointNetwork first,
                                   EndpointConfig config, Function<Endpoint.Builder, Endpoint.Builder> functions,
                                   java.util.function.Consumer<Identity> configure)
            throws Exception {
        EndpointIdentities all = new EndpointIdentities();
        try {
            for (int k = 1; k <= count; k++) {
                int instance = options.instance() + k;
                EndpointNetwork network = networks.open(options.identity(instance, first.loop()));
                Endpoint endpoint;
                try {
                    Endpoint.Builder b = functions.apply(Endpoint.builder().config(config));
                    if (network.loop() != null) b.loop(network.loop());
                    endpoint = b.build();
                } catch (RuntimeException | Error e) {
                    network.close();
                    throw e;
                }
                Identity id = new Identity(instance, network, endpoint);
                all.identities.add(id);
                configure.accept(id);
                network.serve(endpoint);
            }
        } catch (Exception | Error e) {
            all.close();
            throw e;
        }
        return all;
    }

    List<Identity> identities() { return identities; }

    /** The counters of every further identity, each line prefixed with its instance. */
    List<String> stats() {
        List<String> lines = new ArrayList<>();
        for (Identity id : identities) {
            for (String l : id.network().stats()) lines.add("instance " + id.instance() + ": " + l);
            for (String l : StatsReport.lines(null, id.endpoint())) lines.add("instance " + id.instance() + ": " + l);
        }
        return lines;
    }

    /** How long an identity's owner may stay idle before another VRC may take it ({@link Endpoint#displaceIdleOwnerAfter}). */
    void displaceIdleOwnerAfter(Duration timeout) {
        for (Identity id : identities) id.endpoint().displaceIdleOwnerAfter(timeout);
    }

    /** Closes the endpoints, then their networks (peers get a CLOSE), last opened first. */
    @Override public void close() {
        for (Identity id : identities.reversed()) {
            try {
                id.endpoint().close();
            } finally {
                id.network().close();
            }
        }
        identities.clear();
    }
}
