package dev.vpcie.vrc.mpqemu;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * QEMU's standard output and error (the guest's serial console with {@code -serial stdio}),
 * read from a socket by one thread: copied as they come to an optional stream (the user's
 * terminal) and kept as lines that callers can wait for.
 */
public final class QemuConsole {
    private final UnixSocket socket;
    private final OutputStream copy;
    private final Thread reader;
    private final List<String> lines = new ArrayList<>();
    private final StringBuilder partial = new StringBuilder();
    private boolean ended;

    QemuConsole(UnixSocket socket, OutputStream copy, String name) {
        this.socket = socket;
        this.copy = copy;
        this.reader = Thread.ofPlatform().daemon().name("qemu-console-" + name).start(this::read);
    }

    private void read() {
        byte[] buf = new byte[4096];
        try {
            while (true) {
                UnixSocket.Received r = socket.receive(buf, 0, buf.length);
                UnixSocket.closeAll(r.fds());
                if (r.endOfStream()) break;
                if (copy != null) {
                    copy.write(buf, 0, r.bytes());
                    copy.flush();
                }
                append(new String(buf, 0, r.bytes(), StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            append("\n[vpcie: console read failed: " + e.getMessage() + "]\n");
        } finally {
            synchronized (this) {
                if (!partial.isEmpty()) lines.add(partial.toString());
                partial.setLength(0);
                ended = true;
                notifyAll();
            }
        }
    }

    private synchronized void append(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                lines.add(partial.toString());
                partial.setLength(0);
            } else if (c != '\r') {
                partial.append(c);
            }
        }
        notifyAll();
    }

    /** Every complete line so far (carriage returns dropped). */
    public synchronized List<String> lines() { return List.copyOf(lines); }

    /** Everything so far as one text. */
    public synchronized String text() { return String.join("\n", lines) + (partial.isEmpty() ? "" : "\n" + partial); }

    /**
     * Waits for a line matching {@code match} at or after line {@code from}; returns its index,
     * or -1 when the console ended or the time ran out first.
     */
    public synchronized int awaitLine(int from, Predicate<String> match, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int next = from;
        while (true) {
            for (; next < lines.size(); next++) if (match.test(lines.get(next))) return next;
            long left = deadline - System.nanoTime();
            if (ended || left <= 0) return -1;
            wait(Math.max(1, left / 1_000_000));
        }
    }

    /** True once QEMU closed its output (it exited). */
    public synchronized boolean ended() { return ended; }

    void join(Duration timeout) throws InterruptedException { reader.join(timeout); }

    void close() { socket.close(); }
}
