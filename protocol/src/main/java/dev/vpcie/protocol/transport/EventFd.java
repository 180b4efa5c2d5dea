package dev.vpcie.protocol.transport;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * A Linux eventfd (non-blocking, close-on-exec): a counter another thread can raise to wake a
 * {@code poll} on {@link #fd()}. The transports use one to implement {@code wakeup()}.
 *
 * <p>{@link #signal()} may be called from any thread; {@link #drain()} and {@link #close()} by
 * the owner.
 */
public final class EventFd implements AutoCloseable {
    private static final int EFD_CLOEXEC = 0x80000, EFD_NONBLOCK = 0x800;

    private static final MethodHandle EVENTFD = Errno.downcall("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle WRITE = Errno.downcall("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle READ = Errno.downcall("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle CLOSE = Errno.downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    // Freed by the garbage collector, so a late signal() from another thread can never touch freed memory.
    private final Arena arena = Arena.ofAuto();
    private final MemorySegment one = arena.allocate(JAVA_LONG);
    private final MemorySegment signalErrno = Errno.captureSegment(arena);
    private final MemorySegment counter = arena.allocate(JAVA_LONG);
    private final MemorySegment drainErrno = Errno.captureSegment(arena);
    private final int fd;
    private final Lifetime lifetime;

    private EventFd(int fd) {
        this.fd = fd;
        this.lifetime = new Lifetime(this::closeFd);
        one.set(JAVA_LONG, 0, 1L);
    }

    public static EventFd open() throws IOException {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment capture = Errno.captureSegment(scratch);
            int fd = (int) EVENTFD.invokeExact(capture, 0, EFD_CLOEXEC | EFD_NONBLOCK);
            if (fd < 0) throw new ErrnoException("eventfd", Errno.of(capture));
            return new EventFd(fd);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("eventfd downcall", t);
        }
    }

    public int fd() { return fd; }

    /**
     * Raises the counter so a poll on {@link #fd()} reports it readable. Errors are impossible
     * on an open eventfd except a full counter, which already means "signalled"; after close it
     * does nothing.
     */
    public void signal() {
        if (!lifetime.acquire()) return;
        try {
            long n = (long) WRITE.invokeExact(signalErrno, fd, one, 8L);
            if (n < 0 && Errno.of(signalErrno) != Errno.EAGAIN)
                throw new UncheckedIOException(new ErrnoException("write(eventfd)", Errno.of(signalErrno)));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("write downcall", t);
        } finally {
            lifetime.release();
        }
    }

    /** Resets the counter; returns whether it had been signalled. */
    public boolean drain() throws IOException {
        if (!lifetime.acquire()) throw new IOException("eventfd is closed");
        long n;
        try {
            n = (long) READ.invokeExact(drainErrno, fd, counter, 8L);
        } catch (Throwable t) {
            throw new AssertionError("read downcall", t);
        } finally {
            lifetime.release();
        }
        if (n == 8) return true;
        int errno = Errno.of(drainErrno);
        if (errno == Errno.EAGAIN) return false;
        throw new ErrnoException("read(eventfd)", errno);
    }

    /** Closes the descriptor once no other thread is inside {@link #signal()}. */
    @Override public void close() {
        lifetime.close();
    }

    private void closeFd() {
        try {
            int ignored = (int) CLOSE.invokeExact(Errno.captureSegment(arena), fd);
        } catch (Throwable t) {
            throw new AssertionError("close downcall", t);
        }
    }
}
