package dev.vpcie.loopback.nic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.protocol.netns.NetNamespace;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Traffic between two kernel network stacks in namespaces: the system's ping and a TCP transfer checked by SHA-256. */
final class KernelTraffic {
    private KernelTraffic() {}

    private static final Pattern RTT = Pattern.compile("rtt min/avg/max/mdev = ([\\d.]+)/([\\d.]+)/([\\d.]+)/([\\d.]+) ms");

    /**
     * Runs the system's ping in {@code from}; asserts every reply came back; returns ping's output.
     * With a deadline ({@code -w}) ping waits until all {@code count} replies are in or the deadline
     * passes; without one it gives the last request only about two of the longest round trips seen so
     * far, so one slow last reply on a loaded machine would count as lost.
     */
    static String pingAll(NetNamespace from, String dest, int count) throws IOException {
        int deadlineSeconds = (int) Math.ceil(count * 0.05) + 20;
        String out = from.exec("ping", "-c", Integer.toString(count), "-i", "0.05", "-w", Integer.toString(deadlineSeconds), dest);
        assertTrue(out.contains(count + " packets transmitted, " + count + " received"), out);
        return out;
    }

    /** ping's average RTT in ms, from its output. */
    static double averageMillis(String pingOutput) {
        Matcher m = RTT.matcher(pingOutput);
        return m.find() ? Double.parseDouble(m.group(2)) : Double.NaN;
    }

    /** Sends {@code bytes} of random data by TCP from {@code client} to {@code serverIp} in {@code server}; asserts it arrived intact; returns the seconds it took. */
    static double tcp(NetNamespace server, String serverIp, NetNamespace client, int bytes) throws Exception {
        ServerSocket listener = server.call(() -> new ServerSocket(5001, 1, InetAddress.getByName(serverIp)));
        CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
            try (listener; Socket s = listener.accept(); InputStream in = s.getInputStream()) {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                byte[] buf = new byte[1 << 16];
                long total = 0;
                for (int n; (n = in.read(buf)) > 0; total += n) sha.update(buf, 0, n);
                if (total != bytes) throw new IllegalStateException("received " + total + " of " + bytes + " bytes");
                return sha.digest();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        MessageDigest sent = MessageDigest.getInstance("SHA-256");
        long t0 = System.nanoTime();
        try (Socket s = client.call(() -> {
            Socket c = new Socket();
            c.connect(new InetSocketAddress(serverIp, 5001), 10_000);
            return c;
        }); OutputStream out = s.getOutputStream()) {
            Random r = new Random(bytes);
            byte[] chunk = new byte[1 << 16];
            for (int left = bytes; left > 0; left -= chunk.length) {
                r.nextBytes(chunk);
                int n = Math.min(left, chunk.length);
                sent.update(chunk, 0, n);
                out.write(chunk, 0, n);
            }
        }
        assertArrayEquals(sent.digest(), received.get(180, TimeUnit.SECONDS), bytes + " bytes arrived intact");
        return (System.nanoTime() - t0) / 1e9;
    }
}
