package dev.vpcie.cli;

import dev.vpcie.testsupport.Await;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code vpcie} as a process of its own (the test JVM's java and class path, the flags
 * scripts/vpcie uses), for what only a real process shows: exit statuses, signals, a kill -9.
 * Its stdout and stderr are collected as they come.
 */
final class CliProcess implements AutoCloseable {
    private final Process process;
    private final StringBuffer out = new StringBuffer(), err = new StringBuffer();

    private CliProcess(Process process) {
        this.process = process;
        collect(process.getInputStream(), out);
        collect(process.getErrorStream(), err);
    }

    static CliProcess start(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()),
                "--enable-native-access=ALL-UNNAMED", "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow", "-XX:+UseSerialGC", "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove(Logging.ENV);
        return new CliProcess(pb.start());
    }

    private static void collect(InputStream in, StringBuffer into) {
        Thread.ofPlatform().daemon().start(() -> {
            byte[] b = new byte[4096];
            try (in) {
                for (int n; (n = in.read(b)) > 0; ) into.append(new String(b, 0, n, StandardCharsets.UTF_8));
            } catch (IOException e) {
                // the process is gone
            }
        });
    }

    String out() { return out.toString(); }

    String err() { return err.toString(); }

    long pid() { return process.pid(); }

    boolean isAlive() { return process.isAlive(); }

    /** Sends {@code signal} (INT, TERM, KILL) with kill(1). */
    void signal(String signal) throws IOException, InterruptedException {
        int status = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start().waitFor();
        if (status != 0) throw new IOException("kill -" + signal + " " + process.pid() + " exited " + status);
    }

    /** The exit status, waiting at most 30 s; -1 if the process still runs by then. */
    int waitFor() throws InterruptedException {
        if (!process.waitFor(30, TimeUnit.SECONDS)) return -1;
        // the collecting threads may still hold the last bytes
        Await.until(() -> !process.isAlive(), "the process has ended");
        return process.exitValue();
    }

    @Override public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
