package dev.vpcie.cli;

import dev.vpcie.protocol.link.TlpPort;
import java.util.List;

/**
 * How {@code vpcie vrc} reaches its endpoints: one reliable link per endpoint found in the
 * group on the interface. The command asks this for its ports, so tests substitute in-memory
 * ones.
 */
@FunctionalInterface
public interface VrcConnector {

    /** What the user asked for on the command line. */
    record Target(String iface, int group, String transport, long discoverTimeoutMillis) {}

    List<TlpPort> connect(Target target) throws Exception;

    /**
     * The connector for real interfaces: discovery and links come from the link layer
     * ({@code LinkEndpoint.discover}), which this build does not contain yet, so it says so
     * instead of pretending.
     */
    VrcConnector UNAVAILABLE = target -> {
        throw new IllegalStateException("cannot reach endpoints on " + target.iface() + " (group " + target.group() + ", "
                + target.transport() + "): this build has no link layer (LinkEndpoint) to discover and connect them yet");
    };
}
