package dev.vpcie.protocol.capture;

import dev.vpcie.protocol.transport.FrameTap;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pcap capture whose file is written by a thread of its own, fed through a bounded queue.
 *
 * <p>Why the thread: frames are shown to a tap on the thread that sends or receives them, which
 * is the agent loop of the data path, and that loop must never block. A file write can block
 * for milliseconds or worse (a slow or full disk, writeback, a network file system), and every
 * TLP of the link would wait behind it. Here the loop only copies the frame and offers it to a
 * lock-free queue; when the queue is full the frame is dropped from the capture and counted
 * ({@link #dropped}), and the link goes on unharmed. Each frame is stamped when it is seen, not
 * when it is written, so the timestamps stay true however far the writer lags.
 *
 * <p>Memory is bounded: at most {@link #capacity} frames and {@link #MAX_QUEUED_BYTES} bytes
 * wait, each frame copied at its own length.
 */
public final class QueuedCapture implements FrameTap {
    /**
     * Frames that may wait: 160 ms of a link at 100k frames/s. On a loaded machine the writer
     * thread is what falls behind (it waits for a CPU), and with 4096 it dropped 3.7 % of frames
     * at 100k frames/s at load 8.5 on two cores.
     */
    public static final int DEFAULT_CAPACITY = 16_384;

    /** Bytes that may wait, whatever the frame sizes: 16384 jumbo frames would be 150 MB. */
    public static final long MAX_QUEUED_BYTES = 16L << 20;

    private static final Logger log = LoggerFactory.getLogger(QueuedCapture.class);

    /** One frame as seen: when, and a copy of its bytes (the link reuses its buffers). */
    private record Seen(long timestampNanos, byte[] bytes) {}

    private final PcapWriter writer;
    private final ManyToOneConcurrentArrayQueue<Seen> queue;
    private final AtomicLong queueDrops = new AtomicLong(), queuedBytes = new AtomicLong();
    private final AgentRunner runner;
    private volatile boolean closed;

    private QueuedCapture(PcapWriter writer, int capacity) {
        this.writer = writer;
        this.queue = new ManyToOneConcurrentArrayQueue<>(capacity);
        // Backs off to 10 ms parks when idle: an idle capture wakes 100 times a second; the queue
        // holds far more than 10 ms of frames.
        this.runner = new AgentRunner(new BackoffIdleStrategy(1, 1, 1_000, 10_000_000), this::onError, null, new Writer());
    }

    /** Opens the file (see {@link PcapWriter#open(CaptureSpec)}) and starts its writer thread. */
    public static QueuedCapture open(CaptureSpec spec) throws IOException {
        QueuedCapture c = new QueuedCapture(PcapWriter.open(spec), DEFAULT_CAPACITY);
        c.start();
        return c;
    }

    /** Around {@code writer}, not started yet: tests fill the queue before the writer runs. */
    static QueuedCapture unstarted(PcapWriter writer, int capacity) { return new QueuedCapture(writer, capacity); }

    void start() { AgentRunner.startOnThread(runner, r -> Thread.ofPlatform().daemon().name("vpcie-capture").unstarted(r)); }

    public CaptureSpec spec() { return writer.spec(); }

    /** How many frames may wait for the writer. */
    public int capacity() { return queue.capacity(); }

    /** Frames written so far. */
    public long frames() { return writer.frames(); }

    /** Files the writer started after the first (rotation). */
    public int rotations() { return writer.rotations(); }

    /** Frames not in the file: the queue was full, the file was full (not rotating) or writing failed. */
    public long dropped() { return queueDrops.get() + writer.dropped(); }

    /** Frames dropped because the writer fell behind (included in {@link #dropped}). */
    public long queueDrops() { return queueDrops.get(); }

    /** Called on the sending or receiving thread: copies and queues, never blocks. */
    @Override public void onFrame(boolean outbound, ByteBuffer frame, int offset, int length) {
        if (closed) {
            queueDrops.incrementAndGet();
            return;
        }
        // Frames are at most a transport's MTU (64 KiB for UDP), below the snap length: the copy is the whole frame.
        int kept = Math.min(length, PcapWriter.SNAPLEN);
        if (queuedBytes.addAndGet(kept) > MAX_QUEUED_BYTES) {
            queuedBytes.addAndGet(-kept);
            queueDrops.incrementAndGet();
            return;
        }
        byte[] copy = new byte[kept];
        frame.get(offset, copy);
        if (!queue.offer(new Seen(writer.nowNanos(), copy))) {
            queuedBytes.addAndGet(-kept);
            queueDrops.incrementAndGet();
        }
    }

    /** Writes what is queued, then closes the file; frames shown after this are dropped. */
    @Override public void close() {
        closed = true;
        runner.close(); // the writer thread drains the queue in onClose, then ends
        long drops = queueDrops.get();
        if (drops > 0) log.warn("capture {}: {} frame(s) dropped because writing fell behind", writer.spec().file(), drops);
    }

    private void onError(Throwable t) { log.warn("capture {}: {}", writer.spec().file(), t.toString()); }

    /** The writer thread's work: drain the queue into the file. */
    private final class Writer implements Agent {
        @Override public int doWork() { return queue.drain(this::write, 256); }

        private void write(Seen s) {
            queuedBytes.addAndGet(-s.bytes().length);
            writer.write(s.timestampNanos(), ByteBuffer.wrap(s.bytes()), 0, s.bytes().length);
        }

        @Override public void onClose() {
            queue.drain(this::write);
            writer.close();
        }

        @Override public String roleName() { return "vpcie-capture"; }
    }
}
