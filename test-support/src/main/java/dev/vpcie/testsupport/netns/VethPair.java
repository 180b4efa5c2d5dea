package dev.vpcie.testsupport.netns;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A veth pair with one end in each of two namespaces, both ends up. Interface names are unique
 * per process and short enough for Linux (15 characters): {@code vp<pid><random>a} / {@code ...b}.
 */
public final class VethPair implements AutoCloseable {
    private final NetNamespace namespaceA, namespaceB;
    private final String nameA, nameB;
    private boolean closed;

    private VethPair(NetNamespace namespaceA, String nameA, NetNamespace namespaceB, String nameB) {
        this.namespaceA = namespaceA;
        this.nameA = nameA;
        this.namespaceB = namespaceB;
        this.nameB = nameB;
    }

    public static VethPair create(NetNamespace a, NetNamespace b) throws IOException {
        String stem = "vp" + Long.toString(ProcessHandle.current().pid(), 36)
                + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36, 36 * 36 * 36 * 36), 36);
        VethPair pair = new VethPair(a, stem + "a", b, stem + "b");
        Command.run("ip", "link", "add", pair.nameA, "netns", a.name(), "type", "veth", "peer", "name", pair.nameB, "netns", b.name());
        try {
            a.ip("link", "set", pair.nameA, "up");
            b.ip("link", "set", pair.nameB, "up");
        } catch (IOException | RuntimeException e) {
            pair.close();
            throw e;
        }
        return pair;
    }

    public String nameA() { return nameA; }

    public String nameB() { return nameB; }

    public NetNamespace namespaceA() { return namespaceA; }

    public NetNamespace namespaceB() { return namespaceB; }

    /** Gives each end an address, e.g. {@code 10.77.0.1/24}. */
    public VethPair addresses(String cidrA, String cidrB) throws IOException {
        namespaceA.ip("addr", "add", cidrA, "dev", nameA);
        namespaceB.ip("addr", "add", cidrB, "dev", nameB);
        return this;
    }

    /** Sets both ends' MTU. */
    public VethPair mtu(int mtu) throws IOException {
        namespaceA.ip("link", "set", nameA, "mtu", Integer.toString(mtu));
        namespaceB.ip("link", "set", nameB, "mtu", Integer.toString(mtu));
        return this;
    }

    /** Sets the MAC addresses of the two ends, e.g. {@code 02:00:00:00:aa:01}. */
    public VethPair macs(String a, String b) throws IOException {
        namespaceA.ip("link", "set", nameA, "address", a);
        namespaceB.ip("link", "set", nameB, "address", b);
        return this;
    }

    /** Deletes the pair (deleting one end deletes both); quiet when a namespace took it along already. */
    @Override public void close() {
        if (closed) return;
        closed = true;
        try {
            Command.Result r = Command.tryRun(null, List.of("ip", "-n", namespaceA.name(), "link", "del", nameA));
            if (r.exitCode() != 0 && !r.stderr().contains("Cannot find device") && !r.stderr().contains("No such file"))
                System.err.println("vpcie: could not delete veth " + nameA + ": " + r.stderr().strip());
        } catch (IOException e) {
            System.err.println("vpcie: could not delete veth " + nameA + ": " + e.getMessage());
        }
    }

    @Override public String toString() { return namespaceA + "/" + nameA + " <-> " + namespaceB + "/" + nameB; }
}
