package dev.vpcie.protocol.transport;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * How the native facility classes reach libc: downcall handles that capture {@code errno}, and
 * the errno values' names. Not a facility itself; each facility class owns its handles.
 */
public final class Errno {
    private Errno() {}

    public static final int EPERM = 1, ENOENT = 2, EINTR = 4, EBADF = 9, EAGAIN = 11, EACCES = 13,
            ENODEV = 19, EINVAL = 22, EMSGSIZE = 90, ENOBUFS = 105, ENETDOWN = 100, ENXIO = 6,
            ENETUNREACH = 101, ECONNREFUSED = 111, EHOSTDOWN = 112, EHOSTUNREACH = 113;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    /** A downcall handle for the libc function {@code name}; its first argument is the capture segment. */
    public static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... more) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsupportedOperationException("libc has no function " + name + " (vpcie needs Linux with glibc)"));
        Linker.Option[] options = new Linker.Option[more.length + 1];
        options[0] = CAPTURE_ERRNO;
        System.arraycopy(more, 0, options, 1, more.length);
        return LINKER.downcallHandle(symbol, descriptor, options);
    }

    /** A segment that receives errno after a call made through a {@link #downcall} handle. */
    public static MemorySegment captureSegment(SegmentAllocator allocator) {
        return allocator.allocate(CAPTURE_LAYOUT);
    }

    /** The errno a failed call left in {@code capture}. */
    public static int of(MemorySegment capture) {
        return (int) ERRNO.get(capture, 0L);
    }

    private static final String[][] TABLE = new String[134][];
    static {
        entry(1, "EPERM", "Operation not permitted");
        entry(2, "ENOENT", "No such file or directory");
        entry(3, "ESRCH", "No such process");
        entry(4, "EINTR", "Interrupted system call");
        entry(5, "EIO", "Input/output error");
        entry(6, "ENXIO", "No such device or address");
        entry(9, "EBADF", "Bad file descriptor");
        entry(11, "EAGAIN", "Resource temporarily unavailable");
        entry(12, "ENOMEM", "Cannot allocate memory");
        entry(13, "EACCES", "Permission denied");
        entry(14, "EFAULT", "Bad address");
        entry(16, "EBUSY", "Device or resource busy");
        entry(17, "EEXIST", "File exists");
        entry(19, "ENODEV", "No such device");
        entry(22, "EINVAL", "Invalid argument");
        entry(23, "ENFILE", "Too many open files in system");
        entry(24, "EMFILE", "Too many open files");
        entry(25, "ENOTTY", "Inappropriate ioctl for device");
        entry(28, "ENOSPC", "No space left on device");
        entry(38, "ENOSYS", "Function not implemented");
        entry(88, "ENOTSOCK", "Socket operation on non-socket");
        entry(90, "EMSGSIZE", "Message too long");
        entry(92, "ENOPROTOOPT", "Protocol not available");
        entry(93, "EPROTONOSUPPORT", "Protocol not supported");
        entry(95, "EOPNOTSUPP", "Operation not supported");
        entry(97, "EAFNOSUPPORT", "Address family not supported by protocol");
        entry(98, "EADDRINUSE", "Address already in use");
        entry(99, "EADDRNOTAVAIL", "Cannot assign requested address");
        entry(100, "ENETDOWN", "Network is down");
        entry(101, "ENETUNREACH", "Network is unreachable");
        entry(105, "ENOBUFS", "No buffer space available");
        entry(110, "ETIMEDOUT", "Connection timed out");
        entry(111, "ECONNREFUSED", "Connection refused");
        entry(112, "EHOSTDOWN", "Host is down");
        entry(113, "EHOSTUNREACH", "No route to host");
    }

    private static void entry(int errno, String name, String description) {
        TABLE[errno] = new String[] {name, description};
    }

    public static String name(int errno) {
        return errno > 0 && errno < TABLE.length && TABLE[errno] != null ? TABLE[errno][0] : "errno " + errno;
    }

    public static String description(int errno) {
        return errno > 0 && errno < TABLE.length && TABLE[errno] != null ? TABLE[errno][1] : "unknown error";
    }
}
