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
 * Readers of {@link NetTlpReaders} on one thread (one tag and port each, one MRd in flight per
 * tag, libtlp's completion rules and 500 ms timeout), as state machines: the next MRd of a tag
 * leaves as soon as its read completes. Over several tags the thread polls an {@link Epoll} and
 * drains each ready socket with one {@code recvmmsg}, the way the endpoint's loop runs many DMA
 * reads; it polls without waiting for {@value #SPIN_US} µs after its last datagram, then waits
 * in epoll. Over one tag (a thread per reader, as tlpperf) it waits in the kernel's
 * {@code recvmmsg} on a blocking socket: one system call per wait, as libtlp's blocking receive.
 */
final class NetTlpReaderLoop {
    private static final long TIMEOUT_NS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final long SPIN_US = 50;

    private final UdpSocket[] sockets;
    private final int[] tags;
    /** Null for one blocking socket. */
    private final Epoll epoll;
    private final MessageBatch batch = new MessageBatch(8, NetTlpCodec.MAX_DATAGRAM + 64, 0);
    private final byte[] in = new byte[NetTlpCodec.MAX_DATAGRAM + 64];
    private final int requester, length;
    private final long base, pages;
    private final long[] started, page;
    private final int[] received;
    private final Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
    private long reads, timeouts, errors;

    private NetTlpReaderLoop(UdpSocket[] sockets, int[] tags, Epoll epoll, int requester, int length, long base, long region) {
        this.sockets = sockets;
        this.tags = tags;
        this.epoll = epoll;
        this.requester = requester;
        this.length = length;
        this.base = base;
        this.pages = region / 4096;
        this.started = new long[sockets.length];
        this.page = new long[sockets.length];
        this.received = new int[sockets.length];
    }

    /** The readers of {@code tags}, on a new thread each when {@code threadEach}, else all on the calling thread. */
    static NetTlpReaders.Result run(InetAddress local, InetAddress host, int requester, int[] tags, boolean threadEach, int length, long base,
                                    long region, double seconds) throws IOException, InterruptedException {
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            List<NetTlpReaderLoop> loops = new ArrayList<>();
            if (threadEach) {
                for (int tag : tags) {
                    UdpSocket s = UdpSocket.openBlocking(address(local, tag), address(host, tag), 1 << 20, 1 << 20, (int) (TIMEOUT_NS / 1_000_000));
                    opened.add(s);
                    loops.add(new NetTlpReaderLoop(new UdpSocket[] {s}, new int[] {tag}, null, requester, length, base, region));
                }
            } else {
                Epoll epoll = Epoll.open(tags.length, "nettlp readers");
                opened.add(epoll);
                UdpSocket[] sockets = new UdpSocket[tags.length];
                for (int i = 0; i < tags.length; i++) {
                    opened.add(sockets[i] = UdpSocket.open(address(local, tags[i]), address(host, tags[i]), 1 << 20, 1 << 20));
                    epoll.add(sockets[i].fd(), i);
                }
                loops.add(new NetTlpReaderLoop(sockets, tags, epoll, requester, length, base, region));
            }
            long start = System.nanoTime(), end = start + (long) (seconds * 1e9);
            List<Thread> threads = new ArrayList<>();
            IOException[] failed = new IOException[1];
            for (NetTlpReaderLoop l : loops) {
                threads.add(Thread.ofPlatform().name("nettlp-reader-" + l.tags[0]).start(() -> {
                    try {
                        l.loop(end);
                    } catch (IOException e) {
                        synchronized (failed) {
                            failed[0] = e;
                        }
                    }
                }));
            }
            for (Thread t : threads) t.join();
            double elapsed = (System.nanoTime() - start) / 1e9;
            if (failed[0] != null) throw failed[0];
            long reads = 0, timeouts = 0, errors = 0;
            Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
            for (NetTlpReaderLoop l : loops) {
                reads += l.reads;
                timeouts += l.timeouts;
                errors += l.errors;
                latency.add(l.latency);
            }
            return new NetTlpReaders.Result(tags.length, length, reads, reads * length, timeouts, errors, elapsed, LatencySummary.of(latency));
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

    private static InetSocketAddress address(InetAddress a, int tag) { return new InetSocketAddress(a, NetTlpPorts.dma(tag)); }

    private void loop(long endNs) throws IOException {
        for (int i = 0; i < sockets.length; i++) {
            page[i] = tags[i];
            issue(i, System.nanoTime());
        }
        long lastWork = System.nanoTime();
        while (true) {
            long now = System.nanoTime();
            if (now - endNs >= 0) return;
            if (epoll == null) {
                drain(0, true);
                expire(System.nanoTime());
                continue;
            }
            boolean spinning = now - lastWork < SPIN_US * 1000;
            int ready = epoll.poll(spinning ? 0 : 1);
            for (int i = 0; i < ready; i++) drain(epoll.key(i), false);
            if (ready > 0) lastWork = System.nanoTime();
            else if (spinning) Thread.onSpinWait();
            expire(System.nanoTime());
        }
    }

    /** Sends reader {@code i}'s next MRd. */
    private void issue(int i, long now) throws IOException {
        long address = base + (page[i]++ % pages) * 4096;
        int dws = length / 4;
        byte[] request = NetTlpCodec.encode(0, 0, new MemRead(requester, tags[i], address, dws, 0xF, dws == 1 ? 0 : 0xF));
        received[i] = 0;
        started[i] = now;
        sockets[i].send(request, 0, request.length); // a lost request is a timeout, as with libtlp
    }

    private void drain(int i, boolean waiting) throws IOException {
        int n = waiting ? sockets[i].receiveWaiting(batch, 8) : sockets[i].receive(batch, 8);
        for (int m = 0; m < n; m++) {
            int bytes = batch.copy(m, in);
            int data = NetTlpReaders.completionBytes(in, bytes);
            if (data < 0) {
                errors++; // not a successful CplD: the read fails, the next one starts
                issue(i, System.nanoTime());
                continue;
            }
            received[i] += data;
            if (!NetTlpReaders.lastCompletion(in)) continue;
            long now = System.nanoTime();
            latency.recordValue(Math.max(1, now - started[i]));
            if (received[i] >= length) reads++;
            issue(i, now);
        }
    }

    private void expire(long now) throws IOException {
        for (int i = 0; i < sockets.length; i++) {
            if (now - started[i] < TIMEOUT_NS) continue;
            timeouts++;
            issue(i, now);
        }
    }
}
