package dev.vpcie.protocol.transport;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;

/**
 * A Linux TAP interface (tuntap(4)) through the FFM API: {@code /dev/net/tun} opened
 * non-blocking, {@code TUNSETIFF} with IFF_TAP | IFF_NO_PI | IFF_TUN_EXCL (so an existing
 * interface is never taken over), optionally IFF_VNET_HDR with {@code TUNSETOFFLOAD} so the
 * kernel hands over large TCP segments and unfinished checksums, plus the per-device ioctls
 * the TUN driver answers on its own descriptor: {@code SIOCSIFHWADDR} and {@code TUNSETCARRIER}.
 * The interface is not persistent: it disappears when {@link #close()} closes the descriptor.
 * Shared by the VRC's TAP bridge (a host interface backed by a remote NIC) and the endpoint's TAP
 * wire (a NIC's cable ending in a host interface).
 *
 * <p>One thread reads (with {@link #awaitReadable}) and one thread writes; all native memory is
 * allocated once per side.
 */
public final class Tap implements AutoCloseable {
    private static final int O_RDWR = 2, O_NONBLOCK = 0x800, O_CLOEXEC = 0x80000;
    private static final short IFF_TAP = 0x0002, IFF_NO_PI = 0x1000, IFF_VNET_HDR = 0x4000;
    private static final int IFF_TUN_EXCL = 0x8000;
    private static final long TUNSETIFF = 0x400454CAL, TUNSETOFFLOAD = 0x400454D0L, TUNSETCARRIER = 0x400454E2L,
            TUNSETVNETHDRSZ = 0x400454D8L, SIOCSIFHWADDR = 0x8924L;
    /** TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6: the kernel may hand us partial checksums and TCP segments up to 64 KiB. */
    private static final int TUN_OFFLOADS = 0x01 | 0x02 | 0x04;
    private static final short ARPHRD_ETHER = 1;
    private static final int IFREQ_SIZE = 40, IFR_UNION = 16, IFNAMSIZ = 16;
    private static final short POLLIN = 0x1;
    private static final int EPERM = 1, ENOENT = 2, EIO = 5, ENXIO = 6, EAGAIN = 11, EACCES = 13, EBUSY = 16, ENODEV = 19, EINVAL = 22;
    /** struct virtio_net_hdr without mergeable buffers. */
    public static final int VNET_HDR_SIZE = 10;
    /** Largest frame read: a 64 KiB GSO segment plus its headers and the vnet header. */
    public static final int MAX_READ = 65536 + 256;

    private static final MethodHandle OPEN = Errno.downcall("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle IOCTL = Errno.downcall("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle IOCTL_VALUE = Errno.downcall("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle READ = Errno.downcall("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle WRITE = Errno.downcall("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle POLL = Errno.downcall("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle CLOSE = Errno.downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private final int fd;
    private final String name;
    private final boolean vnetHeader;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment controlErrno = Errno.captureSegment(arena);
    private final MemorySegment readBuffer = arena.allocate(MAX_READ, 64);
    private final MemorySegment readErrno = Errno.captureSegment(arena);
    private final MemorySegment pollFds = arena.allocate(16, 8);
    private final MemorySegment writeErrno = Errno.captureSegment(arena);
    private volatile boolean closed;

    private Tap(int fd, String name, boolean vnetHeader) {
        this.fd = fd;
        this.name = name;
        this.vnetHeader = vnetHeader;
        pollFds.set(JAVA_INT, 0, fd);
        pollFds.set(JAVA_SHORT, 4, POLLIN);
        pollFds.set(JAVA_SHORT, 12, POLLIN);
    }

    /**
     * Creates the TAP interface {@code name} (a pattern such as {@code vpcie%d} lets the kernel
     * number it). With {@code offloads} every frame read and written carries a virtio-net header
     * and the kernel may send TSO segments and partial checksums.
     *
     * @throws ErrnoException naming the call, with a hint: no {@code /dev/net/tun}, not root,
     *                        or an interface of that name already exists
     */
    public static Tap create(String name, boolean offloads) throws IOException {
        byte[] ascii = name.getBytes(StandardCharsets.US_ASCII);
        if (ascii.length == 0 || ascii.length >= IFNAMSIZ || name.contains("/") || name.chars().anyMatch(c -> c <= ' ' || c > '~'))
            throw new IllegalArgumentException("not an interface name: '" + name + "' (1..15 printable ASCII characters, no '/' or spaces)");
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment capture = Errno.captureSegment(scratch);
            int fd = (int) OPEN.invokeExact(capture, scratch.allocateFrom("/dev/net/tun"), O_RDWR | O_NONBLOCK | O_CLOEXEC);
            if (fd < 0) {
                int errno = Errno.of(capture);
                String hint = switch (errno) {
                    case ENOENT -> "no /dev/net/tun: load the tun module (modprobe tun) or create the node (mknod /dev/net/tun c 10 200)";
                    case ENODEV, ENXIO -> "the kernel has no TUN/TAP support (CONFIG_TUN)";
                    case EPERM, EACCES -> "opening /dev/net/tun needs root (CAP_NET_ADMIN)";
                    default -> null;
                };
                throw new ErrnoException(hint, "open(/dev/net/tun)", errno);
            }
            Tap tap = null;
            try {
                MemorySegment ifreq = scratch.allocate(IFREQ_SIZE);
                MemorySegment.copy(ascii, 0, ifreq, JAVA_BYTE, 0, ascii.length);
                int flags = IFF_TAP | IFF_NO_PI | IFF_TUN_EXCL | (offloads ? IFF_VNET_HDR : 0);
                ifreq.set(JAVA_SHORT, IFR_UNION, (short) flags);
                if ((int) IOCTL.invokeExact(capture, fd, TUNSETIFF, ifreq) < 0) {
                    int errno = Errno.of(capture);
                    String hint = switch (errno) {
                        case EBUSY -> "an interface named '" + name + "' already exists";
                        case EPERM, EACCES -> "creating a TAP interface needs root (CAP_NET_ADMIN)";
                        case EINVAL -> "the kernel refused the name '" + name + "' or the TAP flags";
                        default -> null;
                    };
                    throw new ErrnoException(hint, "ioctl(TUNSETIFF, " + name + ")", errno);
                }
                String actual = ifreq.getString(0, StandardCharsets.US_ASCII);
                tap = new Tap(fd, actual, offloads);
                if (offloads) {
                    MemorySegment size = scratch.allocate(JAVA_INT);
                    size.set(JAVA_INT, 0, VNET_HDR_SIZE);
                    if ((int) IOCTL.invokeExact(capture, fd, TUNSETVNETHDRSZ, size) < 0)
                        throw new ErrnoException("ioctl(TUNSETVNETHDRSZ, " + actual + ")", Errno.of(capture));
                    if ((int) IOCTL_VALUE.invokeExact(capture, fd, TUNSETOFFLOAD, (long) TUN_OFFLOADS) < 0)
                        throw new ErrnoException("ioctl(TUNSETOFFLOAD, " + actual + ")", Errno.of(capture));
                }
                return tap;
            } catch (IOException | RuntimeException e) {
                if (tap != null) tap.close();
                else closeFd(fd);
                throw e;
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("tun downcall", t);
        }
    }

    /** The interface's name as the kernel gave it. */
    public String name() { return name; }

    /** Whether frames carry a virtio-net header ({@link #VNET_HDR_SIZE} bytes in front). */
    public boolean vnetHeader() { return vnetHeader; }

    public int fd() { return fd; }

    /** Sets the interface's MAC address (the kernel refuses while the interface is up). */
    public void setHardwareAddress(MacAddress mac) throws IOException {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment ifreq = scratch.allocate(IFREQ_SIZE);
            byte[] ascii = name.getBytes(StandardCharsets.US_ASCII);
            MemorySegment.copy(ascii, 0, ifreq, JAVA_BYTE, 0, ascii.length);
            ifreq.set(JAVA_SHORT, IFR_UNION, ARPHRD_ETHER);
            MemorySegment.copy(mac.toBytes(), 0, ifreq, JAVA_BYTE, IFR_UNION + 2, 6);
            MemorySegment capture = Errno.captureSegment(scratch);
            if ((int) IOCTL.invokeExact(capture, fd, SIOCSIFHWADDR, ifreq) < 0)
                throw new ErrnoException("ioctl(SIOCSIFHWADDR, " + name + ", " + mac + ")", Errno.of(capture));
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("ioctl downcall", t);
        }
    }

    /** Sets the carrier (the kernel's "LOWER_UP"): the TAP shows the NIC's link state. */
    public void setCarrier(boolean up) throws IOException {
        synchronized (controlErrno) {
            try (Arena scratch = Arena.ofConfined()) {
                MemorySegment v = scratch.allocate(JAVA_INT);
                v.set(JAVA_INT, 0, up ? 1 : 0);
                if ((int) IOCTL.invokeExact(controlErrno, fd, TUNSETCARRIER, v) < 0)
                    throw new ErrnoException("ioctl(TUNSETCARRIER, " + name + ", " + (up ? "on" : "off") + ")", Errno.of(controlErrno));
            } catch (IOException | RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new AssertionError("ioctl downcall", t);
            }
        }
    }

    /**
     * Waits up to {@code timeoutMillis} until a frame can be read or {@code wakeup} is signalled.
     * Returns true when the TAP is readable.
     */
    public boolean awaitReadable(EventFd wakeup, int timeoutMillis) throws IOException {
        pollFds.set(JAVA_INT, 8, wakeup.fd());
        pollFds.set(JAVA_SHORT, 6, (short) 0);
        pollFds.set(JAVA_SHORT, 14, (short) 0);
        int rc;
        try {
            rc = (int) POLL.invokeExact(readErrno, pollFds, 2L, timeoutMillis);
        } catch (Throwable t) {
            throw new AssertionError("poll downcall", t);
        }
        if (rc < 0) {
            int errno = Errno.of(readErrno);
            if (errno == Errno.EINTR) return false;
            throw new ErrnoException("poll(" + name + ")", errno);
        }
        short revents = pollFds.get(JAVA_SHORT, 6);
        if ((revents & ~POLLIN) != 0) throw new IOException("poll(" + name + "): the TAP reports an error (revents 0x" + Integer.toHexString(revents) + ")");
        return (revents & POLLIN) != 0;
    }

    /** The buffer {@link #read()} fills; a frame starts at offset 0 (at the vnet header when there is one). */
    public MemorySegment readBuffer() { return readBuffer; }

    /** Reads one frame into {@link #readBuffer()}; returns its length, or 0 when none is waiting. */
    public int read() throws IOException {
        long n;
        try {
            n = (long) READ.invokeExact(readErrno, fd, readBuffer, (long) MAX_READ);
        } catch (Throwable t) {
            throw new AssertionError("read downcall", t);
        }
        if (n >= 0) return (int) n;
        int errno = Errno.of(readErrno);
        if (errno == EAGAIN || errno == Errno.EINTR) return 0;
        throw new ErrnoException("read(" + name + ")", errno);
    }

    /**
     * Writes one frame from native memory (with its vnet header in front when enabled). Returns
     * false when the kernel dropped it (EAGAIN, EIO while the interface is down).
     */
    public boolean write(MemorySegment frame, long length) throws IOException {
        long n;
        try {
            n = (long) WRITE.invokeExact(writeErrno, fd, frame, length);
        } catch (Throwable t) {
            throw new AssertionError("write downcall", t);
        }
        if (n == length) return true;
        if (n >= 0) throw new IOException("write(" + name + "): " + n + " of " + length + " bytes written");
        int errno = Errno.of(writeErrno);
        if (errno == EAGAIN || errno == EIO || errno == Errno.EINTR) return false;
        throw new ErrnoException("write(" + name + ")", errno);
    }

    /** Closes the descriptor; the kernel removes the interface. The reading and writing threads must have stopped. */
    @Override public void close() {
        if (closed) return;
        closed = true;
        closeFd(fd);
        arena.close();
    }

    private static void closeFd(int fd) {
        try (Arena scratch = Arena.ofConfined()) {
            int ignored = (int) CLOSE.invokeExact(Errno.captureSegment(scratch), fd);
        } catch (Throwable t) {
            throw new AssertionError("close downcall", t);
        }
    }
}
