package dev.vpcie.loopback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.vpcie.devices.dmatest.DmaTestDevice;
import dev.vpcie.devices.spi.PcieFunction;
import dev.vpcie.endpoint.Endpoint;
import dev.vpcie.endpoint.EndpointConfig;
import dev.vpcie.protocol.link.Announcement;
import dev.vpcie.protocol.link.GroupKey;
import dev.vpcie.protocol.link.Link;
import dev.vpcie.protocol.link.LinkConfig;
import dev.vpcie.protocol.link.LinkEndpoint;
import dev.vpcie.protocol.transport.FrameTransport;
import dev.vpcie.vrc.EndpointLink;
import dev.vpcie.vrc.PcieDevice;
import dev.vpcie.vrc.RootComplex;
import dev.vpcie.vrc.RootComplexConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * A VRC and an endpoint "process" joined by a {@link Wire} (which the rig closes), with everything from the link layer
 * up real and wired as the two commands wire it: the endpoint serves its dmatest function on a
 * {@link LinkEndpoint} (discovery announcement, accepted links); the VRC discovers it in the
 * group, connects, waits for the session and attaches the link to a {@link RootComplex}. The
 * endpoint can be frozen ({@link #stopEndpoint}), killed without a goodbye ({@link #killEndpoint})
 * and started again ({@link #startEndpoint}) on the same interface.
 */
final class LinkRig implements AutoCloseable {
    /** Waits that should never run out; a slow, loaded machine must not fail a test. */
    static final Duration PATIENCE = Duration.ofSeconds(20);
    /** Completion timeouts for tests that are not about timeouts: far above any scheduling delay. */
    static final Duration LONG_TIMEOUT = Duration.ofSeconds(5);
    /** A fixed Device Serial Number, so {@code lspci -vv} output is the same in every run. */
    static final long SERIAL_NUMBER = 0x0200_0000_5650_4300L;

    /** How the rig is set up. */
    record Options(int group, Duration rcCompletionTimeout, Duration discovery, long hostMemory, GroupKey groupKey) {
        static Options defaults() { return new Options(7, LONG_TIMEOUT, Duration.ofMillis(300), 48L << 20, null); }

        Options withRcCompletionTimeout(Duration d) { return new Options(group, d, discovery, hostMemory, groupKey); }

        Options withDiscovery(Duration d) { return new Options(group, rcCompletionTimeout, d, hostMemory, groupKey); }

        /** Both sides with this group key (null: none). */
        Options withGroupKey(GroupKey k) { return new Options(group, rcCompletionTimeout, discovery, hostMemory, k); }
    }

    final Wire wire;
    final Options options;
    final LinkConfig linkConfig;
    final FrameTransport vrcTransport;
    final LinkEndpoint vrcLinks;
    final Link vrcLink;
    final RootComplex rc;
    final EndpointLink link;
    private EndpointProcess endpoint;

    private LinkRig(Wire wire, Options options) throws Exception {
        this.wire = wire;
        this.options = options;
        // Link down after 3 s of silence (default 1 s): a frozen endpoint's reads must end by the
        // completion timeout, not by the link going down, even on a loaded machine.
        this.linkConfig = LinkConfig.defaults().withGroup(options.group()).withKeepalive(Duration.ofMillis(100), Duration.ofSeconds(3))
                .withGroupKey(options.groupKey());
        FrameTransport transport = null;
        LinkEndpoint links = null;
        RootComplex root = null;
        try {
            endpoint = new EndpointProcess(wire.openEndpoint());
            transport = wire.openVrc();
            links = LinkEndpoint.start(transport, linkConfig);
            List<Announcement> found = discover(links, options.discovery());
            if (found.size() != 1) fail("expected one endpoint to answer discovery in group " + options.group() + " over " + wire.describe()
                    + ", got " + found);
            assertTrue(found.getFirst().text().startsWith("vpcie-endpoint functions=\"00.0 dmatest [1af4:10f0]"), found.getFirst().text());
            int mps = Math.min(256, EndpointConfig.payloadLimitFor(links.maxTlpLength()));
            root = new RootComplex(RootComplexConfig.defaults().withHostMemorySize(options.hostMemory())
                    .withCompletionTimeout(options.rcCompletionTimeout()).withPayloadSizes(mps, 512));
            // Attach before the session comes up, so the root complex hears onLinkUp and learns the
            // endpoint's epoch (how it recognises a restart later), as the CLI does.
            Link l = links.connect(found.getFirst().address(), found.getFirst().instance());
            this.link = root.attach(l);
            assertTrue(l.awaitUp(PATIENCE), "no session with the endpoint over " + wire.describe());
            this.vrcTransport = transport;
            this.vrcLinks = links;
            this.vrcLink = l;
            this.rc = root;
        } catch (Exception | Error e) {
            if (root != null) root.close();
            if (links != null) links.close();
            if (transport != null) transport.close();
            if (endpoint != null) endpoint.kill();
            wire.close();
            throw e;
        }
    }

    static LinkRig start(Wire wire, Options options) throws Exception { return new LinkRig(wire, options); }

    /**
     * Rounds of discovery lasting {@code round} until one finds an endpoint, within {@link #PATIENCE}:
     * a DISCOVER lost on a lossy wire, or an answer slower than one round on a loaded machine, costs
     * another round instead of failing the test.
     */
    static List<Announcement> discover(LinkEndpoint links, Duration round) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        List<Announcement> found = links.discover(round);
        while (found.isEmpty() && System.nanoTime() - deadline < 0) found = links.discover(round);
        return found;
    }

    static LinkRig start(Wire wire) throws Exception { return start(wire, Options.defaults()); }

    /** The endpoint process now running. */
    Endpoint endpoint() { return endpoint.endpoint; }

    /** The link layer of the endpoint process now running. */
    LinkEndpoint endpointLinks() { return endpoint.links; }

    /** The dmatest function, with a fixed serial number. */
    static List<PcieFunction> functions() { return List.of(new DmaTestDevice(DmaTestDevice.Options.defaults(SERIAL_NUMBER))); }

    PcieDevice enumerateOne() throws InterruptedException {
        List<PcieDevice> found = rc.enumerate();
        assertEquals(1, found.size(), () -> "expected one function, found " + found);
        return found.getFirst();
    }

    /** The endpoint process freezes (SIGSTOP): no frame leaves or is read; its link stays up on the VRC's side for a while. */
    void stopEndpoint() { endpoint.plug.pull(); }

    /** The endpoint process dies without a goodbye. */
    void killEndpoint() { endpoint.kill(); }

    /** A new endpoint process on the same interface: a new session epoch, fresh devices. */
    void startEndpoint() throws IOException { endpoint = new EndpointProcess(wire.openEndpoint()); }

    @Override public void close() {
        rc.close();
        vrcLinks.close();
        vrcTransport.close();
        endpoint.kill();
        wire.close();
    }

    /** One run of the endpoint program: transport, link layer, endpoint with its functions. */
    private final class EndpointProcess {
        final Plug plug;
        final LinkEndpoint links;
        final Endpoint endpoint;
        private boolean dead;

        EndpointProcess(Plug plug) {
            this.plug = plug;
            LinkEndpoint l = null;
            try {
                l = LinkEndpoint.start(plug, linkConfig);
                EndpointConfig config = EndpointConfig.defaults().withCompletionTimeout(LONG_TIMEOUT)
                        .withMaxPayloadLimit(EndpointConfig.payloadLimitFor(l.maxTlpLength()));
                Endpoint.Builder b = Endpoint.builder().config(config);
                functions().forEach(b::function);
                this.endpoint = b.build();
                this.links = l;
                endpoint.serve(l);
            } catch (RuntimeException | Error e) {
                if (l != null) l.close();
                plug.close();
                throw e;
            }
        }

        void kill() {
            if (dead) return;
            dead = true;
            plug.pull();
            endpoint.close();
            links.close();
            plug.close();
        }
    }
}
