package dev.vpcie.protocol.transport;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;

/**
 * A non-blocking UDP socket through the FFM API, for what NIO's {@code DatagramChannel} cannot
 * do: receive every queued datagram in one {@code recvmmsg} ({@link #receive(MessageBatch)}),
 * and give its descriptor to an {@link Epoll}. Bound to one local address and port, and either
 * connected to one peer ({@link #send}) or answering whoever wrote last
 * ({@link #receiveFrom}, {@link #reply}).
 *
 * <p>A datagram the kernel refuses (a full buffer, no route, or an ICMP error left by an earlier
 * send) is a lost datagram, as on a wire: send returns false and receive skips the error; other
 * errors throw an {@link ErrnoException} naming the call and the socket. Sends may come from any
 * thread (one at a time), receives from one; closing waits for a call in progress.
 */
public final class UdpSocket implements AutoCloseable {
    private static final int AF_INET = 2, AF_INET6 = 10, SOCK_DGRAM = 2, SOCK_NONBLOCK = 0x800, SOCK_CLOEXEC = 0x80000;
    private static final int SOL_SOCKET = 1, SO_SNDBUF = 7, SO_RCVBUF = 8, SO_RCVTIMEO = 20;
    private static final int MSG_DONTWAIT = 0x40;
    /** struct sockaddr_in (16 bytes) or sockaddr_in6 (28): family, big-endian port, address at 4 or 8. */
    private static final int SOCKADDR_MAX = 28;
    private static final int MAX_DATAGRAM = 65536;

    private static final MethodHandle SOCKET = Errno.downcall("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle SETSOCKOPT = Errno.downcall("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle BIND = Errno.downcall("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle CONNECT = Errno.downcall("connect", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SEND = Errno.downcall("send", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle SENDTO = Errno.downcall("sendto",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle RECVFROM = Errno.downcall("recvfrom",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle CLOSE = Errno.downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private final int fd;
    private final String name;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment txBuffer = arena.allocate(MAX_DATAGRAM, 64);
    private final MemorySegment txErrno = Errno.captureSegment(arena);
    private final MemorySegment rxBuffer = arena.allocate(MAX_DATAGRAM, 64);
    private final MemorySegment rxErrno = Errno.captureSegment(arena);
    private final MemorySegment from = arena.allocate(SOCKADDR_MAX, 8);
    private final MemorySegment fromLength = arena.allocate(JAVA_INT);
    private final Lifetime lifetime;
    private int lastFromLength;

    private UdpSocket(int fd, String name) {
        this.fd = fd;
        this.name = name;
        this.lifetime = new Lifetime(this::free);
    }

    /**
     * Binds {@code local} with {@code receiveBuffer} and {@code sendBuffer} bytes of socket buffer
     * (0: the kernel's default; capped by its limits) and, when {@code peer} is not null,
     * connects to it.
     */
    public static UdpSocket open(InetSocketAddress local, InetSocketAddress peer, int receiveBuffer, int sendBuffer) throws IOException {
        return open(local, peer, receiveBuffer, sendBuffer, 0);
    }

    /**
     * As {@link #open(InetSocketAddress, InetSocketAddress, int, int)}, but {@link #receiveWaiting}
     * blocks in the kernel for up to {@code receiveTimeoutMs}: one system call per wait, for a
     * thread that serves one socket (sends never wait either way).
     */
    public static UdpSocket openBlocking(InetSocketAddress local, InetSocketAddress peer, int receiveBuffer, int sendBuffer,
                                         int receiveTimeoutMs) throws IOException {
        if (receiveTimeoutMs < 1) throw new IllegalArgumentException("receive timeout must be >= 1 ms: " + receiveTimeoutMs);
        return open(local, peer, receiveBuffer, sendBuffer, receiveTimeoutMs);
    }

    private static UdpSocket open(InetSocketAddress local, InetSocketAddress peer, int receiveBuffer, int sendBuffer, int timeoutMs)
            throws IOException {
        String name = "UDP " + hostPort(local);
        boolean v4 = local.getAddress() instanceof Inet4Address;
        int fd;
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment c = Errno.captureSegment(scratch);
            fd = (int) SOCKET.invokeExact(c, v4 ? AF_INET : AF_INET6, SOCK_DGRAM | (timeoutMs > 0 ? 0 : SOCK_NONBLOCK) | SOCK_CLOEXEC, 0);
            if (fd < 0) throw new ErrnoException("socket(" + (v4 ? "AF_INET" : "AF_INET6") + ", SOCK_DGRAM)", Errno.of(c));
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("socket downcall", t);
        }
        UdpSocket s = new UdpSocket(fd, name);
        try {
            if (receiveBuffer > 0) s.setOption(SO_RCVBUF, receiveBuffer, "SO_RCVBUF");
            if (sendBuffer > 0) s.setOption(SO_SNDBUF, sendBuffer, "SO_SNDBUF");
            if (timeoutMs > 0) s.setReceiveTimeout(timeoutMs);
            s.address(BIND, local, "bind(" + name + ")");
            if (peer != null) s.address(CONNECT, peer, "connect(" + name + " -> " + hostPort(peer) + ")");
            return s;
        } catch (IOException | RuntimeException | Error e) {
            s.close();
            throw e;
        }
    }

    public int fd() { return fd; }

    @Override public String toString() { return name; }

    /**
     * Sends {@code length} bytes of {@code data} from {@code offset} to the connected peer.
     * Returns false when the datagram is lost (buffer full, no route, the peer's port closed).
     */
    public boolean send(byte[] data, int offset, int length) throws IOException {
        return transmit(data, offset, length, false);
    }

    /**
     * Sends every message of {@code batch} to the connected peer, in order, with as few
     * {@code sendmmsg} calls as the kernel allows, and clears it. A datagram lost (see
     * {@link #send}) is skipped and the rest still go; returns how many were lost.
     */
    public int send(MessageBatch batch) throws IOException {
        if (batch.size() == 0) return 0;
        if (!lifetime.acquire()) throw new IOException(name + " is closed");
        int lost = 0;
        try {
            for (int next = 0; next < batch.size(); ) {
                int rc = batch.send(fd, next);
                if (rc > 0) {
                    next += rc;
                } else {
                    lost(rc == 0 ? Errno.EAGAIN : -rc, "sendmmsg"); // throws unless the datagram is merely lost
                    lost++;
                    next++;
                }
            }
            return lost;
        } finally {
            batch.clear();
            lifetime.release();
        }
    }

    /**
     * Receives every datagram queued, up to {@code max} and the batch's capacity, with one
     * {@code recvmmsg}; returns how many (0: none). An ICMP error the kernel reports for an
     * earlier send is skipped.
     */
    public int receive(MessageBatch batch, int max) throws IOException { return receive(batch, max, false); }

    /**
     * On a socket from {@link #openBlocking}: waits up to its receive timeout for a datagram, then
     * takes it and every one queued behind it (up to {@code max}) in the same {@code recvmmsg};
     * 0 when the time ran out.
     */
    public int receiveWaiting(MessageBatch batch, int max) throws IOException { return receive(batch, max, true); }

    private int receive(MessageBatch batch, int max, boolean waiting) throws IOException {
        if (!lifetime.acquire()) throw new IOException(name + " is closed");
        try {
            for (int attempt = 0; ; attempt++) {
                int rc = waiting ? batch.receiveWaiting(fd, max) : batch.receive(fd, max);
                if (rc >= 0) return rc;
                // An error for an earlier send is reported once, before the data queued behind it.
                if (!lost(-rc, "recvmmsg") || attempt == 2) return 0;
            }
        } finally {
            lifetime.release();
        }
    }

    /**
     * Receives one datagram from anyone into {@code dst} (truncated to its length) and remembers
     * the sender for {@link #reply}; returns the length, 0 when none is queued.
     */
    public int receiveFrom(byte[] dst) throws IOException {
        if (!lifetime.acquire()) throw new IOException(name + " is closed");
        try {
            while (true) {
                fromLength.set(JAVA_INT, 0, SOCKADDR_MAX);
                long n;
                try {
                    n = (long) RECVFROM.invokeExact(rxErrno, fd, rxBuffer, (long) MAX_DATAGRAM, MSG_DONTWAIT, from, fromLength);
                } catch (Throwable t) {
                    throw new AssertionError("recvfrom downcall", t);
                }
                if (n < 0) {
                    int errno = Errno.of(rxErrno);
                    if (errno == Errno.EAGAIN || !lost(errno, "recvfrom")) return 0;
                    continue;
                }
                lastFromLength = fromLength.get(JAVA_INT, 0);
                int length = (int) Math.min(n, dst.length);
                MemorySegment.copy(rxBuffer, JAVA_BYTE, 0, dst, 0, length);
                return length;
            }
        } finally {
            lifetime.release();
        }
    }

    /** Sends to the sender of the last {@link #receiveFrom}; false when lost. Receive thread only. */
    public boolean reply(byte[] data, int length) throws IOException {
        if (lastFromLength == 0) throw new IllegalStateException("nothing received to reply to");
        return transmit(data, 0, length, true);
    }

    /** send(2) to the connected peer, or sendto(2) the last sender. */
    private boolean transmit(byte[] data, int offset, int length, boolean toLastSender) throws IOException {
        if (length > MAX_DATAGRAM) throw new IllegalArgumentException("datagram of " + length + " bytes");
        if (!lifetime.acquire()) throw new IOException(name + " is closed");
        try {
            MemorySegment.copy(data, offset, txBuffer, JAVA_BYTE, 0, length);
            long n;
            try {
                n = toLastSender
                        ? (long) SENDTO.invokeExact(txErrno, fd, txBuffer, (long) length, MSG_DONTWAIT, from, lastFromLength)
                        : (long) SEND.invokeExact(txErrno, fd, txBuffer, (long) length, MSG_DONTWAIT);
            } catch (Throwable t) {
                throw new AssertionError("send downcall", t);
            }
            if (n >= 0) return true;
            lost(Errno.of(txErrno), toLastSender ? "sendto" : "send"); // throws unless the datagram is merely lost
            return false;
        } finally {
            lifetime.release();
        }
    }

    /** Returns true for an errno that loses one datagram (as on a wire), false for "nothing there"; throws for the rest. */
    private boolean lost(int errno, String call) throws ErrnoException {
        return switch (errno) {
            case Errno.EAGAIN, Errno.EINTR -> false;
            case Errno.ENOBUFS, Errno.ECONNREFUSED, Errno.ENETUNREACH, Errno.EHOSTUNREACH, Errno.EHOSTDOWN, Errno.ENETDOWN -> true;
            default -> throw new ErrnoException(call + "(" + name + ")", errno);
        };
    }

    private void setReceiveTimeout(int ms) throws IOException {
        MemorySegment tv = arena.allocate(16, 8); // struct timeval: seconds, microseconds
        tv.set(JAVA_LONG, 0, ms / 1000);
        tv.set(JAVA_LONG, 8, ms % 1000 * 1000L);
        setOption(SO_RCVTIMEO, tv, "SO_RCVTIMEO");
    }

    private void setOption(int option, int value, String optionName) throws IOException {
        MemorySegment v = arena.allocate(JAVA_INT);
        v.set(JAVA_INT, 0, value);
        setOption(option, v, optionName);
    }

    private void setOption(int option, MemorySegment v, String optionName) throws IOException {
        int rc;
        try {
            rc = (int) SETSOCKOPT.invokeExact(rxErrno, fd, SOL_SOCKET, option, v, (int) v.byteSize());
        } catch (Throwable t) {
            throw new AssertionError("setsockopt downcall", t);
        }
        if (rc < 0) throw new ErrnoException("setsockopt(" + name + ", " + optionName + ")", Errno.of(rxErrno));
    }

    /** bind or connect to {@code address}. */
    private void address(MethodHandle call, InetSocketAddress address, String what) throws IOException {
        if (address.isUnresolved()) throw new IOException(what + ": cannot resolve '" + address.getHostString() + "'");
        MemorySegment sa = arena.allocate(SOCKADDR_MAX, 8);
        int length = sockaddr(sa, address.getAddress(), address.getPort());
        int rc;
        try {
            rc = (int) call.invokeExact(rxErrno, fd, sa, length);
        } catch (Throwable t) {
            throw new AssertionError("bind/connect downcall", t);
        }
        if (rc < 0) throw new ErrnoException(what, Errno.of(rxErrno));
    }

    private static int sockaddr(MemorySegment sa, InetAddress address, int port) {
        byte[] ip = address.getAddress();
        sa.set(JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN), 2, (short) port);
        if (ip.length == 4) {
            sa.set(JAVA_SHORT, 0, (short) AF_INET);
            MemorySegment.copy(ip, 0, sa, JAVA_BYTE, 4, 4);
            return 16;
        }
        sa.set(JAVA_SHORT, 0, (short) AF_INET6);
        MemorySegment.copy(ip, 0, sa, JAVA_BYTE, 8, 16);
        return SOCKADDR_MAX;
    }

    private static String hostPort(InetSocketAddress a) {
        String host = a.isUnresolved() ? a.getHostString() : a.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /** Closes the socket once no call is in progress; later calls fail. */
    @Override public void close() { lifetime.close(); }

    private void free() {
        try {
            int ignored = (int) CLOSE.invokeExact(txErrno, fd);
        } catch (Throwable t) {
            throw new AssertionError("close downcall", t);
        }
        arena.close();
    }
}
