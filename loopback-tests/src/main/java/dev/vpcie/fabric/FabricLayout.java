package dev.vpcie.fabric;

import java.util.ArrayList;
import java.util.List;

/**
 * Who sits on the fabric: the VRCs, each in one group, and the endpoint hosts, each a namespace
 * whose one port carries every group of the layout (as an ExpEther I/O box's port would: the
 * group is the box's setting, not the switch's), with the identities it hosts in one group.
 *
 * @param vrcGroups     one entry per VRC: its group (VLAN ID 1..4094); its bridge port carries only that VLAN
 * @param endpointHosts one entry per endpoint host
 */
public record FabricLayout(List<Integer> vrcGroups, List<Host> endpointHosts) {

    /** An endpoint host: {@code identities} endpoint identities (instances 1..N of its MAC) in {@code group}. */
    public record Host(int group, int identities) {
        public Host {
            checkGroup(group);
            if (identities < 1 || identities > 255) throw new IllegalArgumentException("identities must be 1..255: " + identities);
        }
    }

    public FabricLayout {
        vrcGroups = List.copyOf(vrcGroups);
        endpointHosts = List.copyOf(endpointHosts);
        vrcGroups.forEach(FabricLayout::checkGroup);
    }

    /** One VRC and one host of {@code identities} endpoints, all in group {@code group}. */
    public static FabricLayout oneGroup(int group, int identities) {
        return new FabricLayout(List.of(group), List.of(new Host(group, identities)));
    }

    /**
     * {@code groups} VRCs in groups {@code firstGroup}, {@code firstGroup + 1}, ..., and for each
     * group one host of {@code perGroup} endpoints.
     */
    public static FabricLayout groups(int firstGroup, int groups, int perGroup) {
        List<Integer> vrcs = new ArrayList<>();
        List<Host> hosts = new ArrayList<>();
        for (int g = firstGroup; g < firstGroup + groups; g++) {
            vrcs.add(g);
            hosts.add(new Host(g, perGroup));
        }
        return new FabricLayout(vrcs, hosts);
    }

    /** This layout with one more endpoint host. */
    public FabricLayout withHost(Host h) {
        List<Host> hosts = new ArrayList<>(endpointHosts);
        hosts.add(h);
        return new FabricLayout(vrcGroups, hosts);
    }

    /** Every group the layout uses, in order of first use: the VLANs an endpoint host's port carries. */
    public List<Integer> groups() {
        List<Integer> all = new ArrayList<>();
        for (int g : vrcGroups) if (!all.contains(g)) all.add(g);
        for (Host h : endpointHosts) if (!all.contains(h.group())) all.add(h.group());
        return all;
    }

    private static void checkGroup(int group) {
        // Group 0 (untagged) would need a PVID per port; the fabric is about groups as VLANs.
        if (group < 1 || group > 4094) throw new IllegalArgumentException("a fabric group is a VLAN ID, 1..4094: " + group);
    }
}
