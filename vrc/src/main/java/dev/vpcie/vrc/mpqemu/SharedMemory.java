package dev.vpcie.vrc.mpqemu;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.vpcie.protocol.transport.Errno;
import dev.vpcie.protocol.transport.ErrnoException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Memory shared between processes through file descriptors: {@code memfd_create} with
 * {@code ftruncate} (what QEMU's {@code memory-backend-memfd} does; tests use it to play QEMU),
 * and {@code mmap(MAP_SHARED)} of such a descriptor, unmapped when the arena it was mapped into
 * closes.
 */
public final class SharedMemory {
    private SharedMemory() {}

    private static final int MFD_CLOEXEC = 1;
    private static final int PROT_READ = 1, PROT_WRITE = 2, MAP_SHARED = 1;
    private static final long PAGE = 4096;

    private static final MethodHandle MEMFD_CREATE = Errno.downcall("memfd_create", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle FTRUNCATE = Errno.downcall("ftruncate", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MMAP = Errno.downcall("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = Errno.downcall("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle CLOSE = Errno.downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    /** A new anonymous memory file of {@code size} bytes (zero-filled, close-on-exec); the caller closes it. */
    public static int create(String name, long size) throws IOException {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment capture = Errno.captureSegment(scratch);
            int fd = (int) MEMFD_CREATE.invokeExact(capture, scratch.allocateFrom(name), MFD_CLOEXEC);
            if (fd < 0) throw new ErrnoException("memfd_create(" + name + ")", Errno.of(capture));
            int rc = (int) FTRUNCATE.invokeExact(capture, fd, size);
            if (rc < 0) {
                int errno = Errno.of(capture);
                close(fd);
                throw new ErrnoException("ftruncate(memfd, " + size + ")", errno);
            }
            return fd;
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("memfd_create downcall", t);
        }
    }

    /**
     * Maps {@code length} bytes of {@code fd} from {@code offset}, shared and writable. Any
     * offset works: the mapping starts at the page below it. The segment is unmapped when
     * {@code arena} closes; the descriptor may be closed at once.
     */
    public static MemorySegment map(int fd, long offset, long length, Arena arena) throws IOException {
        if (offset < 0 || length <= 0) throw new IllegalArgumentException("bad mapping: offset " + offset + " length " + length);
        long pageOffset = offset & ~(PAGE - 1), skip = offset - pageOffset, total = length + skip;
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment capture = Errno.captureSegment(scratch);
            MemorySegment at = (MemorySegment) MMAP.invokeExact(capture, MemorySegment.NULL, total, PROT_READ | PROT_WRITE, MAP_SHARED,
                    fd, pageOffset);
            if (at.address() == -1L) throw new ErrnoException("mmap(fd " + fd + ", offset " + offset + ", " + length + " bytes)", Errno.of(capture));
            long base = at.address();
            MemorySegment whole = at.reinterpret(total, arena, s -> unmap(base, total));
            return whole.asSlice(skip, length);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("mmap downcall", t);
        }
    }

    private static void unmap(long address, long length) {
        try (Arena scratch = Arena.ofConfined()) {
            int ignored = (int) MUNMAP.invokeExact(Errno.captureSegment(scratch), MemorySegment.ofAddress(address), length);
        } catch (Throwable t) {
            throw new AssertionError("munmap downcall", t);
        }
    }

    /** Closes a memory file descriptor. */
    public static void close(int fd) {
        try (Arena scratch = Arena.ofConfined()) {
            int ignored = (int) CLOSE.invokeExact(Errno.captureSegment(scratch), fd);
        } catch (Throwable t) {
            throw new AssertionError("close downcall", t);
        }
    }
}
