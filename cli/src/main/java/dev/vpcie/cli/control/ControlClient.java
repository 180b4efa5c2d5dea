package dev.vpcie.cli.control;

import dev.vpcie.cli.control.ControlProtocol.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Runs a {@code vrc} subcommand in the VRC that serves a control socket, if one does. */
public final class ControlClient {
    private ControlClient() {}

    /**
     * Sends {@code args} to the VRC listening on {@code path} and returns its response; empty when
     * no VRC listens there (no socket file, or a stale one). A VRC that does not answer within
     * {@code timeout} is an {@link IOException} saying so.
     */
    public static Optional<Response> call(Path path, List<String> args, Duration timeout) throws IOException {
        if (!Files.exists(path)) return Optional.empty();
        SocketChannel ch;
        try {
            ch = SocketChannel.open(UnixDomainSocketAddress.of(path));
        } catch (ConnectException e) {
            return Optional.empty(); // a socket file whose VRC died: nobody listens
        }
        try (ch; Selector selector = Selector.open()) {
            long deadline = System.nanoTime() + timeout.toNanos();
            ch.configureBlocking(false);
            ByteBuffer request = ByteBuffer.wrap(ControlProtocol.encodeRequest(args));
            SelectionKey key = ch.register(selector, SelectionKey.OP_WRITE);
            while (request.hasRemaining()) {
                await(selector, deadline, path);
                ch.write(request);
            }
            key.interestOps(SelectionKey.OP_READ);
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
            while (true) {
                int n = ch.read(buffer.clear());
                if (n < 0) break;
                if (n == 0) {
                    await(selector, deadline, path);
                    continue;
                }
                if (response.size() + n > ControlProtocol.MAX_RESPONSE_BYTES)
                    throw new IOException("the VRC on " + path + " answered more than " + ControlProtocol.MAX_RESPONSE_BYTES + " bytes");
                response.write(buffer.array(), 0, n);
            }
            String line = response.toString(StandardCharsets.UTF_8).strip();
            try {
                return Optional.of(Response.decode(line));
            } catch (IllegalArgumentException e) {
                throw new IOException("the VRC on " + path + " answered something else than a control response: "
                        + ControlProtocol.abbreviate(line));
            }
        }
    }

    /** Whether a process listens on {@code path} (it sees a connection that sends nothing). */
    public static boolean listening(Path path) {
        if (!Files.exists(path)) return false;
        try (SocketChannel ignored = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void await(Selector selector, long deadline, Path path) throws IOException {
        long left = deadline - System.nanoTime();
        if (left <= 0) throw new IOException("the VRC on " + path + " did not answer in time");
        selector.select(Math.max(1, Duration.ofNanos(left).toMillis()));
        selector.selectedKeys().clear();
    }
}
