package dev.vpcie.vrc.mpqemu;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.vpcie.protocol.transport.Errno;
import dev.vpcie.protocol.transport.ErrnoException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A child process started with {@code posix_spawnp}, which (unlike {@link ProcessBuilder}, whose
 * child closes every descriptor above 2) can hand the child chosen descriptors at chosen
 * numbers: QEMU takes its proxy sockets as {@code fd=N}. Also {@code waitpid} and {@code kill}.
 *
 * <p>The child gets exactly: standard input from the parent's or {@code /dev/null}, standard
 * output and error on one given descriptor (or the parent's), and the given descriptors as 3,
 * 4, ...; everything else is closed, whatever close-on-exec says. Its signal mask is empty and
 * its signal dispositions are the defaults, whatever the JVM has.
 */
public final class ChildProcess {
    /** Where the child's standard input comes from. */
    public enum Stdin { INHERIT, DEV_NULL }

    private static final int POSIX_SPAWN_SETSIGDEF = 0x04, POSIX_SPAWN_SETSIGMASK = 0x08;
    private static final int O_RDONLY = 0;
    private static final int SIGKILL = 9, SIGTERM = 15;
    /** glibc's posix_spawn_file_actions_t is 80 bytes and posix_spawnattr_t 336; room to spare. */
    private static final int FILE_ACTIONS_SIZE = 256, ATTR_SIZE = 512, SIGSET_SIZE = 128;

    private static final MethodHandle SPAWNP = Errno.downcall("posix_spawnp",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle FA_INIT = Errno.downcall("posix_spawn_file_actions_init", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle FA_DESTROY = Errno.downcall("posix_spawn_file_actions_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle FA_DUP2 = Errno.downcall("posix_spawn_file_actions_adddup2",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle FA_CLOSE = Errno.downcall("posix_spawn_file_actions_addclose",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle FA_OPEN = Errno.downcall("posix_spawn_file_actions_addopen",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    /** glibc 2.34 and later; without it the child may inherit descriptors the JVM left open across exec. */
    private static final Optional<MethodHandle> FA_CLOSEFROM = Linker.nativeLinker().defaultLookup()
            .find("posix_spawn_file_actions_addclosefrom_np")
            .map(s -> Errno.downcall("posix_spawn_file_actions_addclosefrom_np", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT)));
    private static final MethodHandle ATTR_INIT = Errno.downcall("posix_spawnattr_init", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle ATTR_DESTROY = Errno.downcall("posix_spawnattr_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle ATTR_SETFLAGS = Errno.downcall("posix_spawnattr_setflags",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_SHORT));
    private static final MethodHandle ATTR_SETSIGMASK = Errno.downcall("posix_spawnattr_setsigmask",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle ATTR_SETSIGDEFAULT = Errno.downcall("posix_spawnattr_setsigdefault",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle SIGEMPTYSET = Errno.downcall("sigemptyset", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle SIGFILLSET = Errno.downcall("sigfillset", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle WAITPID = Errno.downcall("waitpid", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle KILL = Errno.downcall("kill", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));

    private final int pid;
    private final String name;
    private volatile Integer exitStatus;

    private ChildProcess(int pid, String name) {
        this.pid = pid;
        this.name = name;
    }

    /**
     * Starts {@code argv} (the program is looked up on PATH) with {@code environment}.
     *
     * @param passFds descriptors of this process the child gets as 3, 4, ... in this order
     * @param output  descriptor for the child's standard output and error, or -1 for this process's
     */
    public static ChildProcess spawn(List<String> argv, Map<String, String> environment, List<Integer> passFds, int output, Stdin stdin)
            throws IOException {
        if (argv.isEmpty()) throw new IllegalArgumentException("no program to start");
        try (Arena a = Arena.ofConfined()) {
            MemorySegment capture = Errno.captureSegment(a);
            MemorySegment actions = a.allocate(FILE_ACTIONS_SIZE, 16);
            MemorySegment attr = a.allocate(ATTR_SIZE, 16);
            check("posix_spawn_file_actions_init", (int) FA_INIT.invokeExact(capture, actions));
            check("posix_spawnattr_init", (int) ATTR_INIT.invokeExact(capture, attr));
            try {
                fileActions(a, capture, actions, passFds, output, stdin);
                MemorySegment none = a.allocate(SIGSET_SIZE, 8), all = a.allocate(SIGSET_SIZE, 8);
                check("sigemptyset", (int) SIGEMPTYSET.invokeExact(capture, none));
                check("sigfillset", (int) SIGFILLSET.invokeExact(capture, all));
                check("posix_spawnattr_setsigmask", (int) ATTR_SETSIGMASK.invokeExact(capture, attr, none));
                check("posix_spawnattr_setsigdefault", (int) ATTR_SETSIGDEFAULT.invokeExact(capture, attr, all));
                check("posix_spawnattr_setflags", (int) ATTR_SETFLAGS.invokeExact(capture, attr,
                        (short) (POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)));
                MemorySegment pid = a.allocate(JAVA_INT);
                MemorySegment args = strings(a, argv);
                MemorySegment env = strings(a, environment.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
                int rc = (int) SPAWNP.invokeExact(capture, pid, a.allocateFrom(argv.getFirst()), actions, attr, args, env);
                if (rc != 0) throw new ErrnoException("posix_spawnp(" + argv.getFirst() + ")", rc);
                return new ChildProcess(pid.get(JAVA_INT, 0), argv.getFirst());
            } finally {
                int ignored = (int) FA_DESTROY.invokeExact(capture, actions);
                ignored = (int) ATTR_DESTROY.invokeExact(capture, attr);
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("posix_spawn downcall", t);
        }
    }

    /**
     * Every source is first duplicated above all sources and targets, then onto its target, so
     * no dup2 overwrites a source another still needs, and a target never equals its source
     * (dup2 onto itself would keep close-on-exec).
     */
    private static void fileActions(Arena a, MemorySegment capture, MemorySegment actions, List<Integer> passFds, int output,
                                    Stdin stdin) throws Throwable {
        int targets = 3 + passFds.size();
        int temp = Math.max(targets, Math.max(output, passFds.stream().mapToInt(Integer::intValue).max().orElse(0)) + 1);
        int outputTemp = -1;
        if (output >= 0) {
            outputTemp = temp++;
            check("posix_spawn_file_actions_adddup2", (int) FA_DUP2.invokeExact(capture, actions, output, outputTemp));
        }
        int[] temps = new int[passFds.size()];
        for (int i = 0; i < temps.length; i++) {
            temps[i] = temp++;
            check("posix_spawn_file_actions_adddup2", (int) FA_DUP2.invokeExact(capture, actions, (int) passFds.get(i), temps[i]));
        }
        if (stdin == Stdin.DEV_NULL)
            check("posix_spawn_file_actions_addopen", (int) FA_OPEN.invokeExact(capture, actions, 0, a.allocateFrom("/dev/null"), O_RDONLY, 0));
        if (outputTemp >= 0) {
            check("posix_spawn_file_actions_adddup2", (int) FA_DUP2.invokeExact(capture, actions, outputTemp, 1));
            check("posix_spawn_file_actions_adddup2", (int) FA_DUP2.invokeExact(capture, actions, outputTemp, 2));
            check("posix_spawn_file_actions_addclose", (int) FA_CLOSE.invokeExact(capture, actions, outputTemp));
        }
        for (int i = 0; i < temps.length; i++) {
            check("posix_spawn_file_actions_adddup2", (int) FA_DUP2.invokeExact(capture, actions, temps[i], 3 + i));
            check("posix_spawn_file_actions_addclose", (int) FA_CLOSE.invokeExact(capture, actions, temps[i]));
        }
        if (FA_CLOSEFROM.isPresent())
            check("posix_spawn_file_actions_addclosefrom_np", (int) FA_CLOSEFROM.get().invokeExact(capture, actions, targets));
    }

    private static MemorySegment strings(Arena a, List<String> values) {
        MemorySegment array = a.allocate(ADDRESS, values.size() + 1);
        for (int i = 0; i < values.size(); i++) array.setAtIndex(ADDRESS, i, a.allocateFrom(values.get(i)));
        array.setAtIndex(ADDRESS, values.size(), MemorySegment.NULL);
        return array;
    }

    /** The posix_spawn family returns the error number instead of setting errno. */
    private static void check(String call, int rc) throws ErrnoException {
        if (rc != 0) throw new ErrnoException(call, rc);
    }

    public int pid() { return pid; }

    /**
     * Waits for the child to end and reaps it: its exit code, or 128 + the signal that ended it.
     * Call from one thread only.
     */
    public int waitFor() throws IOException {
        Integer known = exitStatus;
        if (known != null) return known;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment capture = Errno.captureSegment(a);
            MemorySegment status = a.allocate(JAVA_INT);
            while (true) {
                int rc = (int) WAITPID.invokeExact(capture, pid, status, 0);
                if (rc == pid) break;
                if (rc < 0 && Errno.of(capture) == Errno.EINTR) continue;
                throw new ErrnoException("waitpid(" + pid + ")", Errno.of(capture));
            }
            int s = status.get(JAVA_INT, 0);
            int code = (s & 0x7F) == 0 ? (s >>> 8) & 0xFF : 128 + (s & 0x7F);
            exitStatus = code;
            return code;
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("waitpid downcall", t);
        }
    }

    /** True once {@link #waitFor} has returned. */
    public boolean exited() { return exitStatus != null; }

    /** Asks the child to stop (SIGTERM); nothing if it has already been reaped. */
    public void terminate() throws IOException { signal(SIGTERM); }

    /** Stops the child at once (SIGKILL); nothing if it has already been reaped. */
    public void kill() throws IOException { signal(SIGKILL); }

    private void signal(int sig) throws IOException {
        if (exitStatus != null) return;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment capture = Errno.captureSegment(a);
            int rc = (int) KILL.invokeExact(capture, pid, sig);
            // ESRCH: it ended on its own and is waiting to be reaped.
            if (rc < 0 && Errno.of(capture) != 3) throw new ErrnoException("kill(" + pid + ", " + sig + ")", Errno.of(capture));
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("kill downcall", t);
        }
    }

    @Override public String toString() { return name + " (pid " + pid + ")"; }
}
