package dev.vpcie.endpoint.wire;

import java.io.IOException;
import java.net.Inet4Address;
import java.util.List;
import java.util.Objects;

/**
 * What a NIC's wire should be, as the user said it ({@code vpcie endpoint --wire VALUE
 * --wire-transport KIND}): {@link #parse} checks it, {@link #open} makes the {@link Wire}.
 */
public sealed interface WireSpec {

    /** The kinds {@code --wire-transport} accepts. */
    List<String> KINDS = List.of("af_packet", "pcap", "tap", "echo");

    /** Opens the wire in the calling thread's network namespace. */
    Wire open() throws IOException;

    /** An interface of this host through a promiscuous AF_PACKET socket (the default) or libpcap. */
    record Interface(String name, boolean pcap) implements WireSpec {
        public Interface {
            checkInterfaceName(name);
        }

        @Override public Wire open() throws IOException { return pcap ? InterfaceWire.pcap(name) : InterfaceWire.afPacket(name); }

        @Override public String toString() { return (pcap ? "pcap:" : "af_packet:") + name; }
    }

    /** A TAP interface this wire creates on the endpoint's host. */
    record TapDevice(String name) implements WireSpec {
        public TapDevice {
            checkInterfaceName(name);
        }

        @Override public Wire open() throws IOException { return TapWire.create(name, null); }

        @Override public String toString() { return "tap:" + name; }
    }

    /** An in-memory cable to a peer that answers ARP and ping at {@code address}. */
    record Echo(Inet4Address address) implements WireSpec {
        public Echo {
            Objects.requireNonNull(address, "address");
        }

        @Override public Wire open() { return new EchoPeerWire(address); }

        @Override public String toString() { return "echo:" + address.getHostAddress(); }
    }

    /**
     * The wire of kind {@code kind} ({@link #KINDS}) named by {@code value}: an interface name for
     * {@code af_packet} and {@code pcap}, the TAP's name for {@code tap}, the peer's IPv4 address
     * for {@code echo}.
     *
     * @throws IllegalArgumentException with a message fit for the user
     */
    static WireSpec parse(String kind, String value) {
        Objects.requireNonNull(value, "value");
        return switch (kind) {
            case "af_packet" -> new Interface(value, false);
            case "pcap" -> new Interface(value, true);
            case "tap" -> new TapDevice(value);
            case "echo" -> new Echo(EchoPeerWire.parseAddress(value));
            default -> throw new IllegalArgumentException("unknown wire transport '" + kind + "' (" + String.join(", ", KINDS) + ")");
        };
    }

    private static void checkInterfaceName(String name) {
        if (name == null || name.isEmpty() || name.length() > 15 || name.contains("/") || name.contains(":")
                || name.chars().anyMatch(c -> c <= ' ' || c > '~'))
            throw new IllegalArgumentException("not an interface name: '" + name + "' (1..15 printable characters, no '/', ':' or spaces)");
    }
}
