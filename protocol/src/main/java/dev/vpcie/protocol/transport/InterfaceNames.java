package dev.vpcie.protocol.transport;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * Interface names and indexes as the kernel knows them, from libc's {@code if_nametoindex(3)}
 * and {@code if_nameindex(3)} (both ask the kernel, through a socket and netlink, for the
 * network namespace of the calling thread). Unlike {@code java.net.NetworkInterface}, which lists
 * only interfaces with an address, these see every interface: a dedicated interconnect port has
 * none, and with IPv6 disabled not even a link-local one.
 */
public final class InterfaceNames {
    private InterfaceNames() {}

    private static final MethodHandle IF_NAMETOINDEX = Errno.downcall("if_nametoindex", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle IF_NAMEINDEX = Errno.downcall("if_nameindex", FunctionDescriptor.of(ADDRESS));
    private static final MethodHandle IF_FREENAMEINDEX = Errno.downcall("if_freenameindex", FunctionDescriptor.ofVoid(ADDRESS));
    /** struct if_nameindex: unsigned int if_index, (padding), char *if_name. */
    private static final long ENTRY_SIZE = 16, NAME_OFFSET = 8;
    /** More interfaces than any namespace has: a bound on the walk of the array libc returns. */
    private static final int MAX_INTERFACES = 1 << 16;

    /**
     * The index of interface {@code name} in the calling thread's network namespace.
     *
     * @throws NetDevice.NoSuchInterfaceException when there is none
     */
    public static int index(String name) throws IOException {
        NetDevice.checkName(name);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = Errno.captureSegment(arena);
            int index = (int) IF_NAMETOINDEX.invokeExact(capture, arena.allocateFrom(name));
            if (index != 0) return index;
            int errno = Errno.of(capture);
            if (errno == Errno.ENODEV || errno == Errno.ENXIO) throw new NetDevice.NoSuchInterfaceException(name);
            throw new ErrnoException(null, "if_nametoindex('" + name + "')", errno);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("if_nametoindex downcall", t);
        }
    }

    /** Every interface name in the calling thread's network namespace, in index order. */
    public static List<String> names() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = Errno.captureSegment(arena);
            MemorySegment array = (MemorySegment) IF_NAMEINDEX.invokeExact(capture);
            if (array.equals(MemorySegment.NULL)) throw new ErrnoException(null, "if_nameindex()", Errno.of(capture));
            try {
                MemorySegment entries = array.reinterpret(ENTRY_SIZE * MAX_INTERFACES);
                List<String> names = new ArrayList<>();
                for (long at = 0; at < entries.byteSize(); at += ENTRY_SIZE) {
                    if (entries.get(JAVA_INT, at) == 0) break; // the terminating entry
                    names.add(entries.get(ADDRESS, at + NAME_OFFSET).reinterpret(NetDevice.MAX_NAME + 1).getString(0));
                }
                return names;
            } finally {
                IF_FREENAMEINDEX.invokeExact(capture, array);
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("if_nameindex downcall", t);
        }
    }
}
