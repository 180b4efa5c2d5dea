package dev.vpcie.protocol.transport;

import static dev.vpcie.protocol.transport.Frames.ETHERTYPE;
import static dev.vpcie.protocol.transport.Frames.frame;
import static dev.vpcie.protocol.transport.Frames.receive;
import static dev.vpcie.protocol.transport.Frames.send;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.testsupport.netns.NetNamespace;
import dev.vpcie.testsupport.netns.VethTestbed;
import dev.vpcie.testsupport.netns.VethTestbedExtension;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What every real-interface transport must do, checked over a veth pair between two network
 * namespaces this class creates (root only; skipped with a message otherwise). Subclasses say
 * how to open their transport on one end.
 */
abstract class VethTransportContract {
    /** A group VLAN tag as the native encapsulation uses it: PCP 5, VLAN ID 0x123 (group 291). */
    static final int GROUP_TCI = 5 << 13 | 0x123;

    @RegisterExtension
    static final VethTestbedExtension testbed = VethTestbedExtension.of("tr", "veth transport tests");
    FrameTransport a, b;

    /** Opens the transport on the veth end {@code interfaceName} inside {@code ns}; {@code ip}/{@code peerIp} are the IPv4 addresses of this end and the other. */
    abstract FrameTransport open(NetNamespace ns, String interfaceName, String ip, String peerIp, int etherType) throws IOException;

    @BeforeEach
    void openBothEnds() throws IOException {
        a = openA(ETHERTYPE);
        b = openB(ETHERTYPE);
    }

    FrameTransport openA(int etherType) throws IOException {
        return open(testbed.a(), testbed.interfaceA(), VethTestbed.ADDRESS_A, VethTestbed.ADDRESS_B, etherType);
    }

    FrameTransport openB(int etherType) throws IOException {
        return open(testbed.b(), testbed.interfaceB(), VethTestbed.ADDRESS_B, VethTestbed.ADDRESS_A, etherType);
    }

    @AfterEach
    void closeBothEnds() {
        if (a != null) a.close();
        if (b != null) b.close();
    }

    @Test
    void carriesUntaggedFramesBothWays() throws IOException {
        for (int length : new int[] {46, 100, 777, a.mtu()}) {
            byte[] ab = frame(b.address(), a.address(), -1, ETHERTYPE, length, 1);
            send(a, ab);
            assertArrayEquals(ab, receive(b), "a -> b, payload " + length);
            byte[] ba = frame(a.address(), b.address(), -1, ETHERTYPE, length, 2);
            send(b, ba);
            assertArrayEquals(ba, receive(a), "b -> a, payload " + length);
        }
    }

    @Test
    void carriesTaggedFramesWithTheTagInLine() throws IOException {
        for (int tci : new int[] {GROUP_TCI, 0x0FFE, 7 << 13 | 1}) {
            for (int length : new int[] {46, a.mtu()}) {
                byte[] ab = frame(b.address(), a.address(), tci, ETHERTYPE, length, 3);
                send(a, ab);
                assertArrayEquals(ab, receive(b), "tagged a -> b, TCI 0x" + Integer.toHexString(tci));
                byte[] ba = frame(a.address(), b.address(), tci, ETHERTYPE, length, 4);
                send(b, ba);
                assertArrayEquals(ba, receive(a), "tagged b -> a, TCI 0x" + Integer.toHexString(tci));
            }
        }
    }

    @Test
    void broadcastFramesArriveButOwnFramesDoNot() throws IOException {
        byte[] own = frame(MacAddress.BROADCAST, a.address(), -1, ETHERTYPE, 60, 5);
        byte[] ownTagged = frame(MacAddress.BROADCAST, a.address(), GROUP_TCI, ETHERTYPE, 60, 6);
        send(a, own);
        send(a, ownTagged);
        assertArrayEquals(own, receive(b));
        assertArrayEquals(ownTagged, receive(b));
        // Had a received its own two frames they would be queued ahead of this one.
        byte[] reply = frame(a.address(), b.address(), -1, ETHERTYPE, 60, 7);
        send(b, reply);
        assertArrayEquals(reply, receive(a));
    }

    @Test
    void otherEtherTypesAndOtherStationsAreFilteredOut() throws IOException {
        MacAddress stranger = MacAddress.parse("02:00:00:00:be:ef");
        send(b, frame(a.address(), b.address(), -1, 0x88B6, 60, 8));
        send(b, frame(a.address(), b.address(), GROUP_TCI, 0x88B6, 60, 9));
        send(b, frame(a.address(), b.address(), -1, 0x0801, 60, 10));
        send(b, frame(stranger, b.address(), -1, ETHERTYPE, 60, 11));
        send(b, frame(stranger, b.address(), GROUP_TCI, ETHERTYPE, 60, 12));
        byte[] wanted = frame(a.address(), b.address(), GROUP_TCI, ETHERTYPE, 60, 13);
        send(b, wanted);
        assertArrayEquals(wanted, receive(a));
    }

    @Test
    void aFrameLongerThanTheBufferIsTruncatedToItsCapacity() throws IOException {
        byte[] f = frame(a.address(), b.address(), -1, ETHERTYPE, 200, 14);
        send(b, f);
        ByteBuffer small = ByteBuffer.allocate(40);
        int n = 0;
        long deadline = System.nanoTime() + Frames.WAIT_NANOS;
        while (n == 0 && System.nanoTime() - deadline < 0) n = a.receive(small, 100_000_000L);
        assertEquals(40, n);
        assertArrayEquals(Arrays.copyOf(f, 40), small.array());
    }

    @Test
    void receiveReturnsZeroWhenTheTimeRunsOut() throws IOException {
        assertEquals(0, a.receive(ByteBuffer.allocate(2000), 0));
        assertEquals(0, a.receive(ByteBuffer.allocate(2000), 5_000_000L));
    }

    @Test
    void wakeupEndsABlockedReceive() throws Exception {
        CompletableFuture<Integer> blocked = new CompletableFuture<>();
        Thread receiver = Thread.ofPlatform().start(() -> {
            try {
                blocked.complete(a.receive(ByteBuffer.allocate(2000), Long.MAX_VALUE));
            } catch (Throwable t) {
                blocked.completeExceptionally(t);
            }
        });
        // The receiver may not be blocked yet when wakeup() first runs; waking again is harmless.
        long deadline = System.nanoTime() + Frames.WAIT_NANOS;
        while (!blocked.isDone() && System.nanoTime() - deadline < 0) {
            a.wakeup();
            receiver.join(java.time.Duration.ofMillis(20));
        }
        assertEquals(0, blocked.get(1, TimeUnit.SECONDS));
    }

    @Test
    void aWakeupWithNoReceiveBlockedEndsTheNextBlockingReceiveButNotAPoll() throws IOException {
        a.wakeup();
        byte[] f = frame(a.address(), b.address(), -1, ETHERTYPE, 60, 16);
        send(b, f);
        ByteBuffer dst = ByteBuffer.allocate(2000);
        int n = 0;
        long deadline = System.nanoTime() + Frames.WAIT_NANOS;
        while (n == 0 && System.nanoTime() - deadline < 0) n = a.receive(dst, 0); // polls deliver frames and keep the wakeup
        assertArrayEquals(f, Arrays.copyOf(dst.array(), n));
        assertEquals(0, assertTimeoutPreemptively(Duration.ofSeconds(10), () -> a.receive(dst, Long.MAX_VALUE)));
    }

    @Test
    void closeEndsABlockedReceiveAndLaterCallsFail() throws Exception {
        CompletableFuture<Integer> blocked = new CompletableFuture<>();
        Thread receiver = Thread.ofPlatform().start(() -> {
            try {
                blocked.complete(a.receive(ByteBuffer.allocate(2000), Long.MAX_VALUE));
            } catch (ClosedChannelException e) {
                blocked.complete(-1);
            } catch (Throwable t) {
                blocked.completeExceptionally(t);
            }
        });
        a.close();
        receiver.join(java.time.Duration.ofSeconds(10));
        int result = blocked.get(1, TimeUnit.SECONDS);
        assertTrue(result == 0 || result == -1, "receive after close returned " + result);
        assertThrows(ClosedChannelException.class, () -> a.receive(ByteBuffer.allocate(100), 0));
        assertThrows(ClosedChannelException.class, () -> send(a, frame(b.address(), a.address(), -1, ETHERTYPE, 60, 15)));
        a.close(); // twice is fine
    }

    @Test
    void survivesTheInterfaceGoingDownAndUpAgain() throws IOException {
        String device = testbed.interfaceA();
        testbed.a().ip("link", "set", device, "down");
        try {
            // A pulled cable: sending loses the frame, receiving finds nothing; neither fails.
            send(a, frame(b.address(), a.address(), -1, ETHERTYPE, 60, 17));
            assertEquals(0, a.receive(ByteBuffer.allocate(2000), 20_000_000L));
        } finally {
            testbed.a().ip("link", "set", device, "up");
        }
        byte[] ab = frame(b.address(), a.address(), -1, ETHERTYPE, 60, 18);
        byte[] ba = frame(a.address(), b.address(), -1, ETHERTYPE, 60, 19);
        // The veth may need a moment to carry frames again; resend until one gets through.
        long deadline = System.nanoTime() + Frames.WAIT_NANOS;
        ByteBuffer dst = ByteBuffer.allocate(2000);
        int n = 0;
        while (n == 0 && System.nanoTime() - deadline < 0) {
            send(b, ba);
            n = a.receive(dst, 50_000_000L);
        }
        assertArrayEquals(ba, Arrays.copyOf(dst.array(), n));
        n = 0;
        while (n == 0 && System.nanoTime() - deadline < 0) {
            send(a, ab);
            n = b.receive(dst, 50_000_000L);
        }
        assertArrayEquals(ab, Arrays.copyOf(dst.array(), n));
    }

    @Test
    void sendRejectsARunt() {
        assertThrows(IllegalArgumentException.class, () -> a.send(ByteBuffer.allocate(13)));
    }

    @Test
    void reportsAddressMtuAndName() {
        assertTrue(a.mtu() >= 1400, "mtu " + a.mtu());
        assertTrue(!a.address().isMulticast() && a.address().bits() != 0, "address " + a.address());
        assertTrue(a.name().contains(":"), a.name());
    }
}
