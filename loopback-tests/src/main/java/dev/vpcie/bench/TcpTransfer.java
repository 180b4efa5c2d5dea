package dev.vpcie.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The TCP half of {@code scripts/bench tcp}: a receiver and a sender that each hash what they read
 * or wrote (SHA-256), so a transfer is intact when the two digests printed match, and the
 * receiver's rate (first byte to end of stream) is the throughput. No dependencies, so the
 * benchmark needs no iperf.
 *
 * <pre>
 * TcpTransfer receive ADDRESS PORT           accept one connection, read to its end
 * TcpTransfer send ADDRESS PORT SECONDS      connect, write pseudo-random data for SECONDS, close
 * </pre>
 * Each prints one line: {@code received|sent BYTES bytes in SECONDS s = MBIT Mbit/s sha256 HEX};
 * the receiver prints {@code ready} once it listens.
 */
public final class TcpTransfer {
    private static final int CHUNK = 1 << 16;

    private TcpTransfer() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 3 && args[0].equals("receive")) {
            receive(args[1], Integer.parseInt(args[2]));
        } else if (args.length == 4 && args[0].equals("send")) {
            send(args[1], Integer.parseInt(args[2]), Double.parseDouble(args[3]));
        } else {
            System.err.println("usage: TcpTransfer receive ADDRESS PORT | send ADDRESS PORT SECONDS");
            System.exit(2);
        }
    }

    private static void receive(String address, int port) throws IOException, NoSuchAlgorithmException {
        try (ServerSocket listener = new ServerSocket(port, 1, InetAddress.getByName(address))) {
            System.out.println("ready");
            System.out.flush();
            try (Socket s = listener.accept(); InputStream in = s.getInputStream()) {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                byte[] buf = new byte[CHUNK];
                long total = 0, first = 0;
                for (int n; (n = in.read(buf)) > 0; total += n) {
                    if (total == 0) first = System.nanoTime();
                    sha.update(buf, 0, n);
                }
                report("received", total, (System.nanoTime() - first) / 1e9, sha.digest());
            }
        }
    }

    private static void send(String address, int port, double seconds) throws IOException, NoSuchAlgorithmException {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        SplittableRandom random = new SplittableRandom(port);
        byte[] chunk = new byte[CHUNK];
        long total = 0, start = System.nanoTime(), end = start + (long) (seconds * 1e9);
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, port), 10_000);
            OutputStream out = s.getOutputStream();
            while (System.nanoTime() - end < 0) {
                random.nextBytes(chunk);
                sha.update(chunk);
                out.write(chunk);
                total += chunk.length;
            }
            out.flush();
        }
        report("sent", total, (System.nanoTime() - start) / 1e9, sha.digest());
    }

    private static void report(String what, long bytes, double seconds, byte[] digest) {
        System.out.printf(Locale.ROOT, "%s %d bytes in %.2f s = %.1f Mbit/s sha256 %s%n", what, bytes, seconds,
                seconds > 0 ? bytes * 8 / seconds / 1e6 : 0.0, HexFormat.of().formatHex(digest));
    }
}
