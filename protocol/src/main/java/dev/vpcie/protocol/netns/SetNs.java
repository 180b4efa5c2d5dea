package dev.vpcie.protocol.netns;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.vpcie.protocol.transport.Errno;
import dev.vpcie.protocol.transport.ErrnoException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * setns(2) for network namespaces through the FFM API: moves the calling OS thread (and only
 * it) into the namespace a file such as {@code /var/run/netns/NAME} refers to. Sockets created
 * afterwards by that thread belong to that namespace for their whole life.
 */
final class SetNs {
    private SetNs() {}

    private static final int O_RDONLY = 0, O_CLOEXEC = 0x80000, CLONE_NEWNET = 0x40000000;

    private static final MethodHandle OPEN = Errno.downcall("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SETNS = Errno.downcall("setns", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle CLOSE = Errno.downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    /** Opens a namespace file; the descriptor must be given to {@link #close}. */
    static int open(String path) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = Errno.captureSegment(arena);
            int fd = (int) OPEN.invokeExact(capture, arena.allocateFrom(path), O_RDONLY | O_CLOEXEC);
            if (fd < 0) throw new ErrnoException("open(" + path + ")", Errno.of(capture));
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
            MemorySegment capture = Errno.captureSegment(arena);
            int rc = (int) SETNS.invokeExact(capture, fd, CLONE_NEWNET);
            if (rc < 0) {
                int errno = Errno.of(capture);
                throw new ErrnoException(errno == Errno.EPERM ? "entering a network namespace needs root (CAP_SYS_ADMIN)" : null,
                        "setns(" + what + ", CLONE_NEWNET)", errno);
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("setns downcall", t);
        }
    }

    static void close(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            int ignored = (int) CLOSE.invokeExact(Errno.captureSegment(arena), fd);
        } catch (Throwable t) {
            throw new AssertionError("close downcall", t);
        }
    }
}
