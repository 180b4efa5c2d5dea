package dev.vpcie.bench;

import dev.vpcie.protocol.link.Link;
import dev.vpcie.protocol.link.TlpHandler;
import dev.vpcie.protocol.tlp.Completion;
import dev.vpcie.protocol.tlp.Tlp;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * The measuring end: TLP ping-pong (a read, its completion) and streams of writes closed by a
 * fence read, all through one reliable link. The caller's thread waits for each completion as
 * a driver polling for it would: it keeps yielding the CPU for a while (so on a small machine the
 * link threads still run), then parks until the link thread unparks it.
 */
final class ClientRole implements TlpHandler {
    private static final long SPIN_NANOS = 100_000;
    private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);

    /** Writes delivered per second and their payload rate. */
    record StreamResult(int tlps, int payloadBytes, long nanos, int outOfOrder) {
        double tlpsPerSecond() { return tlps * 1e9 / nanos; }

        double payloadGbps() { return (double) tlps * payloadBytes * 8 / nanos; }
    }

    private final Link link;
    private volatile Completion completion;
    private volatile Thread waiter;

    ClientRole(Link link) {
        this.link = link;
        link.handler(this);
    }

    @Override public void onTlp(Tlp tlp) {
        if (tlp instanceof Completion c) {
            completion = c;
            Thread w = waiter;
            if (w != null) LockSupport.unpark(w);
        }
    }

    /** {@code samples} round trips, one every {@code intervalNanos} (0: back to back), after {@code warmup} unrecorded ones. */
    Histogram pingPong(int warmup, int samples, long intervalNanos) throws InterruptedException {
        Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        long next = System.nanoTime();
        for (int i = 0; i < warmup + samples; i++) {
            if (intervalNanos > 0 && i >= warmup) {
                next += intervalNanos;
                long wait = next - System.nanoTime();
                if (wait > 0) LockSupport.parkNanos(wait);
            }
            long t0 = System.nanoTime();
            request(BenchTlps.ping());
            long rtt = System.nanoTime() - t0;
            if (i >= warmup) h.recordValue(Math.min(rtt, h.getHighestTrackableValue()));
        }
        return h;
    }

    /** Sends {@code tlps} writes of {@code payloadBytes} each, then a fence; timed until the fence completes. */
    StreamResult stream(int tlps, int payloadBytes) throws InterruptedException {
        byte[] payload = new byte[payloadBytes];
        long t0 = System.nanoTime();
        for (int i = 0; i < tlps; i++) link.send(BenchTlps.write(i, payload));
        Completion fence = request(BenchTlps.fence());
        long nanos = System.nanoTime() - t0;
        ByteBuffer report = ByteBuffer.wrap(fence.data());
        int delivered = report.getInt(), outOfOrder = report.getInt();
        if (delivered != tlps) throw new IllegalStateException("the echo side counted " + delivered + " of " + tlps + " writes");
        return new StreamResult(tlps, payloadBytes, nanos, outOfOrder);
    }

    private Completion request(Tlp read) throws InterruptedException {
        completion = null;
        waiter = Thread.currentThread();
        link.send(read);
        long start = System.nanoTime();
        Completion c;
        while ((c = completion) == null) {
            long waited = System.nanoTime() - start;
            if (waited > TIMEOUT_NANOS) throw new IllegalStateException("no completion within 30 s over " + link.describe());
            if (waited < SPIN_NANOS) Thread.yield();
            else LockSupport.parkNanos(this, TIMEOUT_NANOS);
        }
        waiter = null;
        return c;
    }
}
