package dev.vpcie.fabric;

import dev.vpcie.protocol.transport.MacAddress;
import dev.vpcie.vrc.PcieDevice;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * {@code scripts/bench scale}: issue 15's figures on this machine, each beside its baseline from
 * the same run and the load average. Enumeration of 32 endpoints (one endpoint as the baseline),
 * the VRC's lspci of them, 32 checked DMA copies at once, four VRCs by eight endpoints in four
 * groups on one bridge, and what an idle endpoint identity costs in memory and CPU. Needs root.
 *
 * <p>Usage: {@code ScaleBench [--runs N] [--bytes N] [--idle-seconds N]}.
 */
public final class ScaleBench {
    static final Duration WINDOW = Duration.ofMillis(300), PATIENCE = Duration.ofSeconds(60);

    private ScaleBench() {}

    public static void main(String[] args) throws Exception {
        int runs = 5, bytes = 64 << 10, idleSeconds = 10;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--runs" -> runs = positive(args, ++i);
                case "--bytes" -> bytes = positive(args, ++i);
                case "--idle-seconds" -> idleSeconds = positive(args, ++i);
                case "-h", "--help" -> {
                    System.out.println("usage: scripts/bench scale [--runs N (default 5)] [--bytes N per DMA copy (default 65536)] "
                            + "[--idle-seconds N (default 10)]");
                    return;
                }
                default -> usage("unknown option '" + args[i] + "'");
            }
        }
        String why = Fabric.unavailableReason();
        if (why != null) usage("scripts/bench scale " + why);
        System.out.printf("== vpcie bench scale, Linux %s, %d CPUs, JDK %s%n", System.getProperty("os.version"),
                Runtime.getRuntime().availableProcessors(), Runtime.version());
        enumeration(runs, bytes);
        groups();
        idle(idleSeconds);
    }

    /** 32 endpoints and, as the baseline, 1, enumerated by a fresh VRC per run; lspci and the copies on the last. */
    private static void enumeration(int runs, int bytes) throws Exception {
        FabricLayout layout = new FabricLayout(List.of(31, 32), List.of(new FabricLayout.Host(31, 32), new FabricLayout.Host(32, 1)));
        try (Fabric fabric = Fabric.create(layout);
             EndpointHost many = EndpointHost.start(fabric.host(0), 31, 32);
             EndpointHost one = EndpointHost.start(fabric.host(1), 32, 1)) {
            System.out.println("   " + fabric + "; load average " + load());
            System.out.println("enumeration by a new VRC: discovery (rounds of " + WINDOW.toMillis() + " ms), sessions, configuration, BARs; "
                    + runs + " runs each (p99 of so few is their maximum)");
            long[] baseline = new long[runs], scaled = new long[runs], listed = new long[runs];
            CheckedCopies.Result copies = null;
            for (int r = 0; r < runs; r++) {
                baseline[r] = enumerate(fabric, 1, 32, 1, null);
                long[] lspci = new long[1];
                boolean last = r == runs - 1;
                CheckedCopies.Result[] c = new CheckedCopies.Result[1];
                scaled[r] = enumerate(fabric, 0, 31, 32, vrc -> {
                    long t = System.nanoTime();
                    String listing = vrc.lspci();
                    lspci[0] = System.nanoTime() - t;
                    if (listing.lines().count() != 32) throw new IllegalStateException("lspci shows " + listing.lines().count() + " of 32:\n" + listing);
                    if (last) c[0] = CheckedCopies.run(vrc.rootComplex(), vrc.rootComplex().devices(), bytes, TimeUnit.SECONDS.toNanos(60));
                });
                listed[r] = lspci[0];
                if (last) copies = c[0];
            }
            System.out.printf("   1 endpoint (baseline)     %s%n", stats(baseline));
            System.out.printf("   32 endpoints              %s   target < 5000 ms; load %s%n", stats(scaled), load());
            System.out.printf("   lspci of the 32 (4 KiB of configuration space each, a read per dword)  %s%n", stats(listed));
            System.out.printf("concurrent checked DMA: %s; load %s%n", copies.describe(), load());
        }
    }

    /** What a VRC on {@code fabric.vrc(i)} does with {@code expected} endpoints after enumerating them. */
    private interface Then {
        void accept(FabricVrc vrc) throws Exception;
    }

    /** Nanoseconds from a new VRC's start to its {@code expected} functions enumerated. */
    private static long enumerate(Fabric fabric, int i, int group, int expected, Then then) throws Exception {
        long t = System.nanoTime();
        try (FabricVrc vrc = FabricVrc.start(fabric.vrc(i), group, 64L << 20)) {
            List<PcieDevice> found = vrc.connectAndEnumerate(expected, WINDOW, PATIENCE);
            long took = System.nanoTime() - t;
            if (found.size() != expected) throw new IllegalStateException("enumerated " + found.size() + " of " + expected + " in group " + group);
            if (then != null) then.accept(vrc);
            return took;
        }
    }

    /** Four VRCs by eight endpoints in four groups: who sees whom, and who refused what. */
    private static void groups() throws Exception {
        int first = 41, groups = 4, per = 8;
        try (Fabric fabric = Fabric.create(FabricLayout.groups(first, groups, per))) {
            List<EndpointHost> hosts = new ArrayList<>();
            List<FabricVrc> vrcs = new ArrayList<>();
            try {
                for (int g = 0; g < groups; g++) hosts.add(EndpointHost.start(fabric.host(g), first + g, per));
                for (int g = 0; g < groups; g++) vrcs.add(FabricVrc.start(fabric.vrc(g), first + g, 16L << 20));
                StringBuilder seen = new StringBuilder();
                int crossed = 0;
                for (int g = 0; g < groups; g++) {
                    FabricVrc vrc = vrcs.get(g);
                    int n = vrc.connectAndEnumerate(per, WINDOW, PATIENCE).size();
                    MacAddress own = hosts.get(g).links().getFirst().address();
                    crossed += (int) vrc.rootComplex().links().stream().filter(l -> !l.port().describe().startsWith(own.toString())).count();
                    crossed += (int) vrc.links().securityCounters().otherGroup();
                    seen.append(String.format("group %d: %d enumerated, %d in lspci; ", first + g, n, vrc.lspci().lines().count()));
                }
                long refusedByEndpoints = hosts.stream().mapToLong(EndpointHost::otherGroupFrames).sum();
                long filtered = fabric.framesFiltered();
                System.out.printf("%d VRCs x %d endpoints in %d groups on one bridge: %scross-group frames or endpoints accepted: %d; "
                        + "other groups' frames refused by the switch %s, by the endpoints (ports carrying every group) %d; load %s%n",
                        groups, per, groups, seen, crossed, filtered < 0 ? "(not counted by vlan_filtering)" : Long.toString(filtered),
                        refusedByEndpoints, load());
            } finally {
                for (FabricVrc v : vrcs) v.close();
                for (EndpointHost h : hosts) h.close();
            }
        }
    }

    /** Memory and CPU of the real endpoint program with 1 and with 32 idle identities. */
    private static void idle(int seconds) throws Exception {
        try (Fabric fabric = Fabric.create(FabricLayout.oneGroup(51, 1))) {
            IdleIdentities.Cost one = IdleIdentities.measure(fabric.host(0), 51, 1, seconds);
            IdleIdentities.Cost many = IdleIdentities.measure(fabric.host(0), 51, 32, seconds);
            System.out.printf(Locale.ROOT, "idle `vpcie endpoint --device dmatest` for %d s, then a full GC:%n"
                            + "   1 identity    RSS %6.1f MiB, heap in use %6.1f MiB, CPU %.2f %% of one CPU%n"
                            + "   32 identities RSS %6.1f MiB, heap in use %6.1f MiB, CPU %.2f %% of one CPU%n"
                            + "   per further identity: RSS %.0f KiB, heap %.0f KiB (of which 1024 KiB is the dmatest's own device memory); load %s%n",
                    seconds, one.rssKib() / 1024.0, one.heapKib() / 1024.0, one.cpuPercent(), many.rssKib() / 1024.0, many.heapKib() / 1024.0,
                    many.cpuPercent(), (many.rssKib() - one.rssKib()) / 31.0, (many.heapKib() - one.heapKib()) / 31.0, load());
        }
    }

    private static String stats(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        long median = s[(s.length - 1) / 2], p99 = s[Math.min(s.length - 1, (int) Math.ceil(s.length * 0.99) - 1)];
        return String.format(Locale.ROOT, "median %6.0f ms   p99 %6.0f ms", median / 1e6, p99 / 1e6);
    }

    /** The 1, 5 and 15 minute load averages. */
    private static String load() throws java.io.IOException {
        return String.join(" ", Arrays.copyOf(Files.readString(Path.of("/proc/loadavg")).split(" "), 3));
    }

    private static int positive(String[] args, int i) {
        if (i >= args.length) usage(args[i - 1] + " needs a value");
        try {
            int v = Integer.parseInt(args[i]);
            if (v > 0) return v;
        } catch (NumberFormatException e) {
            // said below
        }
        usage(args[i - 1] + " must be a positive number: " + args[i]);
        return 0;
    }

    private static void usage(String message) {
        System.err.println("vpcie: " + message);
        System.exit(2);
    }
}
