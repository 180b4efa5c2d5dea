package dev.vpcie.vrc.bench;

import dev.vpcie.protocol.nettlp.NetTlpCodec;
import dev.vpcie.protocol.nettlp.NetTlpPorts;
import dev.vpcie.protocol.tlp.MemRead;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * DMA readers as NetTLP's {@code tlpperf -d read} runs them: one thread per tag (or all on one
 * loop, {@link Mode#LOOP}), each with a
 * socket bound to {@code 0x3000 + tag} on the device side's address and connected to the same
 * port of the host, sending one MRd at a time and waiting (up to 500 ms, as libtlp does) for the
 * CplDs that complete it. It plays libtlp's side against any NetTLP host: a VRC in NetTLP mode, a
 * bare responder, or a real adapter.
 *
 * <p>Completions are parsed from the header bytes as libtlp does: Fmt/Type 0x4A, status
 * successful, and the last one is the one whose {@code Length == ((LowerAddress & 3) + ByteCount
 * + 3) >> 2}.
 */
public final class NetTlpReaders {
    /** What a run measured. */
    public record Result(int threads, int length, long reads, long bytes, long timeouts, long errors, double seconds, LatencySummary latency) {
        public double gbitPerSecond() { return bytes * 8 / seconds / 1e9; }

        public double readsPerSecond() { return reads / seconds; }
    }

    private static final long TIMEOUT_MS = 500;

    private NetTlpReaders() {}

    /** How the readers run: a thread each, as tlpperf's; or all on one thread, as the endpoint's loop runs its reads. */
    public enum Mode { THREADS, LOOP }

    /**
     * Runs {@code threads} readers (tags 0..threads-1) of {@code length} bytes each, at page-aligned
     * addresses walking {@code region} bytes from {@code base}, for {@code seconds}.
     */
    public static Result run(Mode mode, InetAddress local, InetAddress host, int requester, int threads, int length, long base, long region,
                             double seconds) throws IOException, InterruptedException {
        if (threads < 1 || threads > NetTlpPorts.DMA_PORTS) throw new IllegalArgumentException("threads must be 1..256: " + threads);
        if (length < 4 || length > 4096 || (length & 3) != 0) throw new IllegalArgumentException("length must be 4..4096, whole DWs: " + length);
        if (region < 4096) throw new IllegalArgumentException("region must be at least 4096 bytes: " + region);
        return switch (mode) {
            case THREADS -> runThreads(local, host, requester, threads, length, base, region, seconds);
            case LOOP -> NetTlpReaderLoop.run(local, host, requester, threads, length, base, region, seconds);
        };
    }

    private static Result runThreads(InetAddress local, InetAddress host, int requester, int threads, int length, long base, long region,
                                     double seconds) throws IOException, InterruptedException {
        List<DatagramSocket> sockets = new ArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                DatagramSocket s = new DatagramSocket(null);
                sockets.add(s);
                s.setReceiveBufferSize(1 << 20);
                s.bind(new InetSocketAddress(local, NetTlpPorts.dma(t)));
                s.connect(new InetSocketAddress(host, NetTlpPorts.dma(t)));
                s.setSoTimeout((int) TIMEOUT_MS);
            }
            AtomicLong reads = new AtomicLong(), timeouts = new AtomicLong(), errors = new AtomicLong();
            Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
            CountDownLatch start = new CountDownLatch(1);
            long[] window = new long[2];
            List<Thread> workers = new ArrayList<>();
            long durationNs = (long) (seconds * 1e9);
            for (int t = 0; t < threads; t++) {
                int tag = t;
                DatagramSocket s = sockets.get(t);
                workers.add(Thread.ofPlatform().name("nettlp-reader-" + t).start(() -> {
                    Histogram own = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
                    long[] counts = read(s, requester, tag, length, base, region, start, durationNs, own);
                    synchronized (latency) {
                        latency.add(own);
                    }
                    reads.addAndGet(counts[0]);
                    timeouts.addAndGet(counts[1]);
                    errors.addAndGet(counts[2]);
                }));
            }
            window[0] = System.nanoTime();
            start.countDown();
            for (Thread w : workers) w.join();
            window[1] = System.nanoTime();
            double elapsed = (window[1] - window[0]) / 1e9;
            return new Result(threads, length, reads.get(), reads.get() * length, timeouts.get(), errors.get(), elapsed, LatencySummary.of(latency));
        } finally {
            for (DatagramSocket s : sockets) s.close();
        }
    }

    /**
     * The data bytes of the NetTLP datagram {@code in} (of {@code n} bytes) if it is a successful
     * CplD, else -1 (a UR comes as a Cpl without data). Datagram bytes 6-9: DW0, 10-13:
     * completer, status, byte count, 14-17: requester, tag, lower address.
     */
    static int completionBytes(byte[] in, int n) {
        if (n < NetTlpCodec.HEADER_BYTES + 12 || (in[6] & 0xFF) != 0x4A || (in[12] >>> 5 & 7) != 0) return -1;
        int cplLength = (in[8] & 3) << 8 | in[9] & 0xFF;
        return (cplLength == 0 ? 1024 : cplLength) * 4;
    }

    /** Whether the CplD in {@code in} is its read's last, by libtlp's rule. */
    static boolean lastCompletion(byte[] in) {
        int cplLength = (in[8] & 3) << 8 | in[9] & 0xFF;
        if (cplLength == 0) cplLength = 1024;
        int byteCount = (in[12] & 0xF) << 8 | in[13] & 0xFF;
        if (byteCount == 0) byteCount = 4096;
        int lowerAddress = in[17] & 0x7F;
        return cplLength == ((lowerAddress & 3) + byteCount + 3) >> 2;
    }

    /** One reader's loop; returns {reads, timeouts, errors}. */
    private static long[] read(DatagramSocket s, int requester, int tag, int length, long base, long region, CountDownLatch start,
                               long durationNs, Histogram latency) {
        long reads = 0, timeouts = 0, errors = 0;
        byte[] in = new byte[NetTlpCodec.MAX_DATAGRAM + 64];
        DatagramPacket rx = new DatagramPacket(in, in.length);
        long pages = region / 4096;
        try {
            start.await();
            long end = System.nanoTime() + durationNs;
            long page = tag;
            while (System.nanoTime() - end < 0) {
                long address = base + (page++ % pages) * 4096;
                int dws = length / 4;
                byte[] request = NetTlpCodec.encode(0, 0, new MemRead(requester, tag, address, dws, 0xF, dws == 1 ? 0 : 0xF));
                long t0 = System.nanoTime();
                s.send(new DatagramPacket(request, request.length));
                int received = 0;
                boolean done = false, failed = false;
                while (!done) {
                    try {
                        rx.setLength(in.length);
                        s.receive(rx);
                    } catch (SocketTimeoutException e) {
                        timeouts++;
                        failed = true;
                        break;
                    }
                    int data = completionBytes(in, rx.getLength());
                    if (data < 0) {
                        errors++;
                        failed = true;
                        break;
                    }
                    received += data;
                    done = lastCompletion(in);
                }
                if (failed) continue;
                latency.recordValue(Math.max(1, System.nanoTime() - t0));
                if (received >= length) reads++;
            }
        } catch (IOException e) {
            errors++;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new long[] {reads, timeouts, errors};
    }
}
