package dev.vpcie.protocol.transport;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reference counting for a native resource used from more than one thread: a file descriptor
 * must not be closed (and its number reused) while another thread is inside a call on it. Each
 * call brackets itself with {@link #acquire()}/{@link #release()}; {@link #close()} refuses new
 * calls and the last one out frees the resource.
 */
final class Lifetime {
    private final AtomicInteger refs = new AtomicInteger(1);
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Runnable free;

    Lifetime(Runnable free) { this.free = free; }

    /** True when the caller may use the resource until it calls {@link #release()}. */
    boolean acquire() {
        int n;
        do {
            n = refs.get();
            if (n == 0) return false;
        } while (!refs.compareAndSet(n, n + 1));
        if (closed.get()) {
            release();
            return false;
        }
        return true;
    }

    void release() {
        if (refs.decrementAndGet() == 0) free.run();
    }

    /** A step that uses the resource. */
    interface Use {
        void run() throws IOException;
    }

    /** Runs {@code use} between {@link #acquire()} and {@link #release()}; a closed resource throws {@link ClosedChannelException}. */
    void use(Use use) throws IOException {
        if (!acquire()) throw new ClosedChannelException();
        try {
            use.run();
        } finally {
            release();
        }
    }

    /** Refuses new users; frees now or when the last current user releases. */
    void close() {
        if (closed.compareAndSet(false, true)) release();
    }

    boolean isClosed() { return closed.get(); }
}
