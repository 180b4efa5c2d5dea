package dev.vpcie.loopback;

import static org.junit.jupiter.api.Assertions.fail;

import dev.vpcie.endpoint.DeviceRegistry;
import dev.vpcie.endpoint.Endpoint;
import dev.vpcie.endpoint.EndpointConfig;
import dev.vpcie.protocol.link.DirectTlpPort;
import dev.vpcie.testsupport.Await;
import dev.vpcie.vrc.EndpointLink;
import dev.vpcie.vrc.PcieDevice;
import dev.vpcie.vrc.RootComplex;
import dev.vpcie.vrc.RootComplexConfig;
import java.time.Duration;
import java.util.List;

/**
 * A root complex and an endpoint with real device models, joined by an in-memory port pair: the
 * whole transaction layer of both sides, without a network.
 */
final class InMemoryPair implements AutoCloseable {
    static final long WAIT_S = 20;

    final DirectTlpPort[] ports = DirectTlpPort.pair();
    final RootComplex rc;
    final EndpointLink link;
    final String[] devices;
    final EndpointConfig endpointConfig;
    Endpoint endpoint;
    private long epoch = 0x1000;

    /**
     * Completion timeouts for tests that are not about timeouts, on both sides: far beyond any
     * scheduling delay of a loaded test machine, so a slow run cannot fail a read.
     */
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    static RootComplexConfig rcConfig(long hostMemory) {
        return RootComplexConfig.defaults().withHostMemorySize(hostMemory).withCompletionTimeout(TIMEOUT);
    }

    static final EndpointConfig ENDPOINT = EndpointConfig.defaults().withCompletionTimeout(TIMEOUT);

    InMemoryPair(String... devices) { this(rcConfig(64L << 20), ENDPOINT, devices); }

    InMemoryPair(RootComplexConfig rcConfig, EndpointConfig endpointConfig, String... devices) {
        this.devices = devices;
        this.endpointConfig = endpointConfig;
        this.rc = new RootComplex(rcConfig);
        this.link = rc.attach(ports[0]);
        startEndpoint();
    }

    /** A new endpoint process on the same wire: a new session with a new epoch. */
    void startEndpoint() {
        Endpoint.Builder b = Endpoint.builder().config(endpointConfig);
        for (int i = 0; i < devices.length; i++) b.function(DeviceRegistry.create(devices[i], i));
        endpoint = b.build();
        endpoint.attach(ports[1]);
        ports[0].comeUp(++epoch);
        ports[0].settle(Duration.ofSeconds(WAIT_S)); // the VRC has handled the session events, not only seen the port's flag
        Await.until(() -> endpoint.owner().isPresent() && link.isUp(), "the session is up");
    }

    /** The endpoint process dies: its link goes down, as the peer's link-down timeout would notice. */
    void killEndpoint() {
        endpoint.close();
        ports[1].goDown("endpoint process ended");
        ports[0].settle(Duration.ofSeconds(WAIT_S));
        Await.until(() -> !link.isUp(), "the VRC sees the link down");
    }

    List<PcieDevice> enumerate() throws InterruptedException { return rc.enumerate(); }

    PcieDevice enumerateOne() throws InterruptedException {
        List<PcieDevice> found = rc.enumerate();
        if (found.size() != 1) fail("expected one function, found " + found);
        return found.getFirst();
    }

    @Override public void close() {
        endpoint.close();
        rc.close();
        ports[0].close();
        ports[1].close();
    }
}
