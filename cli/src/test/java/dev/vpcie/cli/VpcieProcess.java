package dev.vpcie.cli;

import dev.vpcie.cli.control.ControlPaths;
import dev.vpcie.testsupport.Await;
import dev.vpcie.testsupport.netns.NetNamespace;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code vpcie ARGS} in a JVM of its own (in a namespace), as a user runs it from another shell;
 * its control sockets go where this JVM's do. Its output is collected as it comes.
 */
final class VpcieProcess implements AutoCloseable {
    private final Process process;
    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private final Thread reader;

    private VpcieProcess(Process process) {
        this.process = process;
        this.reader = Thread.ofPlatform().daemon().start(() -> {
            byte[] b = new byte[4096];
            try (InputStream in = process.getInputStream()) {
                for (int n; (n = in.read(b)) > 0; ) synchronized (output) { output.write(b, 0, n); }
            } catch (IOException e) {
                // the process is gone
            }
        });
    }

    static VpcieProcess start(NetNamespace ns, String... args) throws IOException {
        List<String> argv = new ArrayList<>();
        argv.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments())
            if (a.startsWith("--enable-native-access") || a.startsWith("--add-exports") || a.startsWith("--sun-misc")) argv.add(a);
        argv.add("-D" + ControlPaths.DIRECTORY_PROPERTY + "=" + System.getProperty(ControlPaths.DIRECTORY_PROPERTY, ""));
        argv.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        argv.addAll(List.of(args));
        return new VpcieProcess(new ProcessBuilder(ns == null ? argv : ns.command(argv)).redirectErrorStream(true).start());
    }

    String output() {
        synchronized (output) { return output.toString(StandardCharsets.UTF_8); }
    }

    boolean alive() { return process.isAlive(); }

    /**
     * Waits until the output says {@code text} or the process ends, and returns this process: for
     * a try-with-resources that must not start the next program before this one is ready (a VRC
     * discovers for 2 s only, which a loaded machine can spend starting the endpoint's JVM).
     * Ends the process when the wait fails, since no try-with-resources holds it yet.
     */
    VpcieProcess awaitOutput(String text) {
        try {
            Await.until(() -> output().contains(text) || !alive(), "'" + text + "' is printed");
            return this;
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    /** Waits for the exit (60 s at most) and returns its status. */
    int waitFor() throws InterruptedException {
        if (!process.waitFor(60, TimeUnit.SECONDS)) throw new IllegalStateException("still running after 60 s: " + output());
        reader.join(5000);
        return process.exitValue();
    }

    /** SIGTERM, as Ctrl-C's sibling: a long-running command ends cleanly; returns its status. */
    int terminate() throws InterruptedException {
        process.toHandle().destroy(); // Process.destroy would also close our end of its output, losing what it says on the way out
        return waitFor();
    }

    @Override public void close() {
        process.destroyForcibly();
    }
}
