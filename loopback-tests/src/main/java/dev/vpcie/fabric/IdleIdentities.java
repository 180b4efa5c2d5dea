package dev.vpcie.fabric;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What idle identities cost: runs the real {@code vpcie endpoint --identities N --device dmatest}
 * (this JVM's program and class path, whose libraries include the command-line program) on a
 * fabric port, waits until it is ready and has settled, and reads its resident memory and the CPU
 * it uses while nobody talks to it.
 */
public final class IdleIdentities {
    private IdleIdentities() {}

    /**
     * @param rssKib       resident set size after settling, KiB (includes heap the JVM touched once and kept)
     * @param heapKib      Java heap in use after a full GC, KiB: what the identities really hold; -1 if jcmd failed
     * @param cpuPercent   CPU used over the idle period, % of one CPU
     * @param idleSeconds  how long the CPU was measured
     */
    public record Cost(int identities, long rssKib, long heapKib, double cpuPercent, int idleSeconds) {}

    /** Runs the endpoint with {@code identities} identities on {@code port}, in group {@code group}. */
    public static Cost measure(Fabric.Port port, int group, int identities, int idleSeconds) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElseThrow(() -> new IOException("cannot tell which java runs this"));
        List<String> argv = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", // the flags of scripts/vpcie
                "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-XX:+UseSerialGC", "-Xss512k",
                "-cp", System.getProperty("java.class.path"), "dev.vpcie.cli.Main", "endpoint", "--iface", port.iface(),
                "--group", Integer.toString(group), "--identities", Integer.toString(identities), "--device", "dmatest"));
        ProcessBuilder pb = new ProcessBuilder(port.namespace().command(argv)).redirectErrorStream(true);
        pb.environment().put("VPCIE_LOG_LEVEL", "WARN");
        Process p = pb.start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            StringBuilder seen = new StringBuilder();
            for (String line; (line = out.readLine()) != null; ) {
                seen.append(line).append('\n');
                if (line.startsWith("endpoint ready")) break;
            }
            if (!seen.toString().contains("endpoint ready")) throw new IOException("the endpoint did not start:\n" + seen);
            // Drains the measured endpoint's stdout so it never blocks on a full pipe; a bench
            // reader in this JVM, off the endpoint's data path (which runs in that other process).
            Thread.ofVirtual().start(() -> {
                try {
                    out.lines().forEach(l -> { });
                } catch (java.io.UncheckedIOException e) {
                    // the stream closed as the process ended
                }
            });
            // `ip netns exec` execs the JVM: the process is the endpoint itself.
            TimeUnit.SECONDS.sleep(2); // start-up done (JIT, class loading) before measuring
            long ticks0 = cpuTicks(p.pid());
            TimeUnit.SECONDS.sleep(idleSeconds);
            long ticks1 = cpuTicks(p.pid());
            long rss = rssKib(p.pid());
            return new Cost(identities, rss, heapAfterGcKib(java, p.pid()), 100.0 * (ticks1 - ticks0) / CLOCK_TICKS / idleSeconds, idleSeconds);
        } finally {
            p.destroy(); // SIGTERM: a clean stop
            if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
        }
    }

    /** USER_HZ: 100 on every Linux this runs on. */
    private static final double CLOCK_TICKS = 100;

    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14 and 15)
    }

    /** Runs a full GC in {@code pid} with jcmd (beside {@code java}) and sums the generations' use; -1 when that fails. */
    private static long heapAfterGcKib(String javaCommand, long pid) throws InterruptedException {
        String jcmd = Path.of(javaCommand).resolveSibling("jcmd").toString();
        try {
            dev.vpcie.testsupport.netns.Command.run(jcmd, Long.toString(pid), "GC.run");
            String info = dev.vpcie.testsupport.netns.Command.run(jcmd, Long.toString(pid), "GC.heap_info");
            Matcher m = Pattern.compile("(?m)^\\s*\\S.*?\\s+total \\d+K, used (\\d+)K").matcher(info);
            long used = 0;
            while (m.find()) used += Long.parseLong(m.group(1));
            return used;
        } catch (IOException e) {
            return -1;
        }
    }

    private static long rssKib(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status")))
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", ""));
        throw new IOException("no VmRSS for process " + pid);
    }
}
