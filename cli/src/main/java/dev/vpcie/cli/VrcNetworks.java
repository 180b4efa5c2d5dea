package dev.vpcie.cli;

import dev.vpcie.protocol.link.Announcement;
import dev.vpcie.protocol.link.Link;
import dev.vpcie.protocol.link.LinkConfig;
import dev.vpcie.protocol.link.LinkEndpoint;
import dev.vpcie.protocol.link.TlpPort;
import dev.vpcie.vrc.RootComplex;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real {@link VrcConnector}: opens the {@link Interconnect}, discovers the endpoints of the
 * group and opens a link to each; the caller attaches them and then waits for their sessions. Endpoints that announce another VRC as
 * their owner are skipped (they would refuse the link); one that names this VRC's address as
 * owner is an earlier run of this VRC whose session the endpoint has not timed out yet, and is
 * taken (the new session epoch ends the old session).
 */
final class VrcNetworks {
    private static final Logger log = LoggerFactory.getLogger(VrcNetworks.class);
    private static final String ENDPOINT_PREFIX = "vpcie-endpoint";
    /** The owner field, the last one: the functions' description before it is quoted text. */
    private static final Pattern OWNER = Pattern.compile(".*\\bowner=(\\S+)");

    private VrcNetworks() {}

    /** Why the VRC could not reach its endpoints; the message is for the user. */
    static final class UnreachableException extends Exception {
        UnreachableException(String message) { super(message); }
    }

    static VrcConnector.Connection connect(VrcConnector.Target target) throws Exception { return connect(target, false); }

    /** The interconnect with no endpoint yet: a VRC that takes its endpoints from the pool later ({@code vrc serve --no-endpoints}). */
    static VrcConnector.Connection connectNone(VrcConnector.Target target) throws Exception { return connect(target, true); }

    private static VrcConnector.Connection connect(VrcConnector.Target target, boolean none) throws Exception {
        Interconnect.Options o = target.interconnect();
        Interconnect net = Interconnect.open(o, LinkConfig.defaults(), target.loop());
        try {
            return connect(net, o, Duration.ofMillis(target.discoverTimeoutMillis()), target.endpoints(), none);
        } catch (Exception | Error e) {
            net.close();
            throw e;
        }
    }

    private static VrcConnector.Connection connect(Interconnect net, Interconnect.Options o, Duration timeout,
                                                   List<EndpointSelector> wanted, boolean none) throws Exception {
        LinkEndpoint links = net.links();
        String where = "group " + o.group() + " on " + o.where();
        List<Announcement> found = none ? List.of() : wanted.isEmpty() ? links.discover(timeout)
                : links.discover(timeout, (mac, instance) -> wanted.stream().anyMatch(w -> w.matches(mac, instance)));
        if (links.failure() != null) throw new UnreachableException("the interconnect failed: " + links.failure());
        if (!wanted.isEmpty()) {
            EndpointSelector.Selection s = EndpointSelector.select(wanted, found);
            if (!s.missing().isEmpty())
                throw new UnreachableException("endpoint " + String.join(", ", s.missing()) + " did not answer in " + where
                        + " within " + timeout.toMillis() + " ms");
            found = s.chosen();
        }
        Choice choice = choose(found, links.address() + "/" + links.hostInstance());
        // Named endpoints are tried whatever their answer says: anyone can answer with their
        // address (say, "owned by another VRC"), and a really owned endpoint refuses the session.
        List<Announcement> usable = wanted.isEmpty() ? choice.usable() : found;
        List<String> busy = choice.busy();
        for (String b : busy) log.warn(wanted.isEmpty() ? "skipping endpoint {}" : "trying endpoint {} as named", b);
        if (usable.isEmpty() && !none) {
            if (!busy.isEmpty()) throw new UnreachableException("every endpoint in " + where + " is owned by another VRC: " + String.join(", ", busy));
            throw new UnreachableException("no endpoint answered in " + where + " within " + timeout.toMillis() + " ms");
        }
        if (usable.size() > RootComplex.MAX_BUSES)
            throw new UnreachableException(usable.size() + " endpoints answered in " + where + ", more than the "
                    + RootComplex.MAX_BUSES + " buses of a root complex: name the ones to use with --endpoint MAC[/INSTANCE]");
        List<Link> opened = new ArrayList<>();
        for (Announcement a : usable) opened.add(links.connect(a.address(), a.instance()));
        List<TlpPort> ports = List.copyOf(opened);
        return new VrcConnector.Connection() {
            @Override public List<TlpPort> ports() { return ports; }

            @Override public void awaitUp() throws Exception {
                long deadline = System.nanoTime() + timeout.toNanos();
                for (Link l : opened) {
                    if (!l.awaitUp(Duration.ofNanos(Math.max(0, deadline - System.nanoTime()))))
                        throw new UnreachableException("endpoint " + l.peer() + "/" + l.peerInstance() + " in " + where
                                + " answered discovery but accepted no session within " + timeout.toMillis() + " ms");
                }
            }

            @Override public int maxTlpLength() { return links.maxTlpLength(); }

            @Override public List<Announcement> free(Duration wait) throws Exception {
                return VrcNetworks.free(links, wait);
            }

            @Override public TlpPort connect(Announcement a) { return links.connect(a.address(), a.instance()); }

            @Override public List<String> stats() { return StatsReport.lines(net, null); }

            @Override public Interconnect interconnect() { return net; }

            @Override public void close() { net.close(); }
        };
    }

    /** Free endpoints of the group that this VRC has no link to, by MAC and instance. */
    static List<Announcement> free(LinkEndpoint links, Duration wait) throws InterruptedException {
        List<Announcement> found = links.discover(wait);
        if (links.failure() != null) throw new IllegalStateException("the interconnect failed: " + links.failure());
        List<Link> linked = links.links();
        return choose(found, links.address() + "/" + links.hostInstance()).usable().stream()
                .filter(a -> linked.stream().noneMatch(l -> l.peer().equals(a.address()) && l.peerInstance() == a.instance()))
                .sorted(java.util.Comparator.comparing((Announcement a) -> a.address().toString()).thenComparingInt(Announcement::instance))
                .toList();
    }

    /** The endpoints to connect, and those skipped because another VRC owns them (described for a message). */
    record Choice(List<Announcement> usable, List<String> busy) {}

    /**
     * Which of the endpoints that answered discovery to connect: vpcie endpoints owned by nobody or
     * by {@code me} ({@code MAC/instance} of this VRC); those owned by another VRC are listed as busy;
     * anything that is not a vpcie endpoint is ignored.
     */
    static Choice choose(List<Announcement> found, String me) {
        List<Announcement> usable = new ArrayList<>();
        List<String> busy = new ArrayList<>();
        for (Announcement a : found) {
            String text = a.text();
            if (!text.startsWith(ENDPOINT_PREFIX)) {
                log.info("ignoring {}/{}: not a vpcie endpoint ({})", a.address(), a.instance(), text);
                continue;
            }
            String owner = owner(text);
            if (owner.equals("none") || owner.equals(me) || owner.startsWith(me + "_")) usable.add(a);
            // The endpoint writes the owner's description with '_' for ' ': "MAC/instance_via_af_packet:ic1".
            else busy.add(a.address() + "/" + a.instance() + " (owned by " + owner.replace("_via_", " via ") + ")");
        }
        return new Choice(usable, busy);
    }

    /** The {@code owner=} field of an announcement, {@code none} when it has none. */
    static String owner(String announcement) {
        Matcher m = OWNER.matcher(announcement);
        return m.find() ? m.group(1) : "none";
    }
}
