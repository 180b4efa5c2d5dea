package dev.vpcie.vrc.mpqemu;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.vpcie.protocol.transport.Errno;
import dev.vpcie.protocol.transport.ErrnoException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * The pair of eventfds QEMU's proxy hands over with SET_IRQFD: a KVM irqfd registered with
 * resampling on the guest's INTx route. Writing the 8-byte value 1 to the irqfd raises the
 * line; when the guest ends the interrupt KVM lowers it and signals the resamplefd, which
 * {@link #pollResample} reads ({@code write}, {@code ppoll}, {@code read}, {@code close}).
 *
 * <p>{@link #trigger()} may run on any thread; {@link #pollResample} on one (the loop that
 * watches {@link #resampleFd()}); {@link #close()} on that one too.
 */
public final class IrqFd implements AutoCloseable {
    private static final short POLLIN = 0x1;

    private static final MethodHandle WRITE = Errno.downcall("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle READ = Errno.downcall("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle PPOLL = Errno.downcall("ppoll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS));
    private static final MethodHandle CLOSE = Errno.downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private final int irqfd, resamplefd;
    // Freed by the garbage collector, so a late trigger() can never touch freed memory.
    private final Arena arena = Arena.ofAuto();
    private final MemorySegment one = arena.allocate(JAVA_LONG);
    private final MemorySegment triggerErrno = Errno.captureSegment(arena);
    private final MemorySegment pollFds = arena.allocate(16, 8);
    private final MemorySegment counter = arena.allocate(JAVA_LONG);
    /** A timespec of zero: ppoll returns at once. */
    private final MemorySegment zero = arena.allocate(16, 8);
    private final MemorySegment waitErrno = Errno.captureSegment(arena);
    private volatile boolean closed;

    /** Takes ownership of both descriptors. */
    public IrqFd(int irqfd, int resamplefd) {
        this.irqfd = irqfd;
        this.resamplefd = resamplefd;
        one.set(JAVA_LONG, 0, 1L);
    }

    /** Raises the guest's INTx line (a no-op, counted by nobody, where KVM did not take the irqfd). */
    public synchronized void trigger() throws IOException {
        if (closed) return;
        long n;
        try {
            n = (long) WRITE.invokeExact(triggerErrno, irqfd, one, 8L);
        } catch (Throwable t) {
            throw new AssertionError("write downcall", t);
        }
        // EAGAIN: the counter is full, which already means raised.
        if (n < 0 && Errno.of(triggerErrno) != Errno.EAGAIN) throw new ErrnoException("write(irqfd)", Errno.of(triggerErrno));
    }

    /** The resamplefd, for a loop to watch. */
    public int resampleFd() { return resamplefd; }

    /**
     * Without waiting: true when the guest ended the interrupt since the last call (the
     * resample is consumed), for a loop that watches {@link #resampleFd()}.
     */
    public boolean pollResample() throws IOException {
        pollFds.set(JAVA_INT, 0, resamplefd);
        pollFds.set(JAVA_SHORT, 4, POLLIN);
        pollFds.set(JAVA_SHORT, 6, (short) 0);
        int n;
        try {
            n = (int) PPOLL.invokeExact(waitErrno, pollFds, 1L, zero, MemorySegment.NULL);
        } catch (Throwable t) {
            throw new AssertionError("ppoll downcall", t);
        }
        if (n < 0) {
            if (Errno.of(waitErrno) == Errno.EINTR) return false;
            throw new ErrnoException("ppoll(resamplefd)", Errno.of(waitErrno));
        }
        if (n == 0 || pollFds.get(JAVA_SHORT, 6) == 0) return false;
        long r;
        try {
            r = (long) READ.invokeExact(waitErrno, resamplefd, counter, 8L);
        } catch (Throwable t) {
            throw new AssertionError("read downcall", t);
        }
        if (r == 8) return true;
        int errno = Errno.of(waitErrno);
        if (errno != Errno.EAGAIN && errno != Errno.EINTR) throw new ErrnoException("read(resamplefd)", errno);
        return false;
    }

    @Override public synchronized void close() {
        if (closed) return;
        closed = true;
        try {
            int ignored = (int) CLOSE.invokeExact(triggerErrno, irqfd);
            ignored = (int) CLOSE.invokeExact(triggerErrno, resamplefd);
        } catch (Throwable t) {
            throw new AssertionError("close downcall", t);
        }
    }
}
