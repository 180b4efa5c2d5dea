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
import java.util.Arrays;

/**
 * ppoll(2) on a set of descriptors for input, with a nanosecond timeout: the one class that waits
 * on descriptors. The transports use it with two (their socket and a wakeup {@link EventFd}); a
 * run-to-completion loop ({@code dev.vpcie.protocol.agent.AgentLoop}) with every descriptor it
 * serves. Its native memory grows when descriptors are added and is otherwise set up once; one
 * thread (the waiter) uses it.
 */
public final class Poller {
    /** {@link #await} result bits of the two-descriptor form. */
    static final int FIRST = 1, SECOND = 2, FIRST_FAILED = 4;

    private static final short POLLIN = 0x1;
    private static final int POLLFD_SIZE = 8;
    private static final MethodHandle PPOLL = Errno.downcall("ppoll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS));

    // Freed by the garbage collector: a waiter still returning from ppoll never touches freed memory.
    private final Arena arena = Arena.ofAuto();
    private final MemorySegment timeout = arena.allocate(16, 8);
    private final MemorySegment capture = Errno.captureSegment(arena);
    private final String what;
    /** struct pollfd[capacity]: fd i32, events i16, revents i16. */
    private MemorySegment fds;
    private int[] descriptors = new int[0];

    /** An empty set; {@code what} names it in errors. */
    public Poller(String what) {
        this.what = what;
        this.fds = arena.allocate(POLLFD_SIZE * 4L, 8);
    }

    /** Polls {@code first} and {@code second} for input; {@code what} names the first in errors. */
    Poller(int first, int second, String what) {
        this(what);
        setDescriptors(new int[] {first, second});
    }

    /** Replaces the set with {@code descriptors} (polled in this order; index i in {@link #readable}). */
    public void setDescriptors(int[] descriptors) {
        this.descriptors = descriptors.clone();
        if (fds.byteSize() < (long) POLLFD_SIZE * descriptors.length) fds = arena.allocate((long) POLLFD_SIZE * descriptors.length * 2, 8);
        for (int i = 0; i < descriptors.length; i++) {
            fds.set(JAVA_INT, (long) i * POLLFD_SIZE, descriptors[i]);
            fds.set(JAVA_SHORT, (long) i * POLLFD_SIZE + 4, POLLIN);
        }
    }

    /** The descriptors polled now. */
    public int[] descriptors() { return descriptors.clone(); }

    /**
     * Waits until a descriptor is readable, reports an error or hang-up, or {@code timeoutNanos}
     * passed ({@code Long.MAX_VALUE}: no limit). Returns how many descriptors reported something;
     * 0 on timeout or signal. {@link #readable} and {@link #failed} tell which.
     */
    public int poll(long timeoutNanos) throws IOException {
        int n = descriptors.length;
        for (int i = 0; i < n; i++) fds.set(JAVA_SHORT, (long) i * POLLFD_SIZE + 6, (short) 0);
        MemorySegment tmo = MemorySegment.NULL;
        if (timeoutNanos != Long.MAX_VALUE) {
            long t = Math.max(0, timeoutNanos);
            timeout.set(JAVA_LONG, 0, t / 1_000_000_000L);
            timeout.set(JAVA_LONG, 8, t % 1_000_000_000L);
            tmo = timeout;
        }
        int rc;
        try {
            rc = (int) PPOLL.invokeExact(capture, fds, (long) n, tmo, MemorySegment.NULL);
        } catch (Throwable t) {
            throw new AssertionError("ppoll downcall", t);
        }
        if (rc < 0) {
            int errno = Errno.of(capture);
            if (errno == Errno.EINTR) return 0;
            throw new ErrnoException("ppoll(" + what + ")", errno);
        }
        return rc;
    }

    /** After {@link #poll}: whether descriptor {@code index} is readable. */
    public boolean readable(int index) { return (revents(index) & POLLIN) != 0; }

    /** After {@link #poll}: whether descriptor {@code index} reported an error, hang-up or is invalid. */
    public boolean failed(int index) { return (revents(index) & ~POLLIN) != 0; }

    private short revents(int index) {
        return fds.get(JAVA_SHORT, (long) index * POLLFD_SIZE + 6);
    }

    /**
     * The two-descriptor form: returns {@link #FIRST} / {@link #SECOND} for readable descriptors,
     * and {@link #FIRST_FAILED} when the first reports an error or hang-up; 0 on timeout or signal.
     */
    int await(long timeoutNanos) throws IOException {
        if (poll(timeoutNanos) == 0) return 0;
        return (readable(0) ? FIRST : 0) | (failed(0) ? FIRST_FAILED : 0) | (revents(1) != 0 ? SECOND : 0);
    }

    @Override public String toString() { return "Poller[" + what + " " + Arrays.toString(descriptors) + "]"; }
}
