package dev.vpcie.vrc.mpqemu;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.protocol.transport.ErrnoException;
import dev.vpcie.protocol.transport.EventFd;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The native facilities the bridge stands on: sockets with descriptors, shared memory, irqfds, spawning. */
class NativeFacilitiesTest {

    @Test void socketPairCarriesBytesBothWays() throws Exception {
        UnixSocket[] p = UnixSocket.pair();
        try {
            p[0].send("hello".getBytes(StandardCharsets.US_ASCII));
            byte[] got = new byte[5];
            assertTrue(p[1].receiveFully(got, 0, 5));
            assertEquals("hello", new String(got, StandardCharsets.US_ASCII));
            byte[] big = new byte[100_000];
            for (int i = 0; i < big.length; i++) big[i] = (byte) (i * 7);
            CompletableFuture<byte[]> back = CompletableFuture.supplyAsync(() -> {
                byte[] b = new byte[big.length];
                try {
                    assertTrue(p[0].receiveFully(b, 0, b.length));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
                return b;
            });
            p[1].send(big);
            assertArrayEquals(big, back.get(10, TimeUnit.SECONDS));
        } finally {
            p[0].close();
            p[1].close();
        }
    }

    @Test void descriptorsTravelAsScmRightsAndReferToTheSameFile() throws Exception {
        UnixSocket[] p = UnixSocket.pair();
        int memfd = SharedMemory.create("test", 8192);
        try (Arena arena = Arena.ofConfined()) {
            p[0].send(new byte[] {42}, 0, 1, memfd, memfd);
            byte[] one = new byte[1];
            UnixSocket.Received r = p[1].receive(one, 0, 1);
            assertEquals(1, r.bytes());
            assertEquals(42, one[0]);
            assertEquals(2, r.fds().length);
            assertFalse(r.controlTruncated());
            assertNotEquals(memfd, r.fds()[0], "the receiver gets its own descriptor numbers");
            MemorySegment mine = SharedMemory.map(memfd, 0, 8192, arena);
            MemorySegment theirs = SharedMemory.map(r.fds()[0], 0, 8192, arena);
            mine.set(JAVA_LONG, 4096, 0x1122_3344_5566_7788L);
            assertEquals(0x1122_3344_5566_7788L, theirs.get(JAVA_LONG, 4096));
            UnixSocket.closeAll(r.fds());
        } finally {
            SharedMemory.close(memfd);
            p[0].close();
            p[1].close();
        }
    }

    @Test void tooManyDescriptorsOrNoBytesAreRefusedBeforeSending() throws Exception {
        UnixSocket[] p = UnixSocket.pair();
        try {
            assertThrows(IllegalArgumentException.class, () -> p[0].send(new byte[1], 0, 1, new int[UnixSocket.MAX_FDS + 1]));
            assertThrows(IllegalArgumentException.class, () -> p[0].send(new byte[0], 0, 0, 0));
        } finally {
            p[0].close();
            p[1].close();
        }
    }

    @Test void peerCloseAndShutdownEndTheStream() throws Exception {
        UnixSocket[] p = UnixSocket.pair();
        CompletableFuture<Boolean> blocked = CompletableFuture.supplyAsync(() -> {
            try {
                return p[1].receive(new byte[4], 0, 4).endOfStream();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        p[1].shutdown();
        assertTrue(blocked.get(10, TimeUnit.SECONDS), "shutdown wakes a blocked receiver with end of stream");
        p[0].close();
        p[1].close();

        UnixSocket[] q = UnixSocket.pair();
        q[0].close();
        assertFalse(q[1].receiveFully(new byte[4], 0, 4));
        ErrnoException e = assertThrows(ErrnoException.class, () -> q[1].send(new byte[1]));
        assertTrue(e.getMessage().startsWith("sendmsg(AF_UNIX)"), e.getMessage());
        q[1].close();
    }

    @Test void mappingsStartAtAnyOffsetAndEndWithTheirArena() throws Exception {
        int memfd = SharedMemory.create("offsets", 3 * 4096);
        try {
            Arena a = Arena.ofShared();
            MemorySegment whole = SharedMemory.map(memfd, 0, 3 * 4096, a);
            MemorySegment tail = SharedMemory.map(memfd, 4096 + 104, 200, a);
            assertEquals(200, tail.byteSize());
            whole.set(JAVA_LONG, 4096 + 104, 77L);
            assertEquals(77L, tail.get(JAVA_LONG, 0));
            a.close();
            assertThrows(IllegalStateException.class, () -> tail.get(JAVA_LONG, 0));
        } finally {
            SharedMemory.close(memfd);
        }
        ErrnoException e = assertThrows(ErrnoException.class, () -> SharedMemory.map(-1, 0, 4096, Arena.global()));
        assertTrue(e.getMessage().startsWith("mmap("), e.getMessage());
    }

    @Test void irqFdRaisesTheLineAndHearsResamples() throws Exception {
        try (EventFd line = EventFd.open(); EventFd resample = EventFd.open()) {
            UnixSocket[] p = UnixSocket.pair();
            p[0].send(new byte[1], 0, 1, line.fd(), resample.fd());
            UnixSocket.Received r = p[1].receive(new byte[1], 0, 1);
            IrqFd irq = new IrqFd(r.fds()[0], r.fds()[1]);
            assertFalse(line.drain());
            irq.trigger();
            assertTrue(line.drain(), "a write to the irqfd signals the eventfd QEMU gave");
            assertFalse(irq.pollResample(), "no resample yet: the call does not wait");
            resample.signal();
            assertTrue(irq.pollResample(), "the resamplefd signalled: the guest ended the interrupt");
            assertFalse(irq.pollResample(), "the resample was consumed");
            irq.close();
            irq.trigger(); // after close: nothing, no exception
            p[0].close();
            p[1].close();
        }
    }

    @Test void spawnedChildGetsTheGivenDescriptorsAtThreeAndNothingElse() throws Exception {
        UnixSocket[] chan = UnixSocket.pair(), out = UnixSocket.pair();
        try {
            ChildProcess child = ChildProcess.spawn(List.of("sh", "-c", "echo through-3 >&3; ls /proc/self/fd; exit 7"),
                    Map.of("PATH", System.getenv("PATH")), List.of(chan[1].fd()), out[1].fd(), ChildProcess.Stdin.DEV_NULL);
            assertEquals(7, child.waitFor());
            assertTrue(child.exited());
            chan[1].close();
            out[1].close();
            assertEquals("through-3\n", readAll(chan[0]));
            List<String> fds = readAll(out[0]).lines().toList();
            // 0, 1, 2, 3 and the directory ls itself opened to list them.
            assertEquals(5, fds.size(), "descriptors open in the child: " + fds);
            assertTrue(fds.containsAll(List.of("0", "1", "2", "3")), fds.toString());
        } finally {
            chan[0].close();
            out[0].close();
        }
    }

    @Test void childStopsOnTerminateWithTheSignalInItsStatus() throws Exception {
        ChildProcess child = ChildProcess.spawn(List.of("sleep", "60"), Map.of("PATH", System.getenv("PATH")), List.of(), -1,
                ChildProcess.Stdin.DEV_NULL);
        child.terminate();
        assertEquals(128 + 15, child.waitFor());
        child.terminate(); // reaped: nothing happens
        ErrnoException e = assertThrows(ErrnoException.class, () -> ChildProcess.spawn(List.of("/nonexistent/program"), Map.of(),
                List.of(), -1, ChildProcess.Stdin.DEV_NULL));
        assertTrue(e.getMessage().startsWith("posix_spawnp(/nonexistent/program): ENOENT"), e.getMessage());
    }

    private static String readAll(UnixSocket s) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        while (true) {
            UnixSocket.Received r = s.receive(buf, 0, buf.length);
            if (r.endOfStream()) return b.toString(StandardCharsets.UTF_8);
            b.write(buf, 0, r.bytes());
        }
    }
}
