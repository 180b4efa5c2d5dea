package dev.vpcie.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Every option of every subcommand, given malformed and out-of-range values, is a usage error:
 * exit status 2 and exactly one line on stderr, {@code vpcie: ...}, with no Java exception in
 * sight. The options are found by walking picocli's model, so a new option is covered as soon as
 * it exists: numbers and enums get generated bad values; any other type must have an entry in
 * {@link #MALFORMED} (the test fails until it has one).
 */
class BadInputTableTest {

    /** For each command, a command line that is valid and runs quickly against the test connectors. */
    private static final Map<String, List<String>> BASE = new LinkedHashMap<>();

    static {
        BASE.put("tlp decode", List.of("tlp", "decode", "40000001", "0000000f", "e0000000", "deadbeef"));
        BASE.put("trace", List.of("trace", "/nonexistent/trace.jfr"));
        BASE.put("endpoint", List.of("endpoint", "--iface", "t0", "--device", "dmatest"));
        List<String> vrc = List.of("vrc", "--iface", "t0");
        BASE.put("vrc", cat(vrc, "lspci"));
        BASE.put("vrc lspci", cat(vrc, "lspci"));
        BASE.put("vrc config", cat(vrc, "config", "read", "01:00.0", "0"));
        BASE.put("vrc mmio", cat(vrc, "mmio", "read", "01:00.0", "0", "0"));
        BASE.put("vrc bench", cat(vrc, "bench", "mmio", "--iterations", "10"));
        BASE.put("vrc dmatest", cat(vrc, "dmatest", "copy"));
        BASE.put("vrc attach", cat(vrc, "attach", "01:00.0", "--tap", "vt0"));
        BASE.put("vrc ping", cat(vrc, "ping", "01:00.0", "10.0.0.1", "-c", "1"));
        BASE.put("vrc vm", cat(vrc, "vm", "--device", "01:00.0", "--no-stdin"));
        BASE.put("vrc serve", cat(vrc, "serve"));
        BASE.put("vrc status", cat(vrc, "status"));
        BASE.put("vrc capture", cat(vrc, "capture", "stop"));
        BASE.put("vrc capture start", cat(vrc, "capture", "start", "/tmp/vpcie-bad-input-test.pcap"));
        BASE.put("vrc capture stop", cat(vrc, "capture", "stop"));
        BASE.put("vrc release", cat(vrc, "release", "01:00.0"));
        BASE.put("vrc claim", cat(vrc, "claim", "0"));
        BASE.put("vrc pool", cat(vrc, "pool"));
        BASE.put("vrc tree", cat(vrc, "tree"));
        BASE.put("endpoint status", List.of("endpoint", "--iface", "t0", "status"));
        BASE.put("nettlp-perf", List.of("nettlp-perf", "--seconds", "1"));
    }

    /** Bad values for options whose type gives no generic ones (strings, paths), by option name. */
    private static final Map<String, List<String>> MALFORMED = Map.ofEntries(
            Map.entry("--iface", List.of("no-such-if0", "")),
            Map.entry("--loop-nice", List.of("x1", "-21", "20", "99999999999")),
            Map.entry("--loop-slice-us", List.of("x1", "-1", "99", "100001", "99999999999999999999")),
            Map.entry("--udp-listen", List.of("localhost", "127.0.0.1:99999", ":1")),
            Map.entry("--udp-peer", List.of("localhost", "127.0.0.1:-1")),
            Map.entry("--faults", List.of("loss=abc", "loss=200", "nonsense")),
            Map.entry("--capture", List.of("/nonexistent/dir/x.pcap")),
            Map.entry("--group-key", List.of("/nonexistent/key")),
            Map.entry("--endpoint", List.of("zz:zz", "02:00:00:00:00:01/x")),
            Map.entry("--bus", List.of("02:00:00:00:00:01", "zz=1", "02:00:00:00:00:01=0", "02:00:00:00:00:01=256")),
            Map.entry("--stats-interval", List.of("fast", "10ms", "-1")),
            Map.entry("--metrics", List.of("nohost", "127.0.0.1:70000")),
            Map.entry("--device", List.of("bogus", "01:00", "zz:00.0")),
            Map.entry("--wire", List.of("nowhere0")),
            Map.entry("--wire-transport", List.of("carrier-pigeon")),
            Map.entry("--mac", List.of("not-a-mac")),
            Map.entry("--trace", List.of("/nonexistent/dir/t.jfr")),
            Map.entry("--pci-ids", List.of("/nonexistent/pci.ids")),
            Map.entry("-s", List.of("zz:zz.z", "1:2:3:4")),
            Map.entry("-d", List.of("xyz", "8086:zzzz")),
            Map.entry("--tap", List.of("", "a-name-far-too-long-for-linux")),
            Map.entry("--source", List.of("10.0.0.300", "a.b.c.d")),
            Map.entry("--source-mac", List.of("ff:ff:ff:ff:ff:ff", "xx")),
            Map.entry("--size", List.of("lots", "0", "2G")),
            Map.entry("--pattern", List.of("0x123456789", "zz")),
            Map.entry("--probe-image", List.of("/nonexistent/dir")),
            Map.entry("--qemu", List.of("")),
            Map.entry("--pcap", List.of("/nonexistent/x.pcap")),
            Map.entry("--encap", List.of("carrier-pigeon", "")),
            Map.entry("--ethertype", List.of("zz", "0x8100", "0x10000")),
            Map.entry("--nettlp-local", List.of("300.1.1.1", "")),
            Map.entry("--nettlp-peer", List.of("300.1.1.1", "")),
            Map.entry("--host-memory", List.of("lots", "0", "64X")),
            Map.entry("--local", List.of("300.1.1.1", "")),
            Map.entry("--host", List.of("300.1.1.1", "")),
            Map.entry("--targets", List.of("bogus")),
            Map.entry("--readers", List.of("bogus", "")),
            Map.entry("--requester", List.of("zz:zz", "1:2:3")));

    /** Option values that are fine although generated as bad: (command, option, value) with why. */
    private static final Set<String> VALID = Set.of();

    private static VrcConnector savedConnector;
    private static EndpointNetwork.Factory savedNetworks;

    @BeforeAll static void testConnectors() {
        savedConnector = VrcCommand.connector;
        savedNetworks = EndpointCommand.networks;
        VrcCommand.connector = target -> VrcConnector.Connection.of(List.of(new VrcTestEndpoint()), 1400);
        EndpointCommand.networks = o -> { throw new IOException("test: no network"); };
    }

    @AfterAll static void restore() {
        VrcCommand.connector = savedConnector;
        EndpointCommand.networks = savedNetworks;
    }

    /** The bad inputs the issue named, and arguments (not options) the walk does not reach. */
    private static final List<List<String>> NAMED = List.of(
            List.of("vrc", "--iface", "t0", "bench", "mmio", "--bar", "9"),
            List.of("vrc", "--iface", "t0", "bench", "mmio", "--offset", "20480"),
            List.of("vrc", "--iface", "t0", "bench", "mmio", "--offset", "2"),
            List.of("vrc", "--iface", "t0", "--completion-timeout-ms", "99999999999999999999", "bench", "mmio"),
            List.of("vrc", "--iface", "t0", "--completion-timeout-ms", "9223372036854775807", "bench", "mmio"),
            List.of("vrc", "--iface", "t0", "bench", "flops"),
            List.of("vrc", "--iface", "t0", "mmio", "read", "01:00.0", "0", "0x10000"),
            List.of("vrc", "--iface", "t0", "mmio", "read", "01:00.0", "99999999999", "0"),
            List.of("vrc", "--iface", "t0", "config", "read", "01:00.0", "0x1000"),
            List.of("vrc", "--iface", "t0", "ping", "01:00.0", "300.1.1.1"),
            List.of("vrc", "--iface", "t0", "attach", "1:2:3", "--tap", "vt0"),
            List.of("vrc", "--iface", "t0", "release", "1:2:3"),
            List.of("vrc", "--iface", "t0", "claim", "zz:zz"),
            List.of("vrc", "--iface", "t0", "--bus", "02:00:00:00:00:01=1", "--bus", "02:00:00:00:00:02=1", "lspci"),
            List.of("vrc", "--iface", "t0", "--endpoint", "02:00:00:00:00:01", "serve", "--no-endpoints"),
            List.of("tlp", "decode", "--pcap", "/nonexistent/x.pcap"),
            List.of("tlp", "decode", "zz"),
            List.of("trace"),
            List.of("vrc", "--iface", "t0", "no-such-command"),
            List.of("--no-such-option"));

    @TestFactory Stream<DynamicTest> namedBadInputsAreUsageErrors() {
        return NAMED.stream().map(argv -> DynamicTest.dynamicTest(String.join(" ", argv), () -> assertUsageError(argv)));
    }

    @TestFactory Stream<DynamicTest> everyOptionOfEveryCommandRejectsBadValues() {
        List<DynamicTest> tests = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        walk(Main.commandLine(), tests, missing);
        if (!missing.isEmpty()) fail("no bad values known for " + missing + ": add them to MALFORMED");
        return tests.stream();
    }

    private static void walk(CommandLine cl, List<DynamicTest> tests, List<String> missing) {
        CommandSpec spec = cl.getCommandSpec();
        String name = spec.qualifiedName().replaceFirst("^vpcie ?", "");
        List<String> base = BASE.get(name);
        if (base != null) {
            for (OptionSpec o : spec.options()) {
                if (o.usageHelp() || o.versionHelp() || o.arity().max() == 0) continue;
                List<String> values = badValues(o);
                if (values.isEmpty()) {
                    missing.add(name + " " + o.longestName());
                    continue;
                }
                for (String v : values) {
                    if (VALID.contains(name + " " + o.longestName() + " " + v)) continue;
                    List<String> argv = withOption(base, name, o.longestName(), v);
                    tests.add(DynamicTest.dynamicTest(String.join(" ", argv), () -> assertUsageError(argv)));
                }
            }
        } else if (!name.isEmpty() && !name.endsWith("help") && !name.equals("tlp")) {
            missing.add("command '" + name + "' (no BASE line)");
        }
        for (CommandLine sub : cl.getSubcommands().values()) walk(sub, tests, missing);
    }

    /** Generated bad values for numbers and enums; the table's for the rest. */
    static List<String> badValues(OptionSpec o) {
        Class<?> t = o.type();
        if ((t == List.class || t.isArray()) && o.auxiliaryTypes().length > 0) t = o.auxiliaryTypes()[0];
        if (MALFORMED.containsKey(o.longestName())) return MALFORMED.get(o.longestName());
        for (String n : o.names()) if (MALFORMED.containsKey(n)) return MALFORMED.get(n);
        if (t == int.class || t == Integer.class) return List.of("x1", "-1", "99999999999", Integer.toString(Integer.MAX_VALUE));
        if (t == long.class || t == Long.class) return List.of("x1", "-1", "99999999999999999999", Long.toString(Long.MAX_VALUE));
        if (t == double.class || t == Double.class) return List.of("x1", "-1", "NaN", "1e300");
        if (t.isEnum()) return List.of("bogus");
        return List.of();
    }

    /** {@code base} with {@code option value} right after the command's own name (its options go there). */
    private static List<String> withOption(List<String> base, String command, String option, String value) {
        String last = command.contains(" ") ? command.substring(command.lastIndexOf(' ') + 1) : command;
        int at = base.indexOf(last) + 1;
        List<String> argv = new ArrayList<>(base.subList(0, at));
        argv.add(option.startsWith("--") ? option + "=" + value : option);
        if (!option.startsWith("--")) argv.add(value);
        argv.addAll(base.subList(at, base.size()));
        return argv;
    }

    private static List<String> cat(List<String> a, String... b) {
        List<String> l = new ArrayList<>(a);
        l.addAll(List.of(b));
        return l;
    }

    static void assertUsageError(List<String> argv) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int status = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            CommandLine cl = Main.commandLine();
            cl.setOut(new PrintWriter(out, true));
            cl.setErr(new PrintWriter(err, true));
            return cl.execute(argv.toArray(String[]::new));
        }, () -> String.join(" ", argv) + " -> accepted and ran on: " + err);
        String e = err.toString().strip();
        String all = out + "\n" + err;
        String cmd = String.join(" ", argv) + " -> ";
        assertEquals(2, status, cmd + "exit status; stderr: " + e);
        assertEquals(1, e.lines().count(), cmd + "one line on stderr: " + e);
        assertTrue(e.startsWith("vpcie: "), cmd + e);
        assertFalse(all.contains("Exception") || all.contains("at dev.") || all.contains("at java."), cmd + all);
    }
}
