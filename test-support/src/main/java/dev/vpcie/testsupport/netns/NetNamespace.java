package dev.vpcie.testsupport.netns;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A named Linux network namespace ({@code ip netns add}) with a unique name, deleted by
 * {@link #close()} and, should the JVM exit first, by a shutdown hook. Code runs inside it either
 * in another process ({@link #command}) or on the current platform thread ({@link #call}), whose
 * sockets then belong to the namespace. Needs root.
 */
public final class NetNamespace implements AutoCloseable {
    private static final Set<NetNamespace> LIVE = ConcurrentHashMap.newKeySet();
    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (NetNamespace ns : List.copyOf(LIVE)) ns.close();
        }, "netns-cleanup"));
    }

    /** Code to run inside a namespace. */
    @FunctionalInterface
    public interface Task<T, E extends Exception> {
        T call() throws E;
    }

    private final String name;
    private volatile boolean closed;

    private NetNamespace(String name) { this.name = name; }

    /**
     * Creates a namespace named {@code vpcie-LABEL-PID-RANDOM} with its loopback up.
     *
     * @param label a few letters saying who made it (shows in {@code ip netns list})
     */
    public static NetNamespace create(String label) throws IOException {
        if (!label.matches("[a-z0-9]{1,16}")) throw new IllegalArgumentException("label must be 1..16 of [a-z0-9]: '" + label + "'");
        String name = "vpcie-" + label + "-" + ProcessHandle.current().pid() + "-"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
        Command.run("ip", "netns", "add", name);
        NetNamespace ns = new NetNamespace(name);
        LIVE.add(ns);
        try {
            ns.ip("link", "set", "lo", "up");
        } catch (IOException | RuntimeException e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    /**
     * Null when this process can create namespaces, veth pairs and raw sockets; otherwise why
     * not, for a test's skip message.
     */
    public static String unavailableReason() {
        if (!isRoot()) return "needs root (network namespaces, veth pairs, raw sockets)";
        try {
            Command.run("ip", "-V");
        } catch (IOException e) {
            return e.getMessage();
        }
        return null;
    }

    /** Whether the effective user is root, from {@code /proc/self/status}. */
    public static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) return line.split("\\s+")[2].equals("0");
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    public String name() { return name; }

    /** Runs {@code ip -n NAME ARGS...}; returns its output. */
    public String ip(String... args) throws IOException {
        List<String> argv = new ArrayList<>(List.of("ip", "-n", name));
        argv.addAll(List.of(args));
        return Command.run(null, argv);
    }

    /** Runs a program inside the namespace to completion; returns its stdout or throws with its stderr. */
    public String exec(String... argv) throws IOException {
        return Command.run(null, command(List.of(argv)));
    }

    /** The command line that runs {@code argv} inside the namespace ({@code ip netns exec NAME ...}), for a ProcessBuilder. */
    public List<String> command(List<String> argv) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(argv);
        return full;
    }

    /**
     * Runs {@code task} on the current thread switched into this namespace, then switches the
     * thread back. Sockets the task opens stay in this namespace after it returns. The thread
     * must be a platform thread: a virtual thread could move to another carrier mid-task.
     */
    public <T, E extends Exception> T call(Task<T, E> task) throws E, IOException {
        if (Thread.currentThread().isVirtual())
            throw new IllegalStateException("NetNamespace.call needs a platform thread: a virtual thread may change OS thread");
        if (closed) throw new IllegalStateException("namespace " + name + " is closed");
        int home = SetNs.open("/proc/thread-self/ns/net");
        try {
            int target = SetNs.open("/var/run/netns/" + name);
            try {
                SetNs.enter(target, "/var/run/netns/" + name);
            } finally {
                SetNs.close(target);
            }
            try {
                return task.call();
            } finally {
                try {
                    SetNs.enter(home, "the thread's own namespace");
                } catch (IOException e) {
                    throw new IllegalStateException("thread " + Thread.currentThread().getName() + " could not leave namespace " + name, e);
                }
            }
        } finally {
            SetNs.close(home);
        }
    }

    /**
     * Drops {@code percent} % of the frames {@code device} (in this namespace) transmits, with
     * nftables; see {@link FrameLoss} for why egress.
     */
    public FrameLoss dropEgress(String device, int percent) throws IOException {
        return FrameLoss.add(this, device, percent);
    }

    /** Deletes the namespace and with it every interface in it; never throws. */
    @Override public void close() {
        if (closed) return;
        closed = true;
        LIVE.remove(this);
        try {
            Command.run("ip", "netns", "del", name);
        } catch (IOException e) {
            System.err.println("vpcie: could not delete network namespace " + name + ": " + e.getMessage());
        }
    }

    @Override public String toString() { return name; }
}
