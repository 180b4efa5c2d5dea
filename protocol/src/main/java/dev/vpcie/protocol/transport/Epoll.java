package dev.vpcie.protocol.transport;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * epoll(7), level-triggered, for input: the way to learn which of many descriptors have data
 * without asking each (a NetTLP port has 273 sockets, of which a busy cycle finds a few ready).
 * Each descriptor is registered with an int key chosen by the caller, and {@link #poll} reports
 * the keys of the ready ones. {@link Poller} stays the choice for a handful of descriptors.
 *
 * <p>One thread waits; registration happens before waiting starts. Another thread may close it.
 */
public final class Epoll implements AutoCloseable {
    private static final int EPOLL_CLOEXEC = 0x80000, EPOLL_CTL_ADD = 1, EPOLLIN = 0x1;
    /** struct epoll_event: events u32, data u64; packed (12 bytes) on x86-64 only, 16 bytes elsewhere. */
    private static final boolean PACKED = "amd64".equals(System.getProperty("os.arch")) || "x86_64".equals(System.getProperty("os.arch"));
    private static final int EVENT_SIZE = PACKED ? 12 : 16, EVENT_DATA = PACKED ? 4 : 8;

    private static final MethodHandle CREATE = Errno.downcall("epoll_create1", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle CTL = Errno.downcall("epoll_ctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle WAIT = Errno.downcall("epoll_wait", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle CLOSE = Errno.downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    // Freed by the garbage collector: a waiter still returning from epoll_wait never touches freed memory.
    private final Arena arena = Arena.ofAuto();
    private final MemorySegment capture = Errno.captureSegment(arena);
    private final MemorySegment events;
    private final int maxEvents, epfd;
    private final String what;
    private final Lifetime lifetime;

    private Epoll(int epfd, int maxEvents, String what) {
        this.epfd = epfd;
        this.lifetime = new Lifetime(this::closeFd);
        this.maxEvents = maxEvents;
        this.what = what;
        this.events = arena.allocate((long) EVENT_SIZE * maxEvents, 8);
    }

    /** An empty set reporting at most {@code maxEvents} ready descriptors per wait; {@code what} names it in errors. */
    public static Epoll open(int maxEvents, String what) throws IOException {
        if (maxEvents < 1) throw new IllegalArgumentException("maxEvents must be >= 1: " + maxEvents);
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment c = Errno.captureSegment(scratch);
            int fd = (int) CREATE.invokeExact(c, EPOLL_CLOEXEC);
            if (fd < 0) throw new ErrnoException("epoll_create1(" + what + ")", Errno.of(c));
            return new Epoll(fd, maxEvents, what);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("epoll_create1 downcall", t);
        }
    }

    /** Watches {@code fd} for input; {@link #key} reports {@code key} when it is ready. */
    public void add(int fd, int key) throws IOException {
        if (lifetime.isClosed()) throw new IOException(what + ": epoll is closed");
        MemorySegment ev = arena.allocate(EVENT_SIZE, 8);
        ev.set(JAVA_INT, 0, EPOLLIN);
        ev.set(JAVA_LONG.withByteAlignment(4), EVENT_DATA, key);
        int rc;
        try {
            rc = (int) CTL.invokeExact(capture, epfd, EPOLL_CTL_ADD, fd, ev);
        } catch (Throwable t) {
            throw new AssertionError("epoll_ctl downcall", t);
        }
        if (rc < 0) throw new ErrnoException("epoll_ctl(" + what + ", ADD " + fd + ")", Errno.of(capture));
    }

    /**
     * Waits up to {@code timeoutMs} (0: just looks, -1: no limit) for a ready descriptor; returns
     * how many are ready (their keys by {@link #key}), 0 on timeout or signal.
     */
    public int poll(int timeoutMs) throws IOException {
        if (!lifetime.acquire()) throw new IOException(what + ": epoll is closed");
        int rc;
        try {
            rc = (int) WAIT.invokeExact(capture, epfd, events, maxEvents, timeoutMs);
        } catch (Throwable t) {
            throw new AssertionError("epoll_wait downcall", t);
        } finally {
            lifetime.release();
        }
        if (rc >= 0) return rc;
        int errno = Errno.of(capture);
        if (errno == Errno.EINTR) return 0;
        throw new ErrnoException("epoll_wait(" + what + ")", errno);
    }

    /** After {@link #poll}: the key of ready descriptor {@code i}. */
    public int key(int i) { return (int) events.get(JAVA_LONG.withByteAlignment(4), (long) EVENT_SIZE * i + EVENT_DATA); }

    /** Closes the descriptor now, or when a wait in progress on another thread returns; later calls fail. */
    @Override public void close() { lifetime.close(); }

    private void closeFd() {
        try {
            int ignored = (int) CLOSE.invokeExact(Errno.captureSegment(arena), epfd);
        } catch (Throwable t) {
            throw new AssertionError("close downcall", t);
        }
    }
}
