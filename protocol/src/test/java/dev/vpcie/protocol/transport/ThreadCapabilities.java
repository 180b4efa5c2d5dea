package dev.vpcie.protocol.transport;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.Callable;

/**
 * Test tool: runs code on a fresh platform thread with one capability removed from its
 * effective set (capabilities are per thread on Linux), so a root test run can see what an
 * unprivileged user would.
 */
public final class ThreadCapabilities {
    private ThreadCapabilities() {}

    public static final int CAP_NET_RAW = 13, CAP_SYS_ADMIN = 21;
    private static final int VERSION_3 = 0x20080522;

    private static final MethodHandle CAPGET = Errno.downcall("capget", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle CAPSET = Errno.downcall("capset", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));

    /** Runs {@code task} on a new thread without {@code capability}; returns what it threw, or null. */
    public static Throwable withoutCapability(int capability, Callable<?> task) throws InterruptedException {
        Throwable[] thrown = new Throwable[1];
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                dropEffective(capability);
                task.call();
            } catch (Throwable e) {
                thrown[0] = e;
            }
        });
        t.join();
        return thrown[0];
    }

    private static void dropEffective(int capability) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = Errno.captureSegment(arena);
            MemorySegment header = arena.allocate(8, 4);
            header.set(JAVA_INT, 0, VERSION_3);
            header.set(JAVA_INT, 4, 0);
            MemorySegment data = arena.allocate(24, 4);
            if ((int) CAPGET.invokeExact(capture, header, data) < 0) throw new ErrnoException("capget", Errno.of(capture));
            int word = capability / 32, bit = 1 << (capability % 32);
            data.set(JAVA_INT, 12L * word, data.get(JAVA_INT, 12L * word) & ~bit);
            if ((int) CAPSET.invokeExact(capture, header, data) < 0) throw new ErrnoException("capset", Errno.of(capture));
        } catch (IOException e) {
            throw new AssertionError("could not drop capability " + capability, e);
        }
    }
}
