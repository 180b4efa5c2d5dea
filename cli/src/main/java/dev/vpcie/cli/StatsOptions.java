package dev.vpcie.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code --stats-interval}, for the commands that run until stopped (endpoint, vrc attach, vrc ping). */
final class StatsOptions {
    /** Set while parsing, before the interconnect opens: it then counts frames for the report. */
    static volatile boolean requested;

    Duration interval;

    @Option(names = "--stats-interval", paramLabel = "DURATION",
            description = "print the counters every DURATION while it runs (e.g. 10s, 500ms; a bare number is seconds; at least 100ms)")
    void interval(String value) {
        interval = parse(value);
        requested = true;
    }

    /** {@code 10s}, {@code 500ms}, {@code 2m} or a number of seconds; at least 100 ms. */
    static Duration parse(String value) {
        String v = value.trim().toLowerCase(java.util.Locale.ROOT);
        Duration d;
        try {
            if (v.endsWith("ms")) d = Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            else if (v.endsWith("s")) d = Duration.ofMillis(Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 1000));
            else if (v.endsWith("m")) d = Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)) * 60);
            else d = Duration.ofMillis(Math.round(Double.parseDouble(v) * 1000));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--stats-interval takes a duration such as 10s or 500ms: '" + value + "'");
        }
        if (d.toMillis() < 100) throw new IllegalArgumentException("--stats-interval must be at least 100ms: '" + value + "'");
        return d;
    }
}
