package dev.vpcie.protocol.agent;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.vpcie.protocol.transport.Errno;
import dev.vpcie.protocol.transport.ErrnoException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * sched_setaffinity(2) for the calling thread: the one class that places threads on CPUs. An agent
 * loop that spins across exchanges can be kept on one CPU so the scheduler does not move it
 * (and its warm caches) while the peer's loop spins on the other.
 */
public final class CpuAffinity {
    /** CPUs a mask can name (a cpu_set_t of 1024 bits, as glibc's). */
    public static final int MAX_CPUS = 1024;
    private static final MethodHandle SETAFFINITY = Errno.downcall("sched_setaffinity",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS));

    private CpuAffinity() {}

    /** Keeps the calling thread on {@code cpu} from now on. */
    public static void pinCurrentThread(int cpu) throws IOException {
        if (cpu < 0 || cpu >= MAX_CPUS) throw new IllegalArgumentException("CPU must be 0.." + (MAX_CPUS - 1) + ": " + cpu);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mask = arena.allocate(MAX_CPUS / 8, 8);
            mask.set(JAVA_LONG, (cpu / 64) * 8L, 1L << (cpu % 64));
            MemorySegment capture = Errno.captureSegment(arena);
            int rc = (int) SETAFFINITY.invokeExact(capture, 0, MAX_CPUS / 8L, mask);
            if (rc < 0) throw new ErrnoException("sched_setaffinity(CPU " + cpu + ")", Errno.of(capture));
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("sched_setaffinity downcall", t);
        }
    }
}
