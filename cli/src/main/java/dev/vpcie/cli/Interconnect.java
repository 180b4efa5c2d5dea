package dev.vpcie.cli;

import dev.vpcie.protocol.agent.AgentLoop;
import dev.vpcie.protocol.capture.CaptureSpec;
import dev.vpcie.protocol.capture.QueuedCapture;
import dev.vpcie.protocol.encap.FrameCodec;
import dev.vpcie.protocol.link.GroupKey;
import dev.vpcie.protocol.link.LinkConfig;
import dev.vpcie.protocol.link.LinkEndpoint;
import dev.vpcie.protocol.transport.AfPacketTransport;
import dev.vpcie.protocol.transport.FaultInjectingTransport;
import dev.vpcie.protocol.transport.FrameStats;
import dev.vpcie.protocol.transport.FrameTap;
import dev.vpcie.protocol.transport.FrameTransport;
import dev.vpcie.protocol.transport.InterfaceNames;
import dev.vpcie.protocol.transport.NetDevice;
import dev.vpcie.protocol.transport.PcapTransport;
import dev.vpcie.protocol.transport.TappedTransport;
import dev.vpcie.protocol.transport.UdpTransport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The interconnect as both commands join it: the transport the user chose ({@code af_packet} or
 * {@code pcap} on an interface, or {@code udp} between two addresses), injected faults if asked,
 * and the link layer ({@link LinkEndpoint}) on top, in the user's group. {@code vpcie endpoint}
 * serves its devices on it; {@code vpcie vrc} discovers and connects the endpoints of the group.
 */
final class Interconnect implements AutoCloseable {

    /** What the user asked for on the command line. */
    record Options(String iface, int group, String transport, String udpListen, String udpPeer, String faults, String groupKey,
                   CaptureSpec capture, int etherType) {

        Options(String iface, int group, String transport, String udpListen, String udpPeer, String faults, String groupKey) {
            this(iface, group, transport, udpListen, udpPeer, faults, groupKey, null);
        }

        Options(String iface, int group, String transport, String udpListen, String udpPeer, String faults, String groupKey,
                CaptureSpec capture) {
            this(iface, group, transport, udpListen, udpPeer, faults, groupKey, capture, FrameCodec.DEFAULT_ETHER_TYPE);
        }

        /** Where the interconnect is, for messages: {@code veth0} or {@code udp 10.0.0.1:4791 -> 10.0.0.2:4791}. */
        String where() {
            return "udp".equals(transport) ? "udp " + udpListen + " -> " + udpPeer : iface;
        }
    }

    private final LinkEndpoint links;
    private final FrameTransport transport;
    private final int group;

    private Interconnect(LinkEndpoint links, FrameTransport transport, int group) {
        this.links = links;
        this.transport = transport;
        this.group = group;
    }

    /**
     * Opens the transport and starts the link layer on it. A bad option value (an unknown
     * transport, a bad fault spec, a missing interface) is an {@link IllegalArgumentException}
     * whose message suits the user; a network that cannot be used (privileges, a busy port) is an
     * exception with such a message too.
     */
    static Interconnect open(Options o, LinkConfig config) throws Exception { return open(o, config, null); }

    /** Like {@link #open(Options, LinkConfig)}, with the link layer on {@code loop} (null: a loop of its own). */
    static Interconnect open(Options o, LinkConfig config, AgentLoop loop) throws Exception {
        config = config.withEtherType(o.etherType());
        FaultInjectingTransport.Faults faults = FaultInjectingTransport.Faults.parse(o.faults()); // a bad spec is a usage error
        GroupKey key = o.groupKey() == null ? null : GroupKey.load(Path.of(o.groupKey())); // a bad key file too
        FrameTransport transport = transport(o, config.etherType());
        try {
            transport = tapped(transport, o.capture(), config.etherType());
            // Faults damage what the link receives after the capture saw it: the capture shows the wire.
            FrameTransport used = faults.equals(FaultInjectingTransport.Faults.NONE) ? transport : new FaultInjectingTransport(transport, faults);
            LinkConfig linkConfig = config.withGroup(o.group()).withGroupKey(key);
            LinkEndpoint links = loop == null ? LinkEndpoint.start(used, linkConfig) : LinkEndpoint.start(used, linkConfig, loop);
            return new Interconnect(links, used, o.group());
        } catch (RuntimeException e) {
            transport.close();
            throw e;
        }
    }

    static Interconnect open(Options o) throws Exception { return open(o, LinkConfig.defaults()); }

    /** The transport with a pcap capture and a TLP trace on it, as asked for; unchanged when neither is. */
    private static FrameTransport tapped(FrameTransport transport, CaptureSpec capture, int etherType) throws IOException {
        List<FrameTap> taps = new ArrayList<>();
        if (capture != null) {
            try {
                taps.add(QueuedCapture.open(capture)); // written on a thread of its own: the loop never waits for the disk
            } catch (IOException e) {
                throw new IOException("cannot write the capture file " + capture.file() + ": " + e.getMessage(), e);
            }
        }
        if (TlpTrace.enabled()) taps.add(new TlpTrace(transport.address()));
        if (StatsOptions.requested) taps.add(new FrameStats(etherType));
        if (RuntimeCapture.offered) taps.add(new RuntimeCapture());
        return taps.isEmpty() ? transport : new TappedTransport(transport, taps);
    }

    private static FrameTransport transport(Options o, int etherType) throws Exception {
        return switch (o.transport()) {
            case "af_packet" -> {
                checkInterface(o.iface());
                yield AfPacketTransport.open(o.iface(), etherType);
            }
            case "pcap" -> {
                checkInterface(o.iface());
                yield PcapTransport.open(o.iface(), etherType);
            }
            case "udp" -> {
                try {
                    yield UdpTransport.open(UdpTransport.parseAddress(o.udpListen()), UdpTransport.parseAddress(o.udpPeer()), etherType);
                } catch (IOException e) {
                    throw new IOException("cannot use UDP " + o.udpListen() + " -> " + o.udpPeer() + ": " + e.getMessage(), e);
                }
            }
            default -> throw new IllegalArgumentException("unknown transport '" + o.transport() + "' (af_packet, pcap or udp)");
        };
    }

    /** A missing interface is the commonest mistake: say which ones exist. */
    static void checkInterface(String name) throws IOException {
        // Through the kernel: java.net.NetworkInterface lists only interfaces with an address.
        try {
            InterfaceNames.index(name);
            return;
        } catch (NetDevice.NoSuchInterfaceException e) {
            // said below, with the ones there are
        }
        List<String> names = new ArrayList<>(InterfaceNames.names());
        Collections.sort(names);
        throw new IllegalArgumentException("no network interface '" + name + "' in this network namespace (there are: "
                + String.join(", ", names) + ")");
    }

    /** Checks a {@code HOST:PORT} option value; the message names the option. */
    static void checkHostPort(String option, String value) {
        if (value == null) throw new IllegalArgumentException(option + " HOST:PORT is required with --transport udp");
        int colon = value.lastIndexOf(':');
        String port = colon < 0 ? "" : value.substring(colon + 1);
        if (colon <= 0 || !port.matches("\\d{1,5}") || Integer.parseInt(port) > 65535)
            throw new IllegalArgumentException(option + " must be HOST:PORT, e.g. 192.0.2.1:4791: " + value);
    }

    LinkEndpoint links() { return links; }

    FrameTransport transport() { return transport; }

    /** Frames, DATA frames and TLPs each way, when --stats-interval asked for them; null otherwise. */
    FrameStats.Snapshot frameStats() {
        FrameTransport t = transport instanceof FaultInjectingTransport f ? f.inner() : transport;
        return t instanceof TappedTransport tapped ? tapped.tap(FrameStats.class).map(FrameStats::snapshot).orElse(null) : null;
    }

    /** The capture {@code vrc capture start} switches on and off, when this process offers it; null otherwise. */
    RuntimeCapture runtimeCapture() {
        FrameTransport t = transport instanceof FaultInjectingTransport f ? f.inner() : transport;
        return t instanceof TappedTransport tapped ? tapped.tap(RuntimeCapture.class).orElse(null) : null;
    }

    /** The pcap capture, when --capture asked for one; null otherwise. */
    QueuedCapture capture() {
        FrameTransport t = transport instanceof FaultInjectingTransport f ? f.inner() : transport;
        return t instanceof TappedTransport tapped ? tapped.tap(QueuedCapture.class).orElse(null) : null;
    }

    int group() { return group; }

    /** For status lines, e.g. {@code af_packet:veth0 02:00:00:00:00:02/1 group 7}. */
    String describe() {
        return transport.name() + " " + links.address() + "/" + links.hostInstance() + (group == 0 ? " untagged" : " group " + group);
    }

    /** Closes the links (peers get a CLOSE), then the transport. */
    @Override public void close() {
        links.close();
        transport.close();
    }
}
