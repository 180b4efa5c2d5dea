package dev.vpcie.cli;

import dev.vpcie.endpoint.wire.LinkControl;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;

/**
 * How a user reaches {@code vpcie endpoint}'s {@link LinkControl} while it runs: command lines on
 * standard input, read by a daemon thread until the input ends (an endpoint started in the
 * background with its input at {@code /dev/null} simply takes none; a script that wants to steer
 * one gives it a FIFO). Replies are printed as status lines.
 */
final class EndpointLinkCommands implements AutoCloseable {
    private volatile boolean closed;

    private EndpointLinkCommands(LinkControl control, Supplier<List<String>> counters, InputStream input, PrintWriter out) {
        Thread.ofPlatform().daemon().name("vpcie-endpoint-commands").start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(input, StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null && !closed; ) {
                    print(out, control.execute(line));
                    if (line.trim().equals("status")) print(out, counters.get()); // and the links' and functions' counters
                }
            } catch (IOException e) {
                if (!closed) print(out, List.of("commands: standard input failed (" + e.getMessage() + "); no more commands"));
            }
        });
    }

    /** Starts reading commands from {@code input}; {@code status} also prints {@code counters} (the {@code stats} lines). */
    static EndpointLinkCommands start(LinkControl control, Supplier<List<String>> counters, InputStream input, PrintWriter out) {
        return new EndpointLinkCommands(control, counters, input, out);
    }

    private static void print(PrintWriter out, List<String> lines) {
        synchronized (out) {
            for (String line : lines) out.println(line);
            out.flush();
        }
    }

    /** Ignores further commands (a read in progress cannot be interrupted; the thread is a daemon). */
    @Override public void close() { closed = true; }
}
