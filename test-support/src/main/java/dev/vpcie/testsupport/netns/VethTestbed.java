package dev.vpcie.testsupport.netns;

import java.io.IOException;

/**
 * Two fresh network namespaces joined by a veth pair with IPv4 addresses {@value #ADDRESS_A} and
 * {@value #ADDRESS_B} (/24), as tests and benchmarks need them. Closing deletes all of it.
 */
public final class VethTestbed implements AutoCloseable {
    public static final String ADDRESS_A = "10.77.0.1", ADDRESS_B = "10.77.0.2";

    private final NetNamespace a, b;
    private final VethPair veth;

    private VethTestbed(NetNamespace a, NetNamespace b, VethPair veth) {
        this.a = a;
        this.b = b;
        this.veth = veth;
    }

    /** Creates the namespaces ({@code vpcie-LABELa-...}, {@code vpcie-LABELb-...}) and the veth pair. */
    public static VethTestbed create(String label) throws IOException {
        NetNamespace a = NetNamespace.create(label + "a");
        NetNamespace b = null;
        VethPair veth = null;
        try {
            b = NetNamespace.create(label + "b");
            veth = VethPair.create(a, b);
            veth.addresses(ADDRESS_A + "/24", ADDRESS_B + "/24");
            return new VethTestbed(a, b, veth);
        } catch (IOException | RuntimeException e) {
            if (veth != null) veth.close();
            if (b != null) b.close();
            a.close();
            throw e;
        }
    }

    public NetNamespace a() { return a; }

    public NetNamespace b() { return b; }

    public VethPair veth() { return veth; }

    /** The veth end in namespace a. */
    public String interfaceA() { return veth.nameA(); }

    /** The veth end in namespace b. */
    public String interfaceB() { return veth.nameB(); }

    /**
     * Turns IPv6 off on both ends: the kernels' own IPv6 chatter (MLD reports, neighbour and
     * router solicitations, again after each link change) would otherwise reach a promiscuous
     * wire between the frames a test sends.
     */
    public void disableIpv6() throws IOException {
        a.exec("sysctl", "-q", "-w", "net.ipv6.conf." + interfaceA() + ".disable_ipv6=1");
        b.exec("sysctl", "-q", "-w", "net.ipv6.conf." + interfaceB() + ".disable_ipv6=1");
    }

    @Override public void close() {
        veth.close();
        b.close();
        a.close();
    }

    @Override public String toString() { return veth.toString(); }
}
