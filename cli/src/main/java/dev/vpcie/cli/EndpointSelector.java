package dev.vpcie.cli;

import dev.vpcie.protocol.link.Announcement;
import dev.vpcie.protocol.transport.MacAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * An endpoint the user named with {@code vrc --endpoint MAC[/INSTANCE]}: only endpoints named so
 * are used, each on the bus of its position (the first named is bus 01), whatever else answers
 * discovery. A stranger who answers too can then neither take a bus nor move the endpoint to
 * another one (docs/security.md).
 *
 * @param address  the endpoint's MAC address
 * @param instance its host-instance ID, or -1 for whichever instance answers (the lowest if several)
 */
record EndpointSelector(MacAddress address, int instance) {

    /** Parses {@code MAC[/INSTANCE]}; the message of a bad value suits the user. */
    static EndpointSelector parse(String text) {
        int slash = text.indexOf('/');
        String mac = slash < 0 ? text : text.substring(0, slash);
        MacAddress address;
        try {
            address = MacAddress.parse(mac);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--endpoint must be MAC[/INSTANCE], e.g. 02:00:00:00:00:02/1: " + text);
        }
        if (address.isMulticast()) throw new IllegalArgumentException("--endpoint must be a unicast MAC address: " + text);
        if (slash < 0) return new EndpointSelector(address, -1);
        String inst = text.substring(slash + 1);
        if (!inst.matches("\\d{1,5}") || Integer.parseInt(inst) > 65534)
            throw new IllegalArgumentException("--endpoint instance must be 0..65534: " + text);
        return new EndpointSelector(address, Integer.parseInt(inst));
    }

    boolean matches(Announcement a) { return matches(a.address(), a.instance()); }

    boolean matches(MacAddress mac, int peerInstance) {
        return mac.equals(address) && (instance < 0 || peerInstance == instance);
    }

    /**
     * The announcements to use, in the order the selectors were given (one per selector, sorted
     * announcements assumed), and the selectors nobody answered for, as text for a message.
     */
    static Selection select(List<EndpointSelector> wanted, List<Announcement> found) {
        List<Announcement> chosen = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (EndpointSelector s : wanted) {
            Announcement match = found.stream().filter(s::matches).filter(a -> !chosen.contains(a)).findFirst().orElse(null);
            if (match == null) missing.add(s.toString());
            else chosen.add(match);
        }
        return new Selection(chosen, missing);
    }

    record Selection(List<Announcement> chosen, List<String> missing) {}

    @Override public String toString() { return instance < 0 ? address.toString() : address + "/" + instance; }
}
