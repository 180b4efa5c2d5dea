package dev.vpcie.vrc.bench;

import dev.vpcie.protocol.nettlp.NetTlpCodec;
import dev.vpcie.protocol.nettlp.NetTlpPorts;
import dev.vpcie.protocol.tlp.MemRead;
import dev.vpcie.protocol.transport.Epoll;
import dev.vpcie.protocol.transport.MessageBatch;
import dev.vpcie.protocol.transport.UdpSocket;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The same readers as {@link NetTlpReaders} (one tag and port each, one MRd in flight per tag,
 * libtlp's completion rules and 500 ms timeout), run as state machines on one thread the way the
 * endpoint's loop runs many DMA reads: an {@link Epoll} over the sockets, every ready socket
 * drained with one {@code recvmmsg}, the next MRd of a tag sent as soon as its read completes. No
 * thread wakes per read, which on a 2-CPU machine costs more than the read. The loop polls
 * without waiting for {@value #SPIN_US} µs after its last datagram, then waits in epoll.
 */
final class NetTlpReaderLoop {
    private static final long TIMEOUT_NS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final long SPIN_US = 50;

    private final UdpSocket[] sockets;
    private final Epoll epoll;
    private final MessageBatch batch = new MessageBatch(8, NetTlpCodec.MAX_DATAGRAM + 64, 0);
    private final byte[] in = new byte[NetTlpCodec.MAX_DATAGRAM + 64];
    private final int requester, length;
    private final long base, pages;
    private final long[] started, page;
    private final int[] received;
    private final Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
    private long reads, timeouts, errors;

    private NetTlpReaderLoop(UdpSocket[] sockets, Epoll epoll, int requester, int length, long base, long region) {
        this.sockets = sockets;
        this.epoll = epoll;
        this.requester = requester;
        this.length = length;
        this.base = base;
        this.pages = region / 4096;
        this.started = new long[sockets.length];
        this.page = new long[sockets.length];
        this.received = new int[sockets.length];
    }

    static NetTlpReaders.Result run(InetAddress local, InetAddress host, int requester, int threads, int length, long base, long region,
                                    double seconds) throws IOException {
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            Epoll epoll = Epoll.open(threads, "nettlp readers");
            opened.add(epoll);
            UdpSocket[] sockets = new UdpSocket[threads];
            for (int t = 0; t < threads; t++) {
                opened.add(sockets[t] = UdpSocket.open(new InetSocketAddress(local, NetTlpPorts.dma(t)),
                        new InetSocketAddress(host, NetTlpPorts.dma(t)), 1 << 20, 1 << 20));
                epoll.add(sockets[t].fd(), t);
            }
            NetTlpReaderLoop loop = new NetTlpReaderLoop(sockets, epoll, requester, length, base, region);
            long start = System.nanoTime();
            loop.loop(start + (long) (seconds * 1e9));
            double elapsed = (System.nanoTime() - start) / 1e9;
            return new NetTlpReaders.Result(threads, length, loop.reads, loop.reads * length, loop.timeouts, loop.errors, elapsed,
                    LatencySummary.of(loop.latency));
        } finally {
            for (AutoCloseable c : opened) {
                try {
                    c.close();
                } catch (Exception e) {
                    // closing anyway
                }
            }
        }
    }

    private void loop(long endNs) throws IOException {
        for (int tag = 0; tag < sockets.length; tag++) {
            page[tag] = tag;
            issue(tag, System.nanoTime());
        }
        long lastWork = System.nanoTime();
        while (true) {
            long now = System.nanoTime();
            if (now - endNs >= 0) return;
            boolean spinning = now - lastWork < SPIN_US * 1000;
            int ready = epoll.poll(spinning ? 0 : 1);
            for (int i = 0; i < ready; i++) drain(epoll.key(i));
            if (ready > 0) lastWork = System.nanoTime();
            else if (spinning) Thread.onSpinWait();
            expire(System.nanoTime());
        }
    }

    private void issue(int tag, long now) throws IOException {
        long address = base + (page[tag]++ % pages) * 4096;
        int dws = length / 4;
        byte[] request = NetTlpCodec.encode(0, 0, new MemRead(requester, tag, address, dws, 0xF, dws == 1 ? 0 : 0xF));
        received[tag] = 0;
        started[tag] = now;
        sockets[tag].send(request, 0, request.length); // a lost request is a timeout, as with libtlp
    }

    private void drain(int tag) throws IOException {
        int n = sockets[tag].receive(batch, 8);
        for (int i = 0; i < n; i++) {
            int bytes = batch.copy(i, in);
            int data = NetTlpReaders.completionBytes(in, bytes);
            if (data < 0) {
                errors++; // not a successful CplD: the read fails, the next one starts
                issue(tag, System.nanoTime());
                continue;
            }
            received[tag] += data;
            if (!NetTlpReaders.lastCompletion(in)) continue;
            long now = System.nanoTime();
            latency.recordValue(Math.max(1, now - started[tag]));
            if (received[tag] >= length) reads++;
            issue(tag, now);
        }
    }

    private void expire(long now) throws IOException {
        for (int tag = 0; tag < sockets.length; tag++) {
            if (now - started[tag] < TIMEOUT_NS) continue;
            timeouts++;
            issue(tag, now);
        }
    }
}
