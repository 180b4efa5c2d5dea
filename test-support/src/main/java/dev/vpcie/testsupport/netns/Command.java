package dev.vpcie.testsupport.netns;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Runs a set-up tool (ip, nft) to completion. A failure is an {@link IOException} that quotes
 * the command line, the exit code and what the tool wrote to stderr.
 */
public final class Command {
    private Command() {}

    private static final long TIMEOUT_SECONDS = 60;

    /** What a finished command printed. */
    public record Result(int exitCode, String stdout, String stderr) {}

    /** Runs {@code argv}; returns its stdout, or throws when it exits non-zero. */
    public static String run(String... argv) throws IOException {
        return run(null, List.of(argv));
    }

    /** Runs {@code argv} with {@code stdin} (may be null) as its input; returns stdout or throws on a non-zero exit. */
    public static String run(String stdin, List<String> argv) throws IOException {
        Result r = tryRun(stdin, argv);
        if (r.exitCode() != 0) throw failure(argv, r);
        return r.stdout();
    }

    /** Runs {@code argv} and returns whatever happened; throws only when it cannot be started or hangs. */
    public static Result tryRun(String stdin, List<String> argv) throws IOException {
        Process p;
        try {
            p = new ProcessBuilder(argv).start();
        } catch (IOException e) {
            throw new IOException("cannot run '" + argv.getFirst() + "' (" + e.getMessage() + "): is "
                    + packageOf(argv.getFirst()) + " installed?", e);
        }
        CompletableFuture<String> err = drain(p.getErrorStream());
        CompletableFuture<String> out = drain(p.getInputStream());
        try (OutputStream in = p.getOutputStream()) {
            if (stdin != null) in.write(stdin.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // The tool exited without reading its input; its exit code and stderr say why.
        }
        try {
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", argv) + ": no answer after " + TIMEOUT_SECONDS + " s, killed");
            }
            return new Result(p.exitValue(), out.get(), err.get());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(String.join(" ", argv) + ": interrupted", e);
        } catch (ExecutionException e) {
            throw new IOException(String.join(" ", argv) + ": reading its output failed", e.getCause());
        }
    }

    static IOException failure(List<String> argv, Result r) {
        String why = r.stderr().strip();
        if (why.isEmpty()) why = r.stdout().strip();
        return new IOException("'" + String.join(" ", argv) + "' failed (exit " + r.exitCode() + ")" + (why.isEmpty() ? "" : ": " + why));
    }

    private static CompletableFuture<String> drain(InputStream stream) {
        CompletableFuture<String> result = new CompletableFuture<>();
        // A test harness's reader of a child process's output (ip, nft, ping), so a full pipe never
        // blocks the child; it has nothing to do with any side's data path.
        Thread.ofVirtual().start(() -> {
            try (stream) {
                result.complete(new String(stream.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                result.completeExceptionally(new UncheckedIOException(e));
            }
        });
        return result;
    }

    private static String packageOf(String tool) {
        return switch (tool) {
            case "ip" -> "iproute2";
            case "nft" -> "nftables (apt-get install -y nftables)";
            case "ping" -> "iputils-ping (apt-get install -y iputils-ping)";
            default -> "'" + tool + "'";
        };
    }
}
