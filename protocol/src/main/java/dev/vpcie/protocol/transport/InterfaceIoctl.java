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
 * The interface ioctls of netdevice(7): SIOCGIFHWADDR, SIOCGIFMTU and SIOCSIFMTU,
 * SIOCGIFFLAGS and SIOCSIFFLAGS, on a throw-away datagram socket (or, for {@link #flags}, a socket
 * the caller holds). Asking a socket rather than reading {@code /sys/class/net} answers for the
 * network namespace of the calling thread, which is what a thread switched into a namespace needs
 * (sysfs shows the namespace it was mounted in). ENODEV is a {@link NetDevice.NoSuchInterfaceException}.
 */
public final class InterfaceIoctl {
    private InterfaceIoctl() {}

    private static final int AF_INET = 2, SOCK_DGRAM = 2, SOCK_CLOEXEC = 0x80000;
    private static final long SIOCGIFHWADDR = 0x8927, SIOCGIFMTU = 0x8921, SIOCSIFMTU = 0x8922,
            SIOCGIFFLAGS = 0x8913, SIOCSIFFLAGS = 0x8914;
    /** ifr_flags bits: administratively up; operationally up (carrier, lower layers up). */
    static final int IFF_UP = 0x1, IFF_RUNNING = 0x40;
    private static final int ARPHRD_ETHER = 1;
    /** struct ifreq: char ifr_name[16], then a 24-byte union. */
    private static final int IFREQ_SIZE = 40, IFR_UNION = 16;

    private static final MethodHandle SOCKET = Errno.downcall("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle IOCTL = Errno.downcall("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = Errno.downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    /** The hardware address and MTU of interface {@code name}, whose index the caller looked up ({@link InterfaceNames#index}). */
    static NetDevice lookup(String name, int index) throws IOException {
        NetDevice[] found = new NetDevice[1];
        withSocket(name, (fd, ifreq, capture) -> {
            ioctl(fd, ifreq, SIOCGIFHWADDR, "SIOCGIFHWADDR", name, capture);
            short family = ifreq.get(JAVA_SHORT, IFR_UNION);
            if (family != ARPHRD_ETHER)
                throw new IOException("interface '" + name + "' is not Ethernet (ARPHRD " + family + "); vpcie needs an Ethernet interface");
            byte[] mac = ifreq.asSlice(IFR_UNION + 2, 6).toArray(JAVA_BYTE);

            ioctl(fd, ifreq, SIOCGIFMTU, "SIOCGIFMTU", name, capture);
            found[0] = new NetDevice(name, index, MacAddress.of(mac, 0), ifreq.get(JAVA_INT, IFR_UNION));
        });
        return found[0];
    }

    /**
     * The flags of interface {@code name} (IFF_UP, IFF_RUNNING, ...) asked through socket
     * {@code fd}: the kernel answers for the socket's network namespace, whatever thread asks.
     */
    static int flags(int fd, String name) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = Errno.captureSegment(arena);
            MemorySegment ifreq = ifreq(arena, name);
            ioctl(fd, ifreq, SIOCGIFFLAGS, "SIOCGIFFLAGS", name, capture);
            return ifreq.get(JAVA_SHORT, IFR_UNION) & 0xFFFF;
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("ioctl downcall", t);
        }
    }

    /** Sets or clears IFF_UP on {@code name}, keeping the other flags (needs CAP_NET_ADMIN). */
    public static void setUp(String name, boolean up) throws IOException {
        withSocket(name, (fd, ifreq, capture) -> {
            ioctl(fd, ifreq, SIOCGIFFLAGS, "SIOCGIFFLAGS", name, capture);
            short flags = ifreq.get(JAVA_SHORT, IFR_UNION);
            ifreq.set(JAVA_SHORT, IFR_UNION, (short) (up ? flags | IFF_UP : flags & ~IFF_UP));
            ioctl(fd, ifreq, SIOCSIFFLAGS, "SIOCSIFFLAGS", name, capture);
        });
    }

    /** Whether IFF_UP (administratively up) is set on {@code name}. */
    public static boolean isUp(String name) throws IOException {
        boolean[] up = new boolean[1];
        withSocket(name, (fd, ifreq, capture) -> {
            ioctl(fd, ifreq, SIOCGIFFLAGS, "SIOCGIFFLAGS", name, capture);
            up[0] = (ifreq.get(JAVA_SHORT, IFR_UNION) & IFF_UP) != 0;
        });
        return up[0];
    }

    /** Sets the MTU of {@code name} (needs CAP_NET_ADMIN). */
    public static void setMtu(String name, int mtu) throws IOException {
        withSocket(name, (fd, ifreq, capture) -> {
            ifreq.set(JAVA_INT, IFR_UNION, mtu);
            ioctl(fd, ifreq, SIOCSIFMTU, "SIOCSIFMTU " + mtu, name, capture);
        });
    }

    @FunctionalInterface
    private interface Action {
        void run(int fd, MemorySegment ifreq, MemorySegment capture) throws Throwable;
    }

    /** Runs {@code action} with a fresh datagram socket and an ifreq holding {@code name}. */
    private static void withSocket(String name, Action action) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ifreq = ifreq(arena, name);
            MemorySegment capture = Errno.captureSegment(arena);
            int fd = (int) SOCKET.invokeExact(capture, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            if (fd < 0) throw new ErrnoException("socket(AF_INET, SOCK_DGRAM) for interface ioctls", Errno.of(capture));
            try {
                action.run(fd, ifreq, capture);
            } finally {
                int ignored = (int) CLOSE.invokeExact(capture, fd);
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("ioctl downcall", t);
        }
    }

    private static MemorySegment ifreq(Arena arena, String name) {
        byte[] ascii = name.getBytes(StandardCharsets.US_ASCII);
        if (ascii.length == 0 || ascii.length > NetDevice.MAX_NAME) throw new IllegalArgumentException("not an interface name: '" + name + "'");
        MemorySegment ifreq = arena.allocate(IFREQ_SIZE);
        MemorySegment.copy(ascii, 0, ifreq, JAVA_BYTE, 0, ascii.length);
        return ifreq;
    }

    /** One ioctl on {@code ifreq}; the name stays, the union holds the answer. */
    private static void ioctl(int fd, MemorySegment ifreq, long request, String call, String ifName, MemorySegment capture) throws Throwable {
        if ((int) IOCTL.invokeExact(capture, fd, request, ifreq) >= 0) return;
        int errno = Errno.of(capture);
        if (errno == Errno.ENODEV) throw new NetDevice.NoSuchInterfaceException(ifName);
        String hint = errno == Errno.EPERM || errno == Errno.EACCES ? "changing an interface needs root (CAP_NET_ADMIN)" : null;
        throw new ErrnoException(hint, "ioctl(" + call + ", '" + ifName + "')", errno);
    }
}
