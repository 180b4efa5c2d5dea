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
 * The interface ioctls (SIOCGIFINDEX, SIOCGIFHWADDR, SIOCGIFMTU on a throw-away datagram socket;
 * SIOCGIFFLAGS on a socket the caller holds).
 * Asking a socket rather than reading {@code /sys/class/net} answers for the network namespace of
 * the calling thread, which is what a thread switched into a namespace needs (sysfs shows the
 * namespace it was mounted in).
 */
final class InterfaceIoctl {
    private InterfaceIoctl() {}

    private static final int AF_INET = 2, SOCK_DGRAM = 2, SOCK_CLOEXEC = 0x80000;
    private static final long SIOCGIFINDEX = 0x8933, SIOCGIFHWADDR = 0x8927, SIOCGIFMTU = 0x8921, SIOCGIFFLAGS = 0x8913;
    /** ifr_flags bits: administratively up; operationally up (carrier, lower layers up). */
    static final int IFF_UP = 0x1, IFF_RUNNING = 0x40;
    private static final int ARPHRD_ETHER = 1;
    /** struct ifreq: char ifr_name[16], then a 24-byte union. */
    private static final int IFREQ_SIZE = 40, IFR_UNION = 16;

    private static final MethodHandle SOCKET = Errno.downcall("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle IOCTL = Errno.downcall("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = Errno.downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    static NetDevice lookup(String name) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = Errno.captureSegment(arena);
            int fd = (int) SOCKET.invokeExact(capture, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            if (fd < 0) throw new ErrnoException("socket(AF_INET, SOCK_DGRAM) for interface ioctls", Errno.of(capture));
            try {
                MemorySegment ifreq = arena.allocate(IFREQ_SIZE);
                byte[] ascii = name.getBytes(StandardCharsets.US_ASCII);

                ioctl(fd, ifreq, ascii, SIOCGIFINDEX, "SIOCGIFINDEX", name, capture);
                int index = ifreq.get(JAVA_INT, IFR_UNION);

                ioctl(fd, ifreq, ascii, SIOCGIFHWADDR, "SIOCGIFHWADDR", name, capture);
                short family = ifreq.get(JAVA_SHORT, IFR_UNION);
                if (family != ARPHRD_ETHER)
                    throw new IOException("interface '" + name + "' is not Ethernet (ARPHRD " + family + "); vpcie needs an Ethernet interface");
                byte[] mac = ifreq.asSlice(IFR_UNION + 2, 6).toArray(JAVA_BYTE);

                ioctl(fd, ifreq, ascii, SIOCGIFMTU, "SIOCGIFMTU", name, capture);
                int mtu = ifreq.get(JAVA_INT, IFR_UNION);
                return new NetDevice(name, index, MacAddress.of(mac, 0), mtu);
            } finally {
                int ignored = (int) CLOSE.invokeExact(capture, fd);
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("ioctl downcall", t);
        }
    }

    /**
     * The flags of interface {@code name} (IFF_UP, IFF_RUNNING, ...) asked through socket
     * {@code fd}: the kernel answers for the socket's network namespace, whatever thread asks.
     */
    static int flags(int fd, String name) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = Errno.captureSegment(arena);
            MemorySegment ifreq = arena.allocate(IFREQ_SIZE);
            ioctl(fd, ifreq, name.getBytes(StandardCharsets.US_ASCII), SIOCGIFFLAGS, "SIOCGIFFLAGS", name, capture);
            return ifreq.get(JAVA_SHORT, IFR_UNION) & 0xFFFF;
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("ioctl downcall", t);
        }
    }

    private static void ioctl(int fd, MemorySegment ifreq, byte[] name, long request, String requestName, String ifName,
                              MemorySegment capture) throws Throwable {
        ifreq.fill((byte) 0);
        MemorySegment.copy(name, 0, ifreq, JAVA_BYTE, 0, name.length);
        int rc = (int) IOCTL.invokeExact(capture, fd, request, ifreq);
        if (rc < 0) {
            int errno = Errno.of(capture);
            if (errno == Errno.ENODEV) throw new NetDevice.NoSuchInterfaceException(ifName);
            throw new ErrnoException("ioctl(" + requestName + ", '" + ifName + "')", errno);
        }
    }
}
