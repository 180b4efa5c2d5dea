package dev.vpcie.cli;

import dev.vpcie.protocol.agent.AgentLoop;
import dev.vpcie.protocol.link.TlpPort;
import java.util.List;

/**
 * How {@code vpcie vrc} reaches its endpoints: one reliable link per endpoint found in the
 * group. The command asks this for its ports, so tests substitute in-memory ones; the real one
 * is {@link VrcNetworks#connect}.
 */
@FunctionalInterface
public interface VrcConnector {

    /**
     * What the user asked for on the command line: where, how long to look, and the endpoints
     * named with {@code --endpoint} (empty: every free endpoint that answers, by MAC); and the
     * root complex's loop (null: the links get one of their own). The links run on it, so a TLP
     * goes from a request to the wire and a completion back to its request without a thread
     * hand-off.
     */
    record Target(Interconnect.Options interconnect, long discoverTimeoutMillis, List<EndpointSelector> endpoints, AgentLoop loop) {
        public Target {
            endpoints = List.copyOf(endpoints);
        }

        public Target(Interconnect.Options interconnect, long discoverTimeoutMillis) {
            this(interconnect, discoverTimeoutMillis, List.of(), null);
        }
    }

    /** The links to the endpoints found (in bus order), and whatever must be closed after them. */
    interface Connection extends AutoCloseable {
        /**
         * The links, possibly still opening their sessions: the root complex attaches (sets their
         * handlers) before {@link #awaitUp}, so it hears each session come up and learns the
         * endpoint's epoch, by which it recognises a restarted endpoint later.
         */
        List<TlpPort> ports();

        /** Waits until every link's session is up; the exception's message says which did not come up. */
        default void awaitUp() throws Exception {}

        /** The largest encoded TLP the links carry (from the MTU). */
        int maxTlpLength();

        /** The interconnect's counters as {@code stats} lines (frames, links); none for in-memory ports. */
        default List<String> stats() { return List.of(); }

        /** The interconnect the links run on (for status and run-time capture); null for in-memory ports. */
        default Interconnect interconnect() { return null; }

        /**
         * The endpoints of the group that answer a discovery round of {@code wait} now and are
         * free (owned by nobody, or by this VRC) and not linked already, by MAC and instance:
         * what {@code vrc pool} lists and {@code vrc claim} takes from.
         */
        default List<dev.vpcie.protocol.link.Announcement> free(java.time.Duration wait) throws Exception {
            throw new UnsupportedOperationException("this VRC's endpoints are not on a network (in-memory ports): it has no pool");
        }

        /** Opens a link to an endpoint {@link #free} found; its session comes up (or not) later, see {@link TlpPort#isUp}. */
        default TlpPort connect(dev.vpcie.protocol.link.Announcement endpoint) {
            throw new UnsupportedOperationException("this VRC's endpoints are not on a network (in-memory ports)");
        }

        /** Closes what the ports ran on; the ports themselves are closed first, by the root complex. */
        @Override void close();

        /** Ports that need nothing closed after them (tests). */
        static Connection of(List<TlpPort> ports, int maxTlpLength) {
            return new Connection() {
                @Override public List<TlpPort> ports() { return ports; }

                @Override public int maxTlpLength() { return maxTlpLength; }

                @Override public void close() {}
            };
        }
    }

    Connection connect(Target target) throws Exception;
}
