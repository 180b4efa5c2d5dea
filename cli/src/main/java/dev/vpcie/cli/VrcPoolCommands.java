package dev.vpcie.cli;

import dev.vpcie.protocol.link.Announcement;
import dev.vpcie.protocol.tlp.Bdf;
import dev.vpcie.vrc.Bar;
import dev.vpcie.vrc.EndpointLink;
import dev.vpcie.vrc.PcieDevice;
import dev.vpcie.vrc.RootComplex;
import dev.vpcie.vrc.lspci.PciIds;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * The pool's commands (issue 15), each run by the VRC that runs on the interconnect, through its
 * control socket ({@link VrcPool}): {@code release BDF}, {@code pool}, {@code claim ENDPOINT},
 * {@code tree}. Without a running VRC they fail with one line: they act on its endpoints.
 */
final class VrcPoolCommands {
    private VrcPoolCommands() {}

    /** One discovery round of a claim by address: three DISCOVERs in its first half. */
    static final Duration CLAIM_ROUND = Duration.ofMillis(150);

    /** The longest discovery round {@code pool} and {@code claim} take. */
    static final long MAX_WAIT_MILLIS = 60_000;

    @Command(name = "release", mixinStandardHelpOptions = true,
            description = "Hand the endpoint behind BDF back to the pool: a NIC attached with attach --served is detached (reset, TAP removed), "
                    + "the functions are removed and the session closed; the endpoint resets its functions and is free for any VRC of the group.")
    static final class Release implements Callable<Integer> {
        @ParentCommand VrcCommand vrc;
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;
        @CommandLine.Mixin Logging.Options logging;

        @Parameters(index = "0", paramLabel = "BDF", description = "a function of the endpoint, e.g. 01:00.0 (its whole bus is released)") String bdfText;

        @Override public Integer call() throws Exception {
            int bdf = bdf(spec.commandLine(), bdfText);
            return vrc.run(rc -> {
                List<String> lines;
                try {
                    lines = vrc.context(rc).pool().release(bdf);
                } catch (IllegalArgumentException e) {
                    vrc.err().println("vpcie: vrc release: " + e.getMessage());
                    return 1;
                }
                for (String l : lines) vrc.out().println(l);
                vrc.out().flush();
                return 0;
            });
        }
    }

    @Command(name = "pool", mixinStandardHelpOptions = true,
            description = "List the free endpoints of the group (owned by no VRC), numbered for claim, after one discovery round.")
    static final class Pool implements Callable<Integer> {
        @ParentCommand VrcCommand vrc;
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;
        @CommandLine.Mixin Logging.Options logging;

        @Option(names = "--wait-ms", paramLabel = "MS", defaultValue = "1000",
                description = "how long the discovery round listens for answers, 1.." + MAX_WAIT_MILLIS + " (default: ${DEFAULT-VALUE})") long waitMillis;

        @Override public Integer call() throws Exception {
            Duration wait = waitArg(spec.commandLine(), waitMillis);
            return vrc.run(rc -> {
                List<Announcement> free = free(vrc, rc, wait, "pool");
                if (free == null) return 1;
                PrintWriter out = vrc.out();
                if (free.isEmpty()) out.println("no free endpoint answered in " + wait.toMillis() + " ms");
                for (int i = 0; i < free.size(); i++) out.println(i + "  " + describe(free.get(i)));
                out.flush();
                return 0;
            });
        }
    }

    @Command(name = "claim", mixinStandardHelpOptions = true,
            description = "Take a free endpoint into this VRC: connect, enumerate it at its pinned bus (vrc --bus), at --bus, "
                    + "or at the lowest free one; nothing else moves. Attach a claimed NIC with attach --served.")
    static final class Claim implements Callable<Integer> {
        @ParentCommand VrcCommand vrc;
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;
        @CommandLine.Mixin Logging.Options logging;

        @Parameters(index = "0", paramLabel = "ENDPOINT", description = "MAC[/INSTANCE], or the number vrc pool listed it with") String endpoint;
        @Option(names = "--bus", paramLabel = "N", defaultValue = "0", description = "the bus to put it on, 1..255 (default: its pinned bus, "
                + "else the lowest free one)") int bus;
        @Option(names = "--wait-ms", paramLabel = "MS", defaultValue = "1000",
                description = "how long the discovery round listens for answers, 1.." + MAX_WAIT_MILLIS + " (default: ${DEFAULT-VALUE})") long waitMillis;

        @Override public Integer call() throws Exception {
            CommandLine cmd = spec.commandLine();
            Duration wait = waitArg(cmd, waitMillis);
            if (bus < 0 || bus > RootComplex.MAX_BUSES) throw new CommandLine.ParameterException(cmd, "--bus must be 1.." + RootComplex.MAX_BUSES + ": " + bus);
            boolean byIndex = endpoint.matches("\\d{1,3}");
            EndpointSelector selector;
            try {
                selector = byIndex ? null : EndpointSelector.parse(endpoint);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cmd, "ENDPOINT must be MAC[/INSTANCE] or a number of vrc pool's list: " + endpoint);
            }
            return vrc.run(rc -> {
                VrcPool pool = vrc.context(rc).pool();
                // By number: one round, as pool's listing was. By address: short rounds until it is free (an endpoint
                // another VRC just released may still call itself owned for a moment), at most --wait-ms in all.
                long deadline = System.nanoTime() + wait.toNanos();
                List<Announcement> free;
                Announcement chosen;
                do {
                    Duration round = byIndex ? wait : Duration.ofNanos(Math.max(1_000_000, Math.min(CLAIM_ROUND.toNanos(), deadline - System.nanoTime())));
                    free = free(vrc, rc, round, "claim");
                    if (free == null) return 1;
                    chosen = byIndex ? (Integer.parseInt(endpoint) < free.size() ? free.get(Integer.parseInt(endpoint)) : null)
                            : free.stream().filter(selector::matches).findFirst().orElse(null);
                } while (chosen == null && !byIndex && System.nanoTime() < deadline);
                if (chosen == null) {
                    vrc.err().println("vpcie: vrc claim: " + (byIndex ? "no endpoint " + endpoint + " in the pool" : "endpoint " + endpoint
                            + " is not free in the pool") + " (free now: " + (free.isEmpty() ? "none" : String.join(", ",
                            free.stream().map(a -> a.address() + "/" + a.instance()).toList())) + ")");
                    return 1;
                }
                List<PcieDevice> found;
                try {
                    found = pool.claim(chosen, bus);
                } catch (IllegalArgumentException | IllegalStateException e) {
                    vrc.err().println("vpcie: vrc claim: " + e.getMessage());
                    return 1;
                }
                PciIds ids = PciIds.load();
                for (PcieDevice d : found)
                    vrc.out().println("claimed " + chosen.address() + "/" + chosen.instance() + ": " + d.name() + " "
                            + ids.device(d.vendorId(), d.deviceId()) + " [" + String.format("%04x:%04x", d.vendorId(), d.deviceId()) + "]");
                if (found.isEmpty()) vrc.out().println("claimed " + chosen.address() + "/" + chosen.instance() + ": no function answered");
                vrc.out().flush();
                return found.isEmpty() ? 1 : 0;
            });
        }
    }

    @Command(name = "tree", mixinStandardHelpOptions = true,
            description = "What this VRC holds, as a tree: each bus with its endpoint (MAC/instance, session, pinned), its functions and their BARs.")
    static final class Tree implements Callable<Integer> {
        @ParentCommand VrcCommand vrc;
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;
        @CommandLine.Mixin Logging.Options logging;

        @Override public Integer call() throws Exception {
            return vrc.run(rc -> {
                vrc.out().print(render(rc, vrc.context(rc).pool()));
                vrc.out().flush();
                return 0;
            });
        }
    }

    /**
     * The tree {@code vrc tree} prints, e.g.
     * <pre>
     * -[0000:00]-+-[01] 02:00:00:00:00:02/1 via af_packet:ic0, up, pinned
     *            |  \-01:00.0 Intel Corporation 82576 Gigabit Network Connection [8086:10c9] attached
     *            |      BAR0 mem 0xe0000000 128K, BAR3 mem 0xe0020000 16K
     *            \-[02] ...
     * </pre>
     */
    static String render(RootComplex rc, VrcPool pool) {
        PciIds ids = PciIds.load();
        StringBuilder out = new StringBuilder();
        List<EndpointLink> links = rc.links().stream().sorted(java.util.Comparator.comparingInt(EndpointLink::bus)).toList();
        String indent = " ".repeat("-[0000:00]-".length());
        if (links.isEmpty()) return "-[0000:00]-   (no endpoint: vrc pool lists the free ones, vrc claim takes one)\n";
        for (int i = 0; i < links.size(); i++) {
            EndpointLink link = links.get(i);
            boolean last = i == links.size() - 1;
            out.append(i == 0 ? "-[0000:00]-" : indent).append(links.size() == 1 ? "--" : i == 0 ? "+-" : last ? "\\-" : "+-");
            out.append(String.format("[%02x] %s, %s%s%n", link.bus(), link.describe(), link.isUp() ? (link.present() ? "up" : "restoring") : "down",
                    pool != null && pool.pins().isPinned(link.bus()) ? ", pinned" : ""));
            String stem = indent + (last ? "  " : "| ") + "  ";
            List<PcieDevice> fns = rc.addressMap().devicesOnBus(link.bus());
            for (int f = 0; f < fns.size(); f++) {
                PcieDevice d = fns.get(f);
                boolean lastFn = f == fns.size() - 1;
                out.append(stem).append(lastFn ? "\\-" : "+-").append(d.name()).append(' ').append(ids.device(d.vendorId(), d.deviceId()))
                        .append(String.format(" [%04x:%04x]", d.vendorId(), d.deviceId()))
                        .append(pool != null && pool.attached(d.bdf()) ? " attached" : "").append('\n');
                List<String> bars = d.bars().stream().filter(Bar::assigned).map(b -> String.format("BAR%d %s 0x%x %s", b.index(),
                        b.isMemory() ? "mem" : "io", b.address(), size(b.size()))).toList();
                if (!bars.isEmpty()) out.append(stem).append(lastFn ? "    " : "|   ").append(String.join(", ", bars)).append('\n');
            }
        }
        return out.toString();
    }

    private static String size(long bytes) {
        return bytes >= 1 << 20 && bytes % (1 << 20) == 0 ? (bytes >> 20) + "M" : bytes >= 1024 && bytes % 1024 == 0 ? (bytes >> 10) + "K" : bytes + "";
    }

    /** One free endpoint as {@code vrc pool} lists it: MAC/instance and what it announces. */
    static String describe(Announcement a) {
        String text = a.text();
        int functions = text.indexOf("functions=");
        int owner = text.lastIndexOf(" owner=");
        String shown = functions < 0 ? text : text.substring(functions, owner > functions ? owner : text.length());
        return a.address() + "/" + a.instance() + "  " + shown;
    }

    /** The running VRC's free endpoints, or null after saying why it has none to offer. */
    private static List<Announcement> free(VrcCommand vrc, RootComplex rc, Duration wait, String command) throws Exception {
        try {
            return vrc.context(rc).pool().free(wait);
        } catch (UnsupportedOperationException | IllegalStateException e) {
            vrc.err().println("vpcie: vrc " + command + ": " + e.getMessage());
            return null;
        }
    }

    static int bdf(CommandLine cmd, String text) {
        try {
            return Bdf.parse(text);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cmd, e.getMessage());
        }
    }

    static Duration waitArg(CommandLine cmd, long millis) {
        if (millis < 1 || millis > MAX_WAIT_MILLIS) throw new CommandLine.ParameterException(cmd, "--wait-ms must be 1.." + MAX_WAIT_MILLIS + ": " + millis);
        return Duration.ofMillis(millis);
    }
}
