package dev.vpcie.bench;

import dev.vpcie.testsupport.netns.Command;
import dev.vpcie.testsupport.netns.NetNamespace;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;

/** The baseline: iputils {@code ping} over the same veth, its per-packet times in the same kind of histogram. */
final class KernelPing {
    private KernelPing() {}

    private static final Pattern TIME = Pattern.compile("time=([0-9.]+) ms");

    static Histogram run(NetNamespace ns, String address, int count, long intervalNanos) throws IOException {
        String interval = String.format(Locale.ROOT, "%.4f", Math.max(intervalNanos, 100_000) / 1e9);
        List<String> argv = ns.command(List.of("ping", "-n", "-i", interval, "-c", Integer.toString(count), "-W", "1", address));
        Command.Result r = Command.tryRun(null, argv);
        Histogram h = parse(r.stdout());
        if (h.getTotalCount() == 0)
            throw new IOException("'" + String.join(" ", argv) + "' gave no round-trip times (exit " + r.exitCode() + "): " + r.stderr().strip());
        return h;
    }

    /** Records every {@code time=… ms} of ping's output, in nanoseconds. */
    static Histogram parse(String output) {
        Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        Matcher m = TIME.matcher(output);
        while (m.find()) h.recordValue(Math.max(1, Math.round(Double.parseDouble(m.group(1)) * 1e6)));
        return h;
    }
}
