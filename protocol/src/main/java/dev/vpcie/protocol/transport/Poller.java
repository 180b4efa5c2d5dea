package dev.vpcie.protocol.transport;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * ppoll(2) on two descriptors, a data source and a wakeup {@link EventFd}, with a nanosecond
 * timeout. Its native memory is set up once; one thread (the receiver) uses it.
 */
final class Poller {
    /** {@link #await} result bits. */
    static final int FIRST = 1, SECOND = 2, FIRST_FAILED = 4;

    private static final short POLLIN = 0x1;
    private static final MethodHandle PPOLL = Errno.downcall("ppoll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS));

    // Freed by the garbage collector: a receiver still returning from ppoll never touches freed memory.
    private final Arena arena = Arena.ofAuto();
    /** struct pollfd[2]: fd i32, events i16, revents i16. */
    private final MemorySegment fds = arena.allocate(16, 8);
    private final MemorySegment timeout = arena.allocate(16, 8);
    private final MemorySegment capture = Errno.captureSegment(arena);
    private final String what;

    /** Polls {@code first} and {@code second} for input; {@code what} names the first in errors. */
    Poller(int first, int second, String what) {
        this.what = what;
        fds.set(JAVA_INT, 0, first);
        fds.set(JAVA_SHORT, 4, POLLIN);
        fds.set(JAVA_INT, 8, second);
        fds.set(JAVA_SHORT, 12, POLLIN);
    }

    /**
     * Waits until a descriptor is readable or {@code timeoutNanos} passed ({@code Long.MAX_VALUE}:
     * no limit). Returns {@link #FIRST} / {@link #SECOND} for readable descriptors, and
     * {@link #FIRST_FAILED} when the first reports an error or hang-up; 0 on timeout or signal.
     */
    int await(long timeoutNanos) throws IOException {
        fds.set(JAVA_SHORT, 6, (short) 0);
        fds.set(JAVA_SHORT, 14, (short) 0);
        MemorySegment tmo = MemorySegment.NULL;
        if (timeoutNanos != Long.MAX_VALUE) {
            long t = Math.max(0, timeoutNanos);
            timeout.set(JAVA_LONG, 0, t / 1_000_000_000L);
            timeout.set(JAVA_LONG, 8, t % 1_000_000_000L);
            tmo = timeout;
        }
        int rc;
        try {
            rc = (int) PPOLL.invokeExact(capture, fds, 2L, tmo, MemorySegment.NULL);
        } catch (Throwable t) {
            throw new AssertionError("ppoll downcall", t);
        }
        if (rc < 0) {
            int errno = Errno.of(capture);
            if (errno == Errno.EINTR) return 0;
            throw new ErrnoException("ppoll(" + what + ")", errno);
        }
        if (rc == 0) return 0;
        short first = fds.get(JAVA_SHORT, 6), second = fds.get(JAVA_SHORT, 14);
        return ((first & POLLIN) != 0 ? FIRST : 0) | ((first & ~POLLIN) != 0 ? FIRST_FAILED : 0) | (second != 0 ? SECOND : 0);
    }
}
