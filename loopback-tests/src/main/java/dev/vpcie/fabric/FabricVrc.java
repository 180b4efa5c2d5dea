package dev.vpcie.fabric;

import dev.vpcie.endpoint.EndpointConfig;
import dev.vpcie.protocol.link.Announcement;
import dev.vpcie.protocol.link.Link;
import dev.vpcie.protocol.link.LinkConfig;
import dev.vpcie.protocol.link.LinkEndpoint;
import dev.vpcie.protocol.transport.AfPacketTransport;
import dev.vpcie.protocol.transport.FrameTransport;
import dev.vpcie.vrc.PcieDevice;
import dev.vpcie.vrc.RootComplex;
import dev.vpcie.vrc.RootComplexConfig;
import dev.vpcie.vrc.lspci.Lspci;
import dev.vpcie.vrc.lspci.LspciFunction;
import dev.vpcie.vrc.lspci.PciIds;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A VRC on a fabric port, in this JVM, wired as {@code vpcie vrc} wires it: its link layer in
 * its group, discovery, one link per endpoint found, every link attached to one
 * {@link RootComplex} before its session comes up, then enumeration.
 */
public final class FabricVrc implements AutoCloseable {
    /** Completion timeout of the root complex: far above any scheduling delay of a loaded machine. */
    static final Duration COMPLETION_TIMEOUT = Duration.ofSeconds(5);

    private final FrameTransport transport;
    private final LinkEndpoint links;
    private final RootComplex rc;
    private final int group;

    private FabricVrc(FrameTransport transport, LinkEndpoint links, RootComplex rc, int group) {
        this.transport = transport;
        this.links = links;
        this.rc = rc;
        this.group = group;
    }

    /** A VRC in {@code group} on {@code port}, with {@code hostMemory} bytes of host memory; nothing discovered yet. */
    public static FabricVrc start(Fabric.Port port, int group, long hostMemory) throws IOException {
        FrameTransport t = port.namespace().call(() -> AfPacketTransport.open(port.iface(), LinkConfig.defaults().etherType()));
        LinkEndpoint l = null;
        try {
            l = LinkEndpoint.start(t, LinkConfig.defaults().withGroup(group));
            int mps = Math.min(256, EndpointConfig.payloadLimitFor(l.maxTlpLength()));
            RootComplex rc = new RootComplex(RootComplexConfig.defaults().withHostMemorySize(hostMemory)
                    .withCompletionTimeout(COMPLETION_TIMEOUT).withPayloadSizes(mps, 512));
            return new FabricVrc(t, l, rc, group);
        } catch (RuntimeException e) {
            if (l != null) l.close();
            t.close();
            throw e;
        }
    }

    /**
     * One discovery of {@code window}: the vpcie endpoints that answered in the group, in
     * (MAC, instance) order.
     */
    public List<Announcement> discover(Duration window) throws InterruptedException {
        List<Announcement> found = new ArrayList<>(links.discover(window));
        found.removeIf(a -> !a.text().startsWith("vpcie-endpoint"));
        found.sort(Comparator.comparing((Announcement a) -> a.address().bits()).thenComparingInt(Announcement::instance));
        return found;
    }

    /**
     * Discovery rounds of {@code window} until at least {@code expected} endpoints answer (or
     * {@code patience} runs out: then with whoever answered), links to all of them attached to
     * the root complex, their sessions up, and everything enumerated; returns the functions found.
     */
    public List<PcieDevice> connectAndEnumerate(int expected, Duration window, Duration patience) throws Exception {
        long deadline = System.nanoTime() + patience.toNanos();
        List<Announcement> found = discover(window);
        while (found.size() < expected && System.nanoTime() - deadline < 0) found = discover(window);
        List<Link> opened = new ArrayList<>();
        for (Announcement a : found) {
            Link l = links.connect(a.address(), a.instance());
            rc.attach(l); // before the session is up: the root complex hears it come up, as the CLI does
            opened.add(l);
        }
        for (Link l : opened) {
            if (!l.awaitUp(Duration.ofNanos(Math.max(0, deadline - System.nanoTime()))))
                throw new IOException("no session with " + l.peer() + "/" + l.peerInstance() + " in group " + group);
        }
        return rc.enumerate();
    }

    /**
     * What {@code vpcie vrc lspci} prints for the functions this VRC holds. It reads each
     * function's whole configuration space (4 KiB, a read per dword) over its link: call it once.
     */
    public String lspci() {
        List<LspciFunction> fns = rc.devices().stream().map(LspciFunction::of).toList();
        return new Lspci(PciIds.builtIn()).render(fns, 0, null);
    }

    public RootComplex rootComplex() { return rc; }

    public LinkEndpoint links() { return links; }

    public int group() { return group; }

    /** Closes the root complex, then the links (the endpoints get a CLOSE) and the socket. */
    @Override public void close() {
        rc.close();
        links.close();
        transport.close();
    }
}
