package dev.vpcie.protocol.transport;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * The calling thread's scheduling attributes under the normal policy ({@code SCHED_OTHER}):
 * {@code sched_setattr(2)}/{@code sched_getattr(2)} through {@code syscall(2)}, since glibc before
 * 2.41 has no wrapper. Two attributes matter to a data-path thread: its nice value (its weight
 * against other runnable threads) and its requested slice ({@code sched_runtime}), which the
 * EEVDF scheduler of Linux 6.12 and later uses to let a thread with a shorter slice preempt the
 * running one when it wakes. Older kernels ignore the slice.
 */
public final class SchedAttr {
    private SchedAttr() {}

    /** The size of {@code struct sched_attr} up to {@code sched_period} ({@code SCHED_ATTR_SIZE_VER0}). */
    private static final int SIZE = 48;
    private static final long OFF_POLICY = 4, OFF_NICE = 16, OFF_RUNTIME = 24;
    private static final int SCHED_OTHER = 0;

    /** syscall numbers per architecture: x86-64 and arm64 are the ones vpcie runs on. */
    private static final long SYS_SETATTR, SYS_GETATTR;
    static {
        switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> { SYS_SETATTR = 314; SYS_GETATTR = 315; }
            case "aarch64" -> { SYS_SETATTR = 274; SYS_GETATTR = 275; }
            default -> { SYS_SETATTR = -1; SYS_GETATTR = -1; }
        }
    }

    // long syscall(long number, ...): the variadic arguments are passed as longs, as the kernel reads them.
    private static final MethodHandle SYSCALL = Errno.downcall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(1));

    /** What a thread runs with: its nice value and its requested slice in ns (0: the kernel's default). */
    public record Attributes(int nice, long sliceNs) {}

    /** Whether this architecture's syscall numbers are known. */
    public static boolean supported() { return SYS_SETATTR > 0; }

    /**
     * Sets the calling thread's nice value and slice under {@code SCHED_OTHER}.
     *
     * @param sliceNs 0 for the kernel's default slice, else 100 µs .. 100 ms (the kernel's bounds)
     * @throws ErrnoException {@code EPERM} when lowering the nice value needs {@code CAP_SYS_NICE};
     *                        {@code EINVAL} for a slice the kernel refuses
     */
    public static void set(int nice, long sliceNs) throws ErrnoException {
        if (!supported()) throw new UnsupportedOperationException("sched_setattr: no syscall number for " + System.getProperty("os.arch"));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(SIZE, 8);
            attr.set(JAVA_INT, 0, SIZE);
            attr.set(JAVA_INT, OFF_POLICY, SCHED_OTHER);
            attr.set(JAVA_INT, OFF_NICE, nice);
            attr.set(JAVA_LONG, OFF_RUNTIME, sliceNs);
            MemorySegment capture = Errno.captureSegment(arena);
            long r = (long) SYSCALL.invokeExact(capture, SYS_SETATTR, 0L, attr.address(), 0L, 0L);
            if (r != 0) throw new ErrnoException("sched_setattr", Errno.of(capture));
        } catch (ErrnoException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("syscall downcall", t);
        }
    }

    /** The calling thread's nice value and slice (the slice reads 0 on kernels without custom slices). */
    public static Attributes get() throws ErrnoException {
        if (!supported()) throw new UnsupportedOperationException("sched_getattr: no syscall number for " + System.getProperty("os.arch"));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(SIZE, 8);
            MemorySegment capture = Errno.captureSegment(arena);
            long r = (long) SYSCALL.invokeExact(capture, SYS_GETATTR, 0L, attr.address(), (long) SIZE, 0L);
            if (r != 0) throw new ErrnoException("sched_getattr", Errno.of(capture));
            return new Attributes(attr.get(JAVA_INT, OFF_NICE), attr.get(JAVA_LONG, OFF_RUNTIME));
        } catch (ErrnoException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("syscall downcall", t);
        }
    }
}
