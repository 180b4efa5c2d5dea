package dev.vpcie.cli;

import dev.vpcie.protocol.link.Announcement;
import dev.vpcie.protocol.link.Link;
import dev.vpcie.protocol.link.TlpPort;
import dev.vpcie.protocol.tlp.Bdf;
import dev.vpcie.vrc.EndpointLink;
import dev.vpcie.vrc.PcieDevice;
import dev.vpcie.vrc.RootComplex;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running VRC's share of the pool (issue 15): the endpoints it can take ({@link #free}), the
 * claim of one at a free or pinned bus without moving anything else, the orderly release of one
 * (driver detached, TAP removed, session closed: the endpoint resets its functions and is free
 * for another VRC), and the NICs attached in it through its control socket
 * ({@code vrc attach --served}), which stay until released or until the VRC stops.
 * Requests on the control socket are served one at a time, so claims and releases never cross.
 */
final class VrcPool implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(VrcPool.class);

    /** A NIC attached in this VRC for a client: what detaches it (the TAP, then the driver, which resets the NIC). */
    record Attachment(String tap, AutoCloseable detach) {}

    private final RootComplex rc;
    private final VrcConnector.Connection connection;
    private final BusPins pins;
    private final Duration sessionTimeout;
    private final Map<Integer, Attachment> attached = new ConcurrentHashMap<>();
    /** Functions the VRC's own command drives (the NIC of a foreground {@code vrc attach}): not released under it. */
    private final Set<Integer> held = ConcurrentHashMap.newKeySet();

    VrcPool(RootComplex rc, VrcConnector.Connection connection, BusPins pins, Duration sessionTimeout) {
        this.rc = rc;
        this.connection = connection;
        this.pins = pins;
        this.sessionTimeout = sessionTimeout;
    }

    BusPins pins() { return pins; }

    /** The function {@code bdf} is driven by the command that runs this VRC. */
    void hold(int bdf) { held.add(bdf); }

    /** Whether a client attached {@code bdf} here. */
    boolean attached(int bdf) { return attached.containsKey(bdf); }

    /** Records a NIC attached for a client; {@link #release} or {@link #close} detaches it. */
    void attach(int bdf, Attachment a) {
        if (attached.putIfAbsent(bdf, a) != null) throw new IllegalStateException(Bdf.toString(bdf) + " is attached already");
    }

    /** The free endpoints of the group, by MAC and instance (a discovery round of {@code wait}). */
    List<Announcement> free(Duration wait) throws Exception { return connection.free(wait); }

    /**
     * Releases the endpoint behind {@code bdf} (its whole bus): detaches what a client attached
     * there, removes its functions and closes its session. Returns what was done, one line each;
     * a function that is not there, or that the VRC's own command drives, is an
     * {@link IllegalArgumentException}.
     */
    List<String> release(int bdf) {
        if (rc.addressMap().device(bdf) == null) throw new IllegalArgumentException("no function " + Bdf.toString(bdf) + " in this VRC (found: "
                + rc.devices().stream().map(PcieDevice::name).toList() + ")");
        int bus = Bdf.bus(bdf);
        List<PcieDevice> functions = rc.addressMap().devicesOnBus(bus);
        for (PcieDevice d : functions)
            if (held.contains(d.bdf())) throw new IllegalArgumentException(d.name() + " is driven by the command that runs this VRC (vrc attach "
                    + d.name() + "): stop that command instead");
        List<String> lines = new ArrayList<>();
        for (PcieDevice d : functions) {
            Attachment a = attached.remove(d.bdf());
            if (a == null) continue;
            try {
                a.detach().close();
            } catch (Exception e) {
                log.warn("{}: detaching failed: {}", d.name(), e.toString());
            }
            lines.add(d.name() + ": detached: NIC reset, " + a.tap() + " removed");
        }
        EndpointLink link = rc.addressMap().linkForBus(bus);
        String endpoint = link.describe();
        rc.release(bus);
        lines.add(String.format("released bus %02x (%s): session with %s closed; the endpoint resets its functions and is free", bus,
                String.join(", ", functions.stream().map(PcieDevice::name).toList()), endpoint));
        return lines;
    }

    /**
     * Connects {@code endpoint} (one of {@link #free}) at {@code wantedBus} (0: its pinned bus or
     * the lowest free one) and enumerates it; nothing else moves. A session that does not come
     * up is given up, and its bus freed.
     */
    List<PcieDevice> claim(Announcement endpoint, int wantedBus) throws Exception {
        String who = endpoint.address() + "/" + endpoint.instance();
        int bus = pins.busFor(pins.pinned(endpoint.address(), endpoint.instance()), who, rc, wantedBus);
        TlpPort port = connection.connect(endpoint);
        EndpointLink link = rc.attach(port, bus);
        boolean up = port instanceof Link l ? l.awaitUp(sessionTimeout) : port.isUp();
        if (!up) {
            rc.release(bus);
            throw new IllegalStateException("endpoint " + who + " accepted no session within " + sessionTimeout.toMillis()
                    + " ms (another VRC took it, or it is gone)");
        }
        List<PcieDevice> found = rc.enumerate(link);
        log.info("bus {}: claimed {}: {}", String.format("%02x", bus), who, found.stream().map(PcieDevice::name).toList());
        return found;
    }

    /** Detaches every NIC attached for a client (the VRC is stopping). */
    @Override public void close() {
        for (Integer bdf : List.copyOf(attached.keySet())) {
            Attachment a = attached.remove(bdf);
            if (a == null) continue;
            try {
                a.detach().close();
            } catch (Exception e) {
                log.warn("{}: detaching failed: {}", Bdf.toString(bdf), e.toString());
            }
        }
    }
}
