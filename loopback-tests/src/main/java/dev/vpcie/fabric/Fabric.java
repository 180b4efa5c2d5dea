package dev.vpcie.fabric;

import dev.vpcie.testsupport.netns.NetNamespace;
import dev.vpcie.testsupport.netns.VethPair;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A switched Ethernet fabric in network namespaces, laid out by a {@link FabricLayout}: one
 * namespace holds a Linux bridge with VLAN filtering, each VRC and each endpoint host gets a
 * namespace of its own joined to the bridge by a veth pair. The VLAN filter is the bridge's own
 * {@code vlan_filtering} (no 8021q module) where the kernel has it ({@link Filter#BRIDGE_VLAN});
 * a kernel built without {@code CONFIG_BRIDGE_VLAN_FILTERING} refuses it, and there the same port
 * memberships are nftables rules in the bridge's forward hook ({@link Filter#NFTABLES}), which
 * also count what they drop. A VRC's bridge port is a member of its group's VLAN only, so the switch itself
 * keeps every other group's frames away from it; an endpoint host's port carries every group of
 * the layout (tagged), so its identities' group is their own setting and a restart with another
 * group moves them, and they see (and refuse) the other groups' broadcasts.
 *
 * <p>Needs root. Names are unique ({@link NetNamespace}, {@link VethPair}); {@link #close}
 * deletes everything, and a failure half-way through creation deletes what was made.
 */
public final class Fabric implements AutoCloseable {
    /** The bridge's name inside its own namespace. */
    static final String BRIDGE = "vpfabric";

    /** One member's end of the fabric: its namespace and the interface there that leads to the bridge. */
    public record Port(NetNamespace namespace, String iface) {}

    /** How the switch keeps the groups apart. */
    public enum Filter {
        /** The bridge's {@code vlan_filtering} with {@code bridge vlan} memberships. */
        BRIDGE_VLAN,
        /** The same memberships as nftables rules in the bridge family's forward hook (counted). */
        NFTABLES
    }

    /** The nftables table of {@link Filter#NFTABLES}, in the switch's namespace. */
    private static final String TABLE = "vpcie_fabric";

    private final FabricLayout layout;
    private final List<NetNamespace> namespaces = new ArrayList<>();
    private final List<Port> vrcs = new ArrayList<>();
    private final List<Port> hosts = new ArrayList<>();
    private NetNamespace switchNs;
    private Filter filter;
    /** Each bridge port's VLANs, in the order the ports joined. */
    private final java.util.Map<String, List<Integer>> memberships = new java.util.LinkedHashMap<>();

    private Fabric(FabricLayout layout) { this.layout = layout; }

    /** Why the fabric cannot be made here (not root, no {@code ip}/{@code bridge}), for a skip message; null when it can. */
    public static String unavailableReason() { return NetNamespace.unavailableReason(); }

    /** Builds the fabric the layout describes. */
    public static Fabric create(FabricLayout layout) throws IOException {
        Fabric f = new Fabric(layout);
        try {
            f.build();
        } catch (IOException | RuntimeException e) {
            f.close();
            throw e;
        }
        return f;
    }

    private void build() throws IOException {
        switchNs = namespace("fsw");
        try {
            switchNs.ip("link", "add", "name", BRIDGE, "type", "bridge", "vlan_filtering", "1");
            filter = Filter.BRIDGE_VLAN;
        } catch (IOException e) {
            if (!e.getMessage().contains("Operation not supported")) throw e;
            switchNs.ip("link", "add", "name", BRIDGE, "type", "bridge"); // this kernel has no bridge VLAN filtering
            filter = Filter.NFTABLES;
        }
        for (int i = 0; i < layout.vrcGroups().size(); i++) vrcs.add(join(namespace("fv" + i), List.of(layout.vrcGroups().get(i))));
        for (int i = 0; i < layout.endpointHosts().size(); i++) hosts.add(join(namespace("fe" + i), layout.groups()));
        if (filter == Filter.NFTABLES) dev.vpcie.testsupport.netns.Command.run(nftRules(), switchNs.command(List.of("nft", "-f", "-")));
        switchNs.ip("link", "set", BRIDGE, "up"); // forwarding starts once every port is filtered
    }

    /**
     * The memberships as one nftables table: a frame enters and leaves a port only with a VLAN
     * ID of that port's, and an untagged frame crosses no port (it would cross groups).
     */
    private String nftRules() {
        StringBuilder b = new StringBuilder("table bridge " + TABLE + " {\n  chain forward {\n"
                + "    type filter hook forward priority 0; policy accept;\n"
                + "    ether type != 8021q counter drop\n");
        memberships.forEach((port, vids) -> {
            String set = "{ " + String.join(", ", vids.stream().map(String::valueOf).toList()) + " }";
            b.append("    iifname \"").append(port).append("\" vlan id != ").append(set).append(" counter drop\n");
            b.append("    oifname \"").append(port).append("\" vlan id != ").append(set).append(" counter drop\n");
        });
        return b.append("  }\n}\n").toString();
    }

    private NetNamespace namespace(String label) throws IOException {
        NetNamespace ns = NetNamespace.create(label);
        namespaces.add(ns);
        return ns;
    }

    /** A veth from {@code ns} to the bridge, its bridge end a tagged member of {@code vlans} and of nothing else. */
    private Port join(NetNamespace ns, List<Integer> vlans) throws IOException {
        VethPair pair = VethPair.create(ns, switchNs); // deleted with the namespaces
        String port = pair.nameB();
        switchNs.ip("link", "set", port, "master", BRIDGE);
        memberships.put(port, List.copyOf(vlans));
        if (filter == Filter.BRIDGE_VLAN) {
            // A new port is an untagged member of VLAN 1 (the default PVID): untagged frames would cross groups.
            switchNs.exec("bridge", "vlan", "del", "dev", port, "vid", "1");
            for (int vid : vlans) switchNs.exec("bridge", "vlan", "add", "dev", port, "vid", Integer.toString(vid));
        }
        return new Port(ns, pair.nameA());
    }

    public FabricLayout layout() { return layout; }

    /** VRC {@code i}'s namespace and interface (in {@link FabricLayout#vrcGroups()} order). */
    public Port vrc(int i) { return vrcs.get(i); }

    /** Endpoint host {@code i}'s namespace and interface (in {@link FabricLayout#endpointHosts()} order). */
    public Port host(int i) { return hosts.get(i); }

    /** How this switch keeps the groups apart (what this kernel supports). */
    public Filter filter() { return filter; }

    /**
     * Frames the switch dropped because their VLAN was not the port's, so far; -1 where the
     * switch does not count them ({@link Filter#BRIDGE_VLAN}: the bridge keeps no such counter).
     */
    public long framesFiltered() throws IOException {
        if (filter != Filter.NFTABLES) return -1;
        String listing = switchNs.exec("nft", "list", "chain", "bridge", TABLE, "forward");
        long n = 0;
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("counter packets (\\d+)").matcher(listing);
        while (m.find()) n += Long.parseLong(m.group(1));
        return n;
    }

    /** The switch's VLAN memberships as it reports them (for failure messages). */
    public String vlans() {
        try {
            return filter == Filter.NFTABLES ? switchNs.exec("nft", "list", "table", "bridge", TABLE) : switchNs.exec("bridge", "vlan", "show");
        } catch (IOException e) {
            return "(listing the VLAN filter failed: " + e.getMessage() + ")";
        }
    }

    /** Deletes every namespace, and with them the bridge and the veths; never throws. */
    @Override public void close() {
        for (NetNamespace ns : namespaces.reversed()) ns.close();
        namespaces.clear();
    }

    @Override public String toString() {
        return "fabric of " + vrcs.size() + " VRC(s) and " + hosts.size() + " endpoint host(s) on " + switchNs + "/" + BRIDGE
                + " (" + (filter == Filter.NFTABLES ? "VLANs by nftables" : "bridge vlan_filtering") + ")";
    }
}
