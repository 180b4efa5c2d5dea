package dev.vpcie.vrc.tap;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.vpcie.protocol.transport.Errno;
import dev.vpcie.protocol.transport.ErrnoException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;

/**
 * Interface configuration ioctls on a throw-away datagram socket (netdevice(7)): read and set
 * the flags (administratively up) and the MTU. They act in the network namespace of the calling
 * thread.
 */
public final class InterfaceControl {
    private InterfaceControl() {}

    private static final int AF_INET = 2, SOCK_DGRAM = 2, SOCK_CLOEXEC = 0x80000;
    private static final long SIOCGIFFLAGS = 0x8913, SIOCSIFFLAGS = 0x8914, SIOCSIFMTU = 0x8922;
    private static final short IFF_UP = 0x1;
    private static final int IFREQ_SIZE = 40, IFR_UNION = 16;

    private static final MethodHandle SOCKET = Errno.downcall("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle IOCTL = Errno.downcall("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = Errno.downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    /** Sets or clears IFF_UP, keeping the other flags. */
    public static void setUp(String name, boolean up) throws IOException {
        withIfreq(name, (fd, ifreq, capture) -> {
            ioctl(fd, SIOCGIFFLAGS, ifreq, capture, "SIOCGIFFLAGS", name);
            short flags = ifreq.get(JAVA_SHORT, IFR_UNION);
            ifreq.set(JAVA_SHORT, IFR_UNION, (short) (up ? flags | IFF_UP : flags & ~IFF_UP));
            ioctl(fd, SIOCSIFFLAGS, ifreq, capture, "SIOCSIFFLAGS", name);
        });
    }

    /** Whether IFF_UP is set. */
    public static boolean isUp(String name) throws IOException {
        boolean[] up = new boolean[1];
        withIfreq(name, (fd, ifreq, capture) -> {
            ioctl(fd, SIOCGIFFLAGS, ifreq, capture, "SIOCGIFFLAGS", name);
            up[0] = (ifreq.get(JAVA_SHORT, IFR_UNION) & IFF_UP) != 0;
        });
        return up[0];
    }

    public static void setMtu(String name, int mtu) throws IOException {
        withIfreq(name, (fd, ifreq, capture) -> {
            ifreq.set(JAVA_INT, IFR_UNION, mtu);
            ioctl(fd, SIOCSIFMTU, ifreq, capture, "SIOCSIFMTU " + mtu, name);
        });
    }

    @FunctionalInterface
    private interface Action {
        void run(int fd, MemorySegment ifreq, MemorySegment capture) throws Throwable;
    }

    private static void withIfreq(String name, Action action) throws IOException {
        byte[] ascii = name.getBytes(StandardCharsets.US_ASCII);
        if (ascii.length == 0 || ascii.length > 15) throw new IllegalArgumentException("not an interface name: '" + name + "'");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = Errno.captureSegment(arena);
            int fd = (int) SOCKET.invokeExact(capture, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            if (fd < 0) throw new ErrnoException("socket(AF_INET, SOCK_DGRAM) for interface ioctls", Errno.of(capture));
            try {
                MemorySegment ifreq = arena.allocate(IFREQ_SIZE);
                MemorySegment.copy(ascii, 0, ifreq, JAVA_BYTE, 0, ascii.length);
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

    private static void ioctl(int fd, long request, MemorySegment ifreq, MemorySegment capture, String call, String name) throws Throwable {
        if ((int) IOCTL.invokeExact(capture, fd, request, ifreq) < 0) {
            int errno = Errno.of(capture);
            String hint = errno == Errno.EPERM || errno == Errno.EACCES ? "changing an interface needs root (CAP_NET_ADMIN)"
                    : errno == Errno.ENODEV ? "no interface '" + name + "' in this network namespace" : null;
            throw new ErrnoException(hint, "ioctl(" + call + ", " + name + ")", errno);
        }
    }
}
