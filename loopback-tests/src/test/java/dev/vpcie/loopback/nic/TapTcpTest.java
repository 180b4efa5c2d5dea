package dev.vpcie.loopback.nic;

import static org.junit.jupiter.api.Assertions.*;

import dev.vpcie.protocol.netns.NetNamespace;
import dev.vpcie.protocol.transport.EventFd;
import dev.vpcie.protocol.transport.Tap;
import dev.vpcie.vrc.nic.NicDriver;
import dev.vpcie.vrc.tap.TapBridge;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Two kernel network stacks joined through the whole VRC path: namespace "host" has the TAP the
 * bridge made for the NIC; the NIC's wire ends in a second TAP in namespace "peer". The system's
 * ping and a TCP transfer (with the kernel's TSO and checksum offload handed to the NIC model)
 * cross it. Needs root.
 */
class TapTcpTest {
    private static final int BYTES = 64 << 20;

    @ParameterizedTest @EnumSource(NicRig.Model.class)
    void pingAndTcpThroughTheNic(NicRig.Model model) throws Exception {
        String why = NetNamespace.unavailableReason();
        Assumptions.assumeTrue(why == null, () -> "TAP test skipped: " + why);
        try (NicRig rig = new NicRig(model, 1514); NetNamespace host = NetNamespace.create("nichost");
             NetNamespace peer = NetNamespace.create("nicpeer")) {
            NicDriver d = rig.open(NicRig.options().withWatchdog(java.time.Duration.ofSeconds(2)));
            try (TapBridge bridge = host.call(() -> TapBridge.start(d, "nic0", TapBridge.Options.defaults()));
                 PeerTap wire = peer.call(() -> new PeerTap(rig, "wire0"))) {
                host.ip("addr", "add", "10.9.0.1/24", "dev", "nic0");
                peer.ip("addr", "add", "10.9.0.2/24", "dev", "wire0");
                peer.ip("link", "set", "wire0", "up");
                String ping = host.exec("ping", "-c", "5", "-i", "0.2", "-W", "2", "10.9.0.2");
                assertTrue(ping.contains("5 packets transmitted, 5 received"), ping);

                ServerSocket server = peer.call(() -> new ServerSocket(5001, 1, InetAddress.getByName("10.9.0.2")));
                CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
                    try (server; Socket s = server.accept(); InputStream in = s.getInputStream()) {
                        MessageDigest sha = MessageDigest.getInstance("SHA-256");
                        byte[] buf = new byte[1 << 16];
                        long total = 0;
                        for (int n; (n = in.read(buf)) > 0; total += n) sha.update(buf, 0, n);
                        if (total != BYTES) throw new IllegalStateException("received " + total + " of " + BYTES + " bytes");
                        return sha.digest();
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                MessageDigest sent = MessageDigest.getInstance("SHA-256");
                long t0 = System.nanoTime();
                try (Socket s = host.call(() -> {
                    Socket c = new Socket();
                    c.connect(new InetSocketAddress("10.9.0.2", 5001), 5000);
                    return c;
                }); OutputStream out = s.getOutputStream()) {
                    Random r = new Random(1);
                    byte[] chunk = new byte[1 << 16];
                    for (int i = 0; i < BYTES / chunk.length; i++) {
                        r.nextBytes(chunk);
                        sent.update(chunk);
                        out.write(chunk);
                    }
                }
                assertArrayEquals(sent.digest(), received.get(120, TimeUnit.SECONDS), "64 MiB arrived intact");
                double seconds = (System.nanoTime() - t0) / 1e9;
                System.out.printf("%s: 64 MiB over TCP through the TAP in %.1f s (%.0f Mbit/s), bridge %s, NIC %s%n", model, seconds,
                        BYTES * 8 / seconds / 1e6, bridge.stats(), d.stats());
                assertTrue(d.stats().hardware("TSCTC") > 0 || model != NicRig.Model.E1000, "the kernel's TSO reached the NIC");
            }
        }
    }

    /** The far end of the NIC's cable: a plain TAP in the peer namespace. */
    static final class PeerTap implements AutoCloseable {
        private final Tap tap;
        private final EventFd stop = EventFd.open();
        private final Thread reader;
        private volatile boolean running = true;
        private final MemorySegment out = MemorySegment.ofArray(new byte[0]);

        PeerTap(NicRig rig, String name) throws Exception {
            tap = Tap.create(name, false);
            rig.peer(frame -> {
                synchronized (this) {
                    if (!running) return;
                    try {
                        tap.write(java.lang.foreign.Arena.global().allocateFrom(java.lang.foreign.ValueLayout.JAVA_BYTE, frame), frame.length);
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }
            });
            reader = Thread.ofPlatform().daemon().start(() -> {
                try {
                    while (running) {
                        if (!tap.awaitReadable(stop, 500)) continue;
                        for (int n; (n = tap.read()) > 0; ) {
                            byte[] f = tap.readBuffer().asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
                            rig.wire.endB().send(ByteBuffer.wrap(f));
                        }
                    }
                } catch (Exception e) {
                    if (running) e.printStackTrace();
                }
            });
        }

        @Override public void close() throws Exception {
            running = false;
            stop.signal();
            reader.join(5000);
            synchronized (this) {
                tap.close();
            }
            stop.close();
        }
    }
}
