package dev.vpcie.testsupport.netns;

import java.io.IOException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Random loss of the frames an interface transmits, done by nftables because this kernel has
 * no netem: a netdev-family table with an <em>egress</em> chain on the device and the rule
 * {@code numgen random mod 100 < N counter drop}. To lose frames in both directions of a veth
 * pair, add one on each end.
 *
 * <p>Why egress: on receive the kernel hands every frame to packet sockets (AF_PACKET, libpcap)
 * before the netdev ingress hook runs, so an ingress rule drops frames for the IP stack (ping
 * sees the loss) while raw-socket transports still receive all of them. An egress drop happens
 * before the frame reaches the other end at all. (netdev egress needs Linux 5.16+.)
 */
public final class FrameLoss implements AutoCloseable {
    private static final Pattern COUNTER = Pattern.compile("counter packets (\\d+)");

    private final NetNamespace namespace;
    private final String device;
    private final String table;
    private int percent;

    private FrameLoss(NetNamespace namespace, String device, String table, int percent) {
        this.namespace = namespace;
        this.device = device;
        this.table = table;
        this.percent = percent;
    }

    static FrameLoss add(NetNamespace namespace, String device, int percent) throws IOException {
        checkPercent(percent);
        String table = "vpcie_loss_" + device.replaceAll("[^A-Za-z0-9_]", "_");
        String script = "table netdev " + table + " {\n"
                + "  chain egress {\n"
                + "    type filter hook egress device \"" + device + "\" priority 0; policy accept;\n"
                + "    " + rule(percent) + "\n"
                + "  }\n"
                + "}\n";
        nft(namespace, script);
        return new FrameLoss(namespace, device, table, percent);
    }

    public String device() { return device; }

    public int percent() { return percent; }

    /** Changes the loss rate; 0 lets everything through. */
    public void percent(int newPercent) throws IOException {
        checkPercent(newPercent);
        nft(namespace, "flush chain netdev " + table + " egress\n"
                + "add rule netdev " + table + " egress " + rule(newPercent) + "\n");
        percent = newPercent;
    }

    /** Frames dropped so far by the current rule (the counter restarts when {@link #percent(int)} changes it). */
    public long dropped() throws IOException {
        String listing = Command.run(null, namespace.command(List.of("nft", "list", "chain", "netdev", table, "egress")));
        Matcher m = COUNTER.matcher(listing);
        if (!m.find()) throw new IOException("no counter in nft listing of " + table + ":\n" + listing);
        return Long.parseLong(m.group(1));
    }

    /** Removes the table; quietly does nothing if the namespace is already gone. */
    @Override public void close() {
        try {
            Command.Result r = Command.tryRun(null, namespace.command(List.of("nft", "delete", "table", "netdev", table)));
            if (r.exitCode() != 0 && !r.stderr().contains("No such file") && !r.stderr().contains("Cannot open network namespace"))
                System.err.println("vpcie: could not remove nft table " + table + ": " + r.stderr().strip());
        } catch (IOException e) {
            System.err.println("vpcie: could not remove nft table " + table + ": " + e.getMessage());
        }
    }

    private static String rule(int percent) {
        // nft refuses "< 100" (numgen's range is 0..99), so total loss is a plain drop.
        return percent == 100 ? "counter drop" : "numgen random mod 100 < " + percent + " counter drop";
    }

    private static void checkPercent(int percent) {
        if (percent < 0 || percent > 100) throw new IllegalArgumentException("loss must be 0..100 %: " + percent);
    }

    private static void nft(NetNamespace namespace, String script) throws IOException {
        Command.run(script, namespace.command(List.of("nft", "-f", "-")));
    }
}
