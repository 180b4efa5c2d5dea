package dev.vpcie.loopback.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vpcie.testsupport.netns.Command;
import dev.vpcie.testsupport.netns.NetNamespace;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Traffic between two kernel network stacks in namespaces, for the root tests here and in
 * {@code loopback.nic}: the system's ping, and a TCP transfer from a small Java sender to a small
 * Java receiver, each hashing what it wrote or read (SHA-256), so "arrived intact" is a comparison
 * of two digests.
 */
public final class KernelTraffic {
    private KernelTraffic() {}

    private static final Pattern SUMMARY = Pattern.compile("(\\d+) packets transmitted, (\\d+) received");
    private static final Pattern RTT = Pattern.compile("rtt min/avg/max/mdev = ([\\d.]+)/([\\d.]+)/([\\d.]+)/([\\d.]+) ms");

    /** What ping said. */
    public record Ping(int transmitted, int received, String output) {
        public boolean allReplied() { return transmitted > 0 && received == transmitted; }

        /** The average round trip in ms from ping's summary; NaN when nothing came back. */
        public double averageMillis() {
            Matcher m = RTT.matcher(output);
            return m.find() ? Double.parseDouble(m.group(2)) : Double.NaN;
        }
    }

    /** {@link #ping} every 50 ms, asserting that all {@code count} requests went out and were answered. */
    public static Ping pingAll(NetNamespace from, String dest, int count) throws IOException {
        Ping p = pingUntilAllReplied(from, dest, count, "0.05");
        assertEquals(count + " transmitted, " + count + " received", p.transmitted() + " transmitted, " + p.received() + " received",
                p.output());
        return p;
    }

    /**
     * Runs the system's ping in {@code from}: {@code count} requests {@code intervalSeconds} apart (no
     * replies is a result, not an error). After the last request ping waits only about two of the
     * longest round trips seen so far (or {@code -W} when nothing came back): for counting replies
     * that should not come. {@link #pingAll} waits for every reply.
     */
    public static Ping ping(NetNamespace from, String dest, int count, String intervalSeconds) throws IOException {
        return run(from, List.of("ping", "-n", "-c", Integer.toString(count), "-i", intervalSeconds, "-W", "2", dest));
    }

    /** One ping that must be answered within a second: whether the path works now. */
    static boolean probe(NetNamespace from, String dest) {
        try {
            return run(from, List.of("ping", "-n", "-c", "1", "-W", "1", dest)).received() == 1;
        } catch (IOException e) { // no summary: the route is unusable for now ("Network is unreachable")
            return false;
        }
    }

    /**
     * Like {@link #ping}, but with a deadline ({@code -w}) ping waits until every reply is in or the
     * deadline (20 s beyond the sending time) passes: a slow last reply on a loaded machine is waited
     * for, a lost one still shows.
     */
    static Ping pingUntilAllReplied(NetNamespace from, String dest, int count, String intervalSeconds) throws IOException {
        int deadlineSeconds = (int) Math.ceil(count * Double.parseDouble(intervalSeconds)) + 20;
        return run(from, List.of("ping", "-n", "-c", Integer.toString(count), "-i", intervalSeconds, "-w", Integer.toString(deadlineSeconds), dest));
    }

    private static Ping run(NetNamespace from, List<String> argv) throws IOException {
        String out = Command.tryRun(null, from.command(argv)).stdout();
        Matcher m = SUMMARY.matcher(out);
        if (!m.find()) throw new IOException("no summary in ping's output:\n" + out);
        return new Ping(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), out);
    }

    /** A finished transfer: whether the digests match, and how long the sender took (from connect to close). */
    public record Transfer(long bytes, boolean intact, double seconds) {
        public double megabitsPerSecond() { return bytes * 8 / seconds / 1e6; }
    }

    /** Sends {@code bytes} of random data by TCP from {@code client} to {@code serverIp}:{@code port} in {@code server}. */
    public static Transfer tcp(NetNamespace server, String serverIp, int port, NetNamespace client, long bytes) throws Exception {
        ServerSocket listener = server.call(() -> new ServerSocket(port, 1, InetAddress.getByName(serverIp)));
        CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
            try (listener; Socket s = listener.accept(); InputStream in = s.getInputStream()) {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                byte[] buf = new byte[1 << 16];
                long total = 0;
                for (int n; (n = in.read(buf)) > 0; total += n) sha.update(buf, 0, n);
                if (total != bytes) throw new IOException("received " + total + " of " + bytes + " bytes");
                return sha.digest();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        MessageDigest sent = MessageDigest.getInstance("SHA-256");
        long t0 = System.nanoTime();
        try (Socket s = client.call(() -> {
            Socket c = new Socket();
            c.connect(new InetSocketAddress(serverIp, port), 10_000);
            return c;
        }); OutputStream out = s.getOutputStream()) {
            SplittableRandom r = new SplittableRandom(bytes);
            byte[] chunk = new byte[1 << 16];
            for (long left = bytes; left > 0; left -= chunk.length) {
                r.nextBytes(chunk);
                int n = (int) Math.min(left, chunk.length);
                sent.update(chunk, 0, n);
                out.write(chunk, 0, n);
            }
        }
        byte[] digest = received.get(180, TimeUnit.SECONDS);
        return new Transfer(bytes, Arrays.equals(sent.digest(), digest), (System.nanoTime() - t0) / 1e9);
    }
}
