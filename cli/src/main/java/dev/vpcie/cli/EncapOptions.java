package dev.vpcie.cli;

import dev.vpcie.protocol.encap.FrameCodec;
import java.net.InetAddress;
import java.net.UnknownHostException;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * {@code --encap}, {@code --ethertype} and the NetTLP addresses, shared by {@code endpoint} and
 * {@code vrc}. The native encapsulation (the default) is Ethernet frames with vpcie's link layer
 * on {@code --transport}; {@code nettlp} is NetTLP's one TLP per UDP datagram on its fixed ports,
 * between {@code --nettlp-local} and {@code --nettlp-peer}, without a link layer.
 */
final class EncapOptions {
    static final String NATIVE = "native", NETTLP = "nettlp";

    @Option(names = "--encap", paramLabel = "KIND", defaultValue = NATIVE,
            description = "how TLPs travel: native (vpcie's reliable link on --transport) or nettlp (NetTLP-compatible UDP, no "
                    + "reliability: a lost datagram is a completion timeout) (default: ${DEFAULT-VALUE})")
    String encap;

    @Option(names = "--ethertype", paramLabel = "HEX", description = "EtherType of the native encapsulation (default: 0x88b5)")
    String etherType;

    @Option(names = "--nettlp-local", paramLabel = "ADDR", description = "with --encap nettlp: this side's IP address (both sides bind "
            + "the same ports, so one machine needs two addresses, e.g. 127.0.0.1 and 127.0.0.2)")
    String local;

    @Option(names = "--nettlp-peer", paramLabel = "ADDR",
            description = "with --encap nettlp: the other side's IP address (the endpoint: the adapter or VRC; the VRC: the device side)")
    String peer;

    boolean nettlp() { return NETTLP.equals(encap); }

    /** Checks the combination; throws a {@link CommandLine.ParameterException} naming the option. */
    void check(CommandLine cl, boolean networkOptionsGiven) {
        if (!NATIVE.equals(encap) && !NETTLP.equals(encap))
            throw new CommandLine.ParameterException(cl, "--encap must be native or nettlp: '" + encap + "'");
        if (nettlp()) {
            if (local == null || peer == null)
                throw new CommandLine.ParameterException(cl, "--encap nettlp needs --nettlp-local ADDR and --nettlp-peer ADDR");
            if (etherType != null) throw new CommandLine.ParameterException(cl, "--ethertype goes with --encap native only (NetTLP is UDP)");
            if (networkOptionsGiven)
                throw new CommandLine.ParameterException(cl, "--iface, --transport, --udp-*, --group, --faults, --endpoint, --capture and --group-key go with --encap native only");
            localAddress(cl);
            peerAddress(cl);
        } else {
            if (local != null || peer != null)
                throw new CommandLine.ParameterException(cl, "--nettlp-local and --nettlp-peer go with --encap nettlp only");
            etherType(cl);
        }
    }

    /** The native encapsulation's EtherType. */
    int etherType(CommandLine cl) {
        if (etherType == null) return FrameCodec.DEFAULT_ETHER_TYPE;
        int v;
        try {
            String t = etherType.trim().toLowerCase(java.util.Locale.ROOT);
            v = Integer.parseInt(t.startsWith("0x") ? t.substring(2) : t, 16);
        } catch (NumberFormatException e) {
            throw new CommandLine.ParameterException(cl, "--ethertype takes a hexadecimal EtherType such as 0x88b5: '" + etherType + "'");
        }
        if (v < 0x0600 || v > 0xFFFF || v == 0x8100)
            throw new CommandLine.ParameterException(cl, "--ethertype must be 0x0600..0xffff and not 0x8100 (the VLAN tag): '" + etherType + "'");
        return v;
    }

    InetAddress localAddress(CommandLine cl) { return address(cl, "--nettlp-local", local); }

    InetAddress peerAddress(CommandLine cl) { return address(cl, "--nettlp-peer", peer); }

    static InetAddress address(CommandLine cl, String option, String value) {
        // getByName("") is the loopback address: an empty value is a mistake, not a choice.
        if (value == null || value.isBlank()) throw new CommandLine.ParameterException(cl, option + " needs an address");
        try {
            InetAddress a = InetAddress.getByName(value);
            if (a.isAnyLocalAddress()) throw new CommandLine.ParameterException(cl, option + " needs a concrete address, not " + value);
            return a;
        } catch (UnknownHostException e) {
            throw new CommandLine.ParameterException(cl, option + ": cannot resolve '" + value + "'");
        }
    }
}
