package dev.vpcie.testsupport.netns;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * setns(2) for network namespaces through the FFM API: moves the calling OS thread (and only
 * it) into the namespace a file such as {@code /var/run/netns/NAME} refers to. Sockets created
 * afterwards by that thread belong to that namespace for their whole life.
 *
 * <p>It reaches libc by itself rather than through the protocol's {@code Errno}: test-support
 * depends on no other module, so that the protocol's own tests can use it.
 */
final class SetNs {
    private SetNs() {}

    private static final int O_RDONLY = 0, O_CLOEXEC = 0x80000, CLONE_NEWNET = 0x40000000, EPERM = 1;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private static final MethodHandle OPEN = downcall("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SETNS = downcall("setns", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle STRERROR = LINKER.downcallHandle(
            LINKER.defaultLookup().find("strerror").orElseThrow(), FunctionDescriptor.of(ADDRESS, JAVA_INT));

    /** Opens a namespace file; the descriptor must be given to {@link #close}. */
    static int open(String path) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(CAPTURE);
            int fd = (int) OPEN.invokeExact(capture, arena.allocateFrom(path), O_RDONLY | O_CLOEXEC);
            if (fd < 0) throw failure(null, "open(" + path + ")", capture);
            return fd;
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("open downcall", t);
        }
    }

    /** Moves the calling thread into the network namespace {@code fd} refers to. */
    static void enter(int fd, String what) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(CAPTURE);
            int rc = (int) SETNS.invokeExact(capture, fd, CLONE_NEWNET);
            if (rc < 0) throw failure("entering a network namespace needs root (CAP_SYS_ADMIN)", "setns(" + what + ", CLONE_NEWNET)", capture);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("setns downcall", t);
        }
    }

    static void close(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            int ignored = (int) CLOSE.invokeExact(arena.allocate(CAPTURE), fd);
        } catch (Throwable t) {
            throw new AssertionError("close downcall", t);
        }
    }

    /** The call, errno and its text; {@code permissionHint} opens the message when errno is EPERM. */
    private static IOException failure(String permissionHint, String call, MemorySegment capture) throws Throwable {
        int errno = (int) ERRNO.get(capture, 0L);
        String text = ((MemorySegment) STRERROR.invokeExact(errno)).reinterpret(256).getString(0);
        String hint = errno == EPERM && permissionHint != null ? permissionHint + ": " : "";
        return new IOException(hint + call + ": errno " + errno + " (" + text + ")");
    }

    private static MethodHandle downcall(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), descriptor, Linker.Option.captureCallState("errno"));
    }
}
