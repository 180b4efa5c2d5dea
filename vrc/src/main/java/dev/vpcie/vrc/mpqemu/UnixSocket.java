package dev.vpcie.vrc.mpqemu;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.vpcie.protocol.transport.Errno;
import dev.vpcie.protocol.transport.ErrnoException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A connected {@code AF_UNIX} stream socket (unix(7)) through the FFM API: {@code socketpair},
 * {@code sendmsg}/{@code recvmsg} carrying file descriptors as {@code SCM_RIGHTS} ancillary data,
 * {@code shutdown} and {@code close}. Both ends are close-on-exec, and so is every descriptor
 * received ({@code MSG_CMSG_CLOEXEC}); a child process gets one only by an explicit dup in
 * {@link ChildProcess}.
 *
 * <p>Sending and receiving may happen on two threads; each direction is serialised.
 * {@link #shutdown()} ends the connection itself (for every process holding it: the peer sees
 * end of stream) and wakes a blocked receiver; {@link #close()} only gives up this process's
 * descriptor, once no call is using it, so a socket handed to a child stays connected.
 */
public final class UnixSocket implements AutoCloseable {
    /** The most descriptors one message may carry here (QEMU sends at most 8). */
    public static final int MAX_FDS = 16;

    private static final int AF_UNIX = 1, SOCK_STREAM = 1, SOCK_CLOEXEC = 0x80000;
    private static final int SOL_SOCKET = 1, SCM_RIGHTS = 1;
    private static final int MSG_CTRUNC = 0x8, MSG_DONTWAIT = 0x40, MSG_NOSIGNAL = 0x4000, MSG_CMSG_CLOEXEC = 0x40000000;
    private static final int SHUT_RDWR = 2;
    /** struct msghdr on x86-64 / aarch64. */
    private static final int MSG_SIZE = 56, MSG_IOV = 16, MSG_IOVLEN = 24, MSG_CONTROL = 32, MSG_CONTROLLEN = 40, MSG_FLAGS = 48;
    /** struct cmsghdr: len size_t, level i32, type i32, then data. */
    private static final int CMSG_HEADER = 16, CMSG_LEVEL = 8, CMSG_TYPE = 12;
    private static final int CONTROL_SIZE = CMSG_HEADER + MAX_FDS * 4;
    private static final int BUFFER = 4096;

    private static final MethodHandle SOCKETPAIR = Errno.downcall("socketpair",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle SENDMSG = Errno.downcall("sendmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle RECVMSG = Errno.downcall("recvmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SHUTDOWN = Errno.downcall("shutdown", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle CLOSE = Errno.downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    /** What one {@link #receive} got: bytes into the caller's array, descriptors that came with them. */
    public record Received(int bytes, int[] fds, boolean controlTruncated) {
        public boolean endOfStream() { return bytes == 0; }
    }

    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final Direction rx = new Direction(arena), tx = new Direction(arena);
    /** Calls in progress, plus one until {@link #close()}: the last one out closes the descriptor. */
    private final AtomicInteger users = new AtomicInteger(1);
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean shut;

    /** Native buffers of one direction, used under its own lock. */
    private static final class Direction {
        final MemorySegment msg, iov, control, data, errno;

        Direction(Arena arena) {
            msg = arena.allocate(MSG_SIZE, 8);
            iov = arena.allocate(16, 8);
            control = arena.allocate(CONTROL_SIZE, 8);
            data = arena.allocate(BUFFER, 8);
            errno = Errno.captureSegment(arena);
        }
    }

    private UnixSocket(int fd) { this.fd = fd; }

    /** Two connected ends. */
    public static UnixSocket[] pair() throws IOException {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment fds = scratch.allocate(JAVA_INT, 2);
            MemorySegment capture = Errno.captureSegment(scratch);
            int rc = (int) SOCKETPAIR.invokeExact(capture, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds);
            if (rc < 0) throw new ErrnoException("socketpair(AF_UNIX, SOCK_STREAM)", Errno.of(capture));
            return new UnixSocket[] {new UnixSocket(fds.getAtIndex(JAVA_INT, 0)), new UnixSocket(fds.getAtIndex(JAVA_INT, 1))};
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("socketpair downcall", t);
        }
    }

    public int fd() { return fd; }

    /**
     * Sends {@code src[offset, offset+length)} with {@code fds} attached to the first byte, as
     * one {@code sendmsg} while the data fits the native buffer (QEMU reads a header and its
     * descriptors together). The descriptors stay open here: the receiver gets duplicates.
     */
    public void send(byte[] src, int offset, int length, int... fds) throws IOException {
        if (fds.length > MAX_FDS) throw new IllegalArgumentException("at most " + MAX_FDS + " descriptors per message: " + fds.length);
        if (length == 0 && fds.length > 0)
            throw new IllegalArgumentException("descriptors travel with at least one byte on a stream socket");
        if (length == 0) return;
        if (!enter()) throw new IOException("sendmsg(AF_UNIX): the socket is closed");
        try {
            sendLocked(src, offset, length, fds);
        } finally {
            leave();
        }
    }

    private void sendLocked(byte[] src, int offset, int length, int[] fds) throws IOException {
        synchronized (tx) {
            int sent = 0;
            boolean first = true;
            while (sent < length) {
                int chunk = Math.min(BUFFER, length - sent);
                MemorySegment.copy(src, offset + sent, tx.data, JAVA_BYTE, 0, chunk);
                tx.msg.fill((byte) 0);
                tx.iov.set(ADDRESS, 0, tx.data);
                tx.iov.set(JAVA_LONG, 8, chunk);
                tx.msg.set(ADDRESS, MSG_IOV, tx.iov);
                tx.msg.set(JAVA_LONG, MSG_IOVLEN, 1);
                if (first && fds.length > 0) {
                    tx.control.fill((byte) 0);
                    tx.control.set(JAVA_LONG, 0, CMSG_HEADER + 4L * fds.length);
                    tx.control.set(JAVA_INT, CMSG_LEVEL, SOL_SOCKET);
                    tx.control.set(JAVA_INT, CMSG_TYPE, SCM_RIGHTS);
                    for (int i = 0; i < fds.length; i++) tx.control.set(JAVA_INT, CMSG_HEADER + 4L * i, fds[i]);
                    tx.msg.set(ADDRESS, MSG_CONTROL, tx.control);
                    tx.msg.set(JAVA_LONG, MSG_CONTROLLEN, CMSG_HEADER + ((4L * fds.length + 7) & ~7L));
                }
                long n;
                try {
                    n = (long) SENDMSG.invokeExact(tx.errno, fd, tx.msg, MSG_NOSIGNAL);
                } catch (Throwable t) {
                    throw new AssertionError("sendmsg downcall", t);
                }
                if (n < 0) {
                    int errno = Errno.of(tx.errno);
                    if (errno == Errno.EINTR) continue;
                    throw new ErrnoException("sendmsg(AF_UNIX" + (first && fds.length > 0 ? ", SCM_RIGHTS" : "") + ")", errno);
                }
                sent += (int) n;
                first = false;
            }
        }
    }

    /** Sends all of {@code src} without descriptors. */
    public void send(byte[] src) throws IOException { send(src, 0, src.length); }

    /**
     * Receives up to {@code length} bytes (at least one, blocking), and the descriptors sent
     * with them. Zero bytes means the peer closed or {@link #shutdown()} was called. The caller
     * owns the descriptors; ones that did not fit are lost and flagged, as the kernel does.
     */
    public Received receive(byte[] dst, int offset, int length) throws IOException {
        if (length <= 0) throw new IllegalArgumentException("receive length must be positive: " + length);
        if (!enter()) return new Received(0, new int[0], false);
        try {
            return receiveLocked(dst, offset, length, MSG_CMSG_CLOEXEC);
        } finally {
            leave();
        }
    }

    /**
     * Like {@link #receive} without waiting ({@code MSG_DONTWAIT}), for a loop that watches the
     * descriptor: null when nothing is there yet.
     */
    public Received receiveNow(byte[] dst, int offset, int length) throws IOException {
        if (length <= 0) throw new IllegalArgumentException("receive length must be positive: " + length);
        if (!enter()) return new Received(0, new int[0], false);
        try {
            return receiveLocked(dst, offset, length, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
        } finally {
            leave();
        }
    }

    private Received receiveLocked(byte[] dst, int offset, int length, int flags) throws IOException {
        synchronized (rx) {
            while (true) {
                int want = Math.min(BUFFER, length);
                rx.msg.fill((byte) 0);
                rx.iov.set(ADDRESS, 0, rx.data);
                rx.iov.set(JAVA_LONG, 8, want);
                rx.msg.set(ADDRESS, MSG_IOV, rx.iov);
                rx.msg.set(JAVA_LONG, MSG_IOVLEN, 1);
                rx.msg.set(ADDRESS, MSG_CONTROL, rx.control);
                rx.msg.set(JAVA_LONG, MSG_CONTROLLEN, CONTROL_SIZE);
                long n;
                try {
                    n = (long) RECVMSG.invokeExact(rx.errno, fd, rx.msg, flags);
                } catch (Throwable t) {
                    throw new AssertionError("recvmsg downcall", t);
                }
                if (n < 0) {
                    int errno = Errno.of(rx.errno);
                    if (errno == Errno.EINTR) continue;
                    if (shut) return new Received(0, new int[0], false);
                    if (errno == Errno.EAGAIN && (flags & MSG_DONTWAIT) != 0) return null;
                    throw new ErrnoException("recvmsg(AF_UNIX)", errno);
                }
                MemorySegment.copy(rx.data, JAVA_BYTE, 0, dst, offset, (int) n);
                return new Received((int) n, receivedFds(), (rx.msg.get(JAVA_INT, MSG_FLAGS) & MSG_CTRUNC) != 0);
            }
        }
    }

    /** Reads exactly {@code length} bytes; false when the stream ended first (after zero or more bytes). */
    public boolean receiveFully(byte[] dst, int offset, int length) throws IOException {
        int got = 0;
        while (got < length) {
            Received r = receive(dst, offset + got, length - got);
            closeAll(r.fds()); // descriptors belong to the start of a message, never to its rest
            if (r.endOfStream()) return false;
            got += r.bytes();
        }
        return true;
    }

    private int[] receivedFds() {
        long controlLength = rx.msg.get(JAVA_LONG, MSG_CONTROLLEN);
        int[] out = new int[0];
        long at = 0;
        while (at + CMSG_HEADER <= controlLength) {
            long len = rx.control.get(JAVA_LONG, at);
            if (len < CMSG_HEADER || at + len > controlLength) break;
            if (rx.control.get(JAVA_INT, at + CMSG_LEVEL) == SOL_SOCKET && rx.control.get(JAVA_INT, at + CMSG_TYPE) == SCM_RIGHTS) {
                int count = (int) ((len - CMSG_HEADER) / 4);
                int base = out.length;
                out = Arrays.copyOf(out, base + count);
                for (int i = 0; i < count; i++) out[base + i] = rx.control.get(JAVA_INT, at + CMSG_HEADER + 4L * i);
            }
            at += (len + 7) & ~7L;
        }
        return out;
    }

    /**
     * Ends the connection in both directions, for every holder of the socket: a blocked
     * {@link #receive} returns end of stream, the peer (QEMU) sees end of stream.
     */
    public void shutdown() {
        shut = true;
        if (!enter()) return;
        try (Arena scratch = Arena.ofConfined()) {
            int ignored = (int) SHUTDOWN.invokeExact(Errno.captureSegment(scratch), fd, SHUT_RDWR);
        } catch (Throwable t) {
            throw new AssertionError("shutdown downcall", t);
        } finally {
            leave();
        }
    }

    private boolean enter() {
        int n;
        do {
            n = users.get();
            if (n == 0) return false;
        } while (!users.compareAndSet(n, n + 1));
        if (closed.get()) {
            leave();
            return false;
        }
        return true;
    }

    private void leave() {
        if (users.decrementAndGet() == 0) {
            closeAll(fd);
            arena.close();
        }
    }

    /** Closes descriptors received from a peer (errors ignored: there is nothing to do about them). */
    public static void closeAll(int... fds) {
        if (fds.length == 0) return;
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment capture = Errno.captureSegment(scratch);
            for (int f : fds) {
                int ignored = (int) CLOSE.invokeExact(capture, f);
            }
        } catch (Throwable t) {
            throw new AssertionError("close downcall", t);
        }
    }

    /**
     * Gives up this process's descriptor once no call is using it (a receiver blocked on it
     * keeps it until {@link #shutdown()} or the peer ends the stream). The connection itself
     * stays up for other holders, such as a child that inherited it.
     */
    @Override public void close() {
        if (closed.compareAndSet(false, true)) leave();
    }
}
