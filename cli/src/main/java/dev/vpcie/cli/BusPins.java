package dev.vpcie.cli;

import dev.vpcie.protocol.link.Link;
import dev.vpcie.protocol.link.TlpPort;
import dev.vpcie.protocol.transport.MacAddress;
import dev.vpcie.vrc.RootComplex;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code vrc --bus MAC[/INSTANCE]=N}: endpoints pinned to bus numbers, so that a device keeps
 * its BDF (and, BARs being placed per bus, its BAR addresses) across VRC restarts whatever else
 * answers. Endpoints not pinned take the lowest bus that is neither used nor pinned.
 */
final class BusPins {
    private record Pin(EndpointSelector endpoint, int bus) {}

    private final List<Pin> pins;

    private BusPins(List<Pin> pins) { this.pins = List.copyOf(pins); }

    static final BusPins NONE = new BusPins(List.of());

    /** Parses the option's values; the message of a bad one suits the user. */
    static BusPins parse(List<String> values) {
        List<Pin> pins = new ArrayList<>();
        for (String v : values) {
            int eq = v.lastIndexOf('=');
            if (eq < 0) throw new IllegalArgumentException("--bus must be MAC[/INSTANCE]=N, e.g. 02:00:00:00:00:02/1=3: " + v);
            EndpointSelector endpoint;
            try {
                endpoint = EndpointSelector.parse(v.substring(0, eq));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--bus must be MAC[/INSTANCE]=N, e.g. 02:00:00:00:00:02/1=3: " + v);
            }
            String n = v.substring(eq + 1);
            if (!n.matches("\\d{1,3}") || Integer.parseInt(n) < 1 || Integer.parseInt(n) > RootComplex.MAX_BUSES)
                throw new IllegalArgumentException("--bus number must be 1.." + RootComplex.MAX_BUSES + ": " + v);
            int bus = Integer.parseInt(n);
            for (Pin p : pins) {
                if (p.bus == bus) throw new IllegalArgumentException("--bus " + bus + " is given twice: " + p.endpoint + " and " + endpoint);
                if (p.endpoint.equals(endpoint)) throw new IllegalArgumentException("--bus pins " + endpoint + " twice");
            }
            pins.add(new Pin(endpoint, bus));
        }
        return new BusPins(pins);
    }

    /** The bus pinned for {@code port}'s endpoint, or 0; only links know their endpoint. */
    int pinned(TlpPort port) { return port instanceof Link l ? pinned(l.peer(), l.peerInstance()) : 0; }

    /** The bus pinned for the endpoint {@code mac}/{@code instance}, or 0. */
    int pinned(MacAddress mac, int instance) {
        for (Pin p : pins) if (p.endpoint.matches(mac, instance)) return p.bus;
        return 0;
    }

    boolean isPinned(int bus) { return pins.stream().anyMatch(p -> p.bus == bus); }

    /**
     * The bus for {@code port} on {@code rc}: its pinned one, {@code wanted} (non-zero: {@code vrc
     * claim --bus}), or the lowest free bus no endpoint is pinned to.
     */
    int busFor(TlpPort port, RootComplex rc, int wanted) { return busFor(pinned(port), port.describe(), rc, wanted); }

    /** {@link #busFor(TlpPort, RootComplex, int)} for an endpoint pinned to {@code pin} (0: not pinned), described by {@code who}. */
    int busFor(int pin, String who, RootComplex rc, int wanted) {
        if (wanted != 0 && pin != 0 && wanted != pin)
            throw new IllegalArgumentException(who + " is pinned to bus " + String.format("%02x", pin) + ", not " + String.format("%02x", wanted));
        int bus = wanted != 0 ? wanted : pin;
        if (bus != 0) {
            if (rc.addressMap().linkForBus(bus) != null) throw new IllegalArgumentException(String.format("bus %02x is taken", bus) + " (by "
                    + rc.addressMap().linkForBus(bus).describe() + ")");
            return bus;
        }
        for (int b = 1; b <= RootComplex.MAX_BUSES; b++) if (rc.addressMap().linkForBus(b) == null && !isPinned(b)) return b;
        throw new IllegalArgumentException("no bus numbers left: a root complex has " + RootComplex.MAX_BUSES + " buses");
    }
}
