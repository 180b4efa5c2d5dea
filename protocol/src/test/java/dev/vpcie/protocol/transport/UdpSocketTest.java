package dev.vpcie.protocol.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The native UDP socket, recvmmsg batches and epoll over loopback: two random 127/8 addresses, so parallel runs never collide. */
class UdpSocketTest {
    private InetAddress hostA, hostB;
    private int port;
    private UdpSocket a, b;
    private final MessageBatch batch = new MessageBatch(8, 2048, 0);

    @BeforeEach
    void open() throws IOException {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        int net = r.nextInt(1, 250), host = r.nextInt(1, 120);
        hostA = InetAddress.getByAddress(new byte[] {127, (byte) net, (byte) host, 1});
        hostB = InetAddress.getByAddress(new byte[] {127, (byte) net, (byte) host, 2});
        port = r.nextInt(20_000, 60_000);
        a = open(hostA, port, hostB);
        b = open(hostB, port, hostA);
    }

    /** Bound to {@code local:port}, connected to {@code peer:port} (none when null). */
    private static UdpSocket open(InetAddress local, int port, InetAddress peer) throws IOException {
        return UdpSocket.open(new InetSocketAddress(local, port), peer == null ? null : new InetSocketAddress(peer, port), 1 << 20, 1 << 20);
    }

    @AfterEach
    void close() {
        a.close();
        b.close();
    }

    private static byte[] datagram(int length, int seed) {
        byte[] d = new byte[length];
        for (int i = 0; i < length; i++) d[i] = (byte) (seed * 13 + i);
        return d;
    }

    /** Waits (bounded) until {@code socket} has something to read, through an epoll with one key. */
    private static void awaitReadable(UdpSocket socket) throws IOException {
        try (Epoll epoll = Epoll.open(4, "test")) {
            epoll.add(socket.fd(), 77);
            assertEquals(1, epoll.poll(10_000), "a datagram arrives");
            assertEquals(77, epoll.key(0));
        }
    }

    @Test
    void oneReceiveDrainsEveryQueuedDatagramInOrder() throws IOException {
        for (int i = 0; i < 5; i++) assertTrue(a.send(datagram(100 + i, i), 0, 100 + i));
        awaitReadable(b);
        int got = 0;
        // Loopback queues all five before send returns, so one call normally takes all; the loop bounds it anyway.
        for (int calls = 0; got < 5 && calls < 5; calls++) {
            int n = b.receive(batch, 8);
            for (int i = 0; i < n; i++, got++) {
                byte[] dst = new byte[4096];
                int length = batch.copy(i, dst);
                assertEquals(100 + got, length);
                assertArrayEquals(datagram(100 + got, got), Arrays.copyOf(dst, length));
                assertFalse(batch.truncated(i));
            }
        }
        assertEquals(5, got);
        assertEquals(0, b.receive(batch, 8), "nothing left: 0, not an error");
    }

    @Test
    void aReceiveTakesNoMoreThanAskedAndLeavesTheRestQueued() throws IOException {
        for (int i = 0; i < 3; i++) a.send(datagram(10, i), 0, 10);
        awaitReadable(b);
        assertEquals(2, b.receive(batch, 2));
        awaitReadable(b);
        assertEquals(1, b.receive(batch, 8));
        byte[] dst = new byte[10];
        batch.copy(0, dst);
        assertArrayEquals(datagram(10, 2), dst);
    }

    @Test
    void aDatagramLongerThanItsSlotIsMarkedTruncated() throws IOException {
        a.send(datagram(3000, 1), 0, 3000);
        awaitReadable(b);
        assertEquals(1, b.receive(batch, 8));
        assertTrue(batch.truncated(0));
    }

    @Test
    void theUnconnectedSocketRepliesToWhoeverWrote() throws IOException {
        try (UdpSocket server = open(hostA, port + 1, null);
             UdpSocket client = open(hostB, port + 1, hostA)) {
            client.send(datagram(20, 5), 0, 20);
            awaitReadable(server);
            byte[] dst = new byte[64];
            assertEquals(20, server.receiveFrom(dst));
            assertTrue(server.reply(datagram(30, 6), 30));
            awaitReadable(client);
            assertEquals(1, client.receive(batch, 8));
            assertEquals(30, batch.length(0));
        }
    }

    @Test
    void aBlockingSocketWaitsForTheFirstDatagramAndTakesTheRestWithIt() throws IOException {
        try (UdpSocket waiter = UdpSocket.openBlocking(new InetSocketAddress(hostA, port + 2), new InetSocketAddress(hostB, port + 2),
                1 << 20, 1 << 20, 50);
             UdpSocket sender = open(hostB, port + 2, hostA)) {
            assertEquals(0, waiter.receiveWaiting(batch, 8), "nothing came within the receive timeout");
            for (int i = 0; i < 3; i++) sender.send(datagram(40, i), 0, 40);
            int got = 0;
            for (int calls = 0; got < 3 && calls < 3; calls++) got += waiter.receiveWaiting(batch, 8);
            assertEquals(3, got);
        }
    }

    @Test
    void aPortTakenIsAnErrnoExceptionNamingTheCall() {
        var e = assertThrows(ErrnoException.class, () -> open(hostA, port, hostB));
        assertEquals("EADDRINUSE", e.errnoName());
        assertEquals("bind(UDP " + hostA.getHostAddress() + ":" + port + ")", e.call());
    }

    @Test
    void callsAfterCloseFail() {
        a.close();
        assertThrows(IOException.class, () -> a.send(new byte[4], 0, 4));
        assertThrows(IOException.class, () -> a.receive(batch, 1));
    }
}
