package dev.vpcie.cli.control;

import dev.vpcie.cli.control.ControlProtocol.Response;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running VRC's control socket: a Unix socket (mode 0600) that answers {@link ControlProtocol}
 * requests with a {@link Handler}, removed when closed. A socket file left by a VRC that died
 * (nobody listens) is replaced; a live one is refused unless the caller takes over.
 *
 * <p>One thread of its own serves every client, never the agent loop: a client may be slow to
 * send or to read, and the loop must never wait for anyone. The handler runs on this thread too
 * and reaches the data path only through the loop's futures, with timeouts. What a client can
 * make it hold is bounded: {@value #MAX_CLIENTS} connections, a request of
 * {@link ControlProtocol#MAX_REQUEST_BYTES}, and {@value #CLIENT_TIMEOUT_MS} ms to send the
 * request or to read the response.
 */
public final class ControlServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ControlServer.class);
    public static final int MAX_CLIENTS = 8;
    static final long CLIENT_TIMEOUT_MS = 10_000;
    private static final int FIRST_BUFFER = 1024;

    /** Runs one request's subcommand; called on the server's thread, one request at a time. */
    @FunctionalInterface
    public interface Handler {
        Response handle(List<String> args);
    }

    /** Another process listens on the socket: a VRC already serves this interconnect. */
    public static final class AlreadyServedException extends IOException {
        AlreadyServedException(Path path) { super("a VRC already runs on this interconnect (its control socket " + path + " answers)"); }
    }

    private final Path path;
    private final Object fileKey;
    private final ServerSocketChannel server;
    private final Selector selector;
    private final Handler handler;
    private final List<Client> clients = new ArrayList<>();
    private final Thread thread;
    private volatile boolean closed;

    private ControlServer(Path path, ServerSocketChannel server, Handler handler) throws IOException {
        this.path = path;
        this.server = server;
        this.handler = handler;
        this.fileKey = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
        this.selector = Selector.open();
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
        // Not on the data path (the agents'): a client may be slow or stall, and a request may wait
        // for a whole dmatest; this thread takes that, and reaches the agent only through its
        // futures (AgentLoop.call, the root complex's asynchronous requests) with a timeout.
        this.thread = Thread.ofPlatform().daemon().name("vpcie-control").start(this::serve);
    }

    /**
     * Listens on {@code path}. A stale socket file is replaced; a live one is an
     * {@link AlreadyServedException} unless {@code takeOver} (then the newer VRC's socket wins,
     * and the older one leaves it in place when it exits).
     */
    public static ControlServer start(Path path, Handler handler, boolean takeOver) throws IOException {
        Objects.requireNonNull(handler);
        ControlPaths.createDirectory(path.toAbsolutePath().getParent());
        if (Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            if (!Files.readAttributes(path, BasicFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS).isOther())
                throw new IOException(path + " exists and is not a socket; remove it");
            if (ControlClient.listening(path) && !takeOver) throw new AlreadyServedException(path);
            Files.delete(path); // stale: its VRC died without removing it (or it is taken over)
        }
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(path), MAX_CLIENTS);
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
            return new ControlServer(path, server, handler);
        } catch (IOException | RuntimeException e) {
            server.close();
            Files.deleteIfExists(path);
            throw e;
        }
    }

    public Path path() { return path; }

    /** Stops serving (a request being handled finishes first, within its own timeouts) and removes the socket. */
    @Override public void close() {
        if (closed) return;
        closed = true;
        selector.wakeup();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            server.close();
            selector.close();
        } catch (IOException e) {
            log.debug("closing the control socket: {}", e.toString());
        }
        try { // only our own file: a VRC that took over (--force) put its socket there
            if (Objects.equals(fileKey, Files.readAttributes(path, BasicFileAttributes.class).fileKey())) Files.delete(path);
        } catch (IOException e) {
            log.debug("removing {}: {}", path, e.toString());
        }
    }

    // ------------------------------------------------------------------ server thread

    /** One connection: its request as it arrives, then its response as it leaves. */
    private static final class Client {
        final SocketChannel channel;
        ByteBuffer in = ByteBuffer.allocate(FIRST_BUFFER);
        ByteBuffer out;
        /** The response is out and the output shut: what the client still sends is read and dropped until it closes. */
        boolean draining;
        long deadlineNs;

        Client(SocketChannel channel, long nowNs) {
            this.channel = channel;
            this.deadlineNs = nowNs + TimeUnit.MILLISECONDS.toNanos(CLIENT_TIMEOUT_MS);
        }
    }

    private void serve() {
        while (!closed) {
            try {
                selector.select(1000);
                for (SelectionKey key : selector.selectedKeys()) {
                    if (!key.isValid()) continue;
                    if (key.isAcceptable()) accept();
                    else if (key.isReadable()) read(key, (Client) key.attachment());
                    else if (key.isWritable()) write(key, (Client) key.attachment());
                }
                selector.selectedKeys().clear();
                expire(System.nanoTime());
            } catch (IOException | RuntimeException e) {
                if (!closed) log.warn("control socket {}: {}", path, e.toString());
            }
        }
        for (Client c : List.copyOf(clients)) drop(c);
    }

    private void accept() throws IOException {
        SocketChannel ch = server.accept();
        if (ch == null) return;
        ch.configureBlocking(false);
        Client c = new Client(ch, System.nanoTime());
        if (clients.size() >= 2 * MAX_CLIENTS) { // not even room to say so
            ch.close();
            return;
        }
        clients.add(c);
        SelectionKey key = ch.register(selector, SelectionKey.OP_READ, c);
        if (clients.size() > MAX_CLIENTS)
            respond(key, c, Response.error(1, "the VRC's control socket has " + MAX_CLIENTS + " clients already; try again"));
    }

    private void read(SelectionKey key, Client c) throws IOException {
        if (c.draining) {
            drain(c);
            return;
        }
        int n;
        try {
            n = c.channel.read(c.in);
        } catch (IOException e) {
            drop(c);
            return;
        }
        if (n < 0) { // gone before its request was complete (a probe that only connects, too)
            drop(c);
            return;
        }
        int newline = indexOfNewline(c.in);
        if (newline >= 0) {
            String line = new String(c.in.array(), 0, newline, StandardCharsets.UTF_8);
            respond(key, c, answer(line));
        } else if (!c.in.hasRemaining()) {
            if (c.in.capacity() >= ControlProtocol.MAX_REQUEST_BYTES) {
                respond(key, c, Response.error(2, "request larger than " + ControlProtocol.MAX_REQUEST_BYTES + " bytes refused"));
                return;
            }
            ByteBuffer bigger = ByteBuffer.allocate(Math.min(ControlProtocol.MAX_REQUEST_BYTES, c.in.capacity() * 2));
            c.in = bigger.put(c.in.flip());
        }
    }

    private Response answer(String line) {
        List<String> args;
        try {
            args = ControlProtocol.decodeRequest(line);
        } catch (IllegalArgumentException e) {
            return Response.error(2, "bad control request: " + e.getMessage());
        }
        try {
            return handler.handle(args);
        } catch (RuntimeException e) {
            log.warn("control request {} failed", args, e);
            return Response.error(1, "the request failed in the VRC: " + e);
        }
    }

    private void respond(SelectionKey key, Client c, Response r) throws IOException {
        c.out = ByteBuffer.wrap(r.encode());
        c.deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLIENT_TIMEOUT_MS);
        key.interestOps(SelectionKey.OP_WRITE);
        write(key, c);
    }

    private void write(SelectionKey key, Client c) {
        try {
            c.channel.write(c.out);
        } catch (IOException e) {
            drop(c);
            return;
        }
        if (c.out.hasRemaining()) return;
        // One request per connection: end of stream ends the response. A close with unread input
        // would reset the connection and lose the response, so shut the output and read on until
        // the client closes (or its time is up).
        try {
            c.channel.shutdownOutput();
            c.draining = true;
            key.interestOps(SelectionKey.OP_READ);
            drain(c);
        } catch (IOException e) {
            drop(c);
        }
    }

    private void drain(Client c) {
        ByteBuffer scratch = c.in.clear();
        try {
            while (true) {
                int n = c.channel.read(scratch.clear());
                if (n < 0) break;
                if (n == 0) return;
            }
        } catch (IOException e) {
            // gone: nothing more to wait for
        }
        drop(c);
    }

    private void expire(long nowNs) {
        for (Client c : List.copyOf(clients)) {
            if (nowNs - c.deadlineNs > 0) {
                log.debug("control client timed out after {} ms", CLIENT_TIMEOUT_MS);
                drop(c);
            }
        }
    }

    private void drop(Client c) {
        clients.remove(c);
        try {
            c.channel.close();
        } catch (IOException e) {
            log.debug("closing a control client: {}", e.toString());
        }
    }

    private static int indexOfNewline(ByteBuffer b) {
        byte[] a = b.array();
        for (int i = 0; i < b.position(); i++) if (a[i] == '\n') return i;
        return -1;
    }
}
