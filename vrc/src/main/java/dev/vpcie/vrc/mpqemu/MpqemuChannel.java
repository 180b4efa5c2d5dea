package dev.vpcie.vrc.mpqemu;

import java.io.IOException;

/**
 * One end of a multi-process QEMU connection: messages in, replies out, over a
 * {@link UnixSocket}. The descriptors of a message arrive with its header. A message that
 * fails to decode has its descriptors closed here before the exception leaves; a header that
 * announces more than {@link Command#MAX_PAYLOAD} bytes loses the framing, which no later
 * message can recover from, and ends the connection with an {@link IOException}.
 *
 * <p>{@link #receive} or {@link #poll} belongs to one thread; {@link #send} may be called from another.
 */
public final class MpqemuChannel implements AutoCloseable {
    private final UnixSocket socket;
    private final byte[] header = new byte[Command.HEADER_SIZE];
    private final byte[] payload = new byte[Command.MAX_PAYLOAD];

    public MpqemuChannel(UnixSocket socket) { this.socket = socket; }

    public UnixSocket socket() { return socket; }

    /** The next message, or null when the peer closed the connection (or it was shut down). */
    public MpqemuMessage receive() throws IOException, MalformedMessageException {
        UnixSocket.Received first = socket.receive(header, 0, Command.HEADER_SIZE);
        if (first.endOfStream()) return null;
        int[] fds = first.fds();
        try {
            if (first.bytes() < Command.HEADER_SIZE
                    && !socket.receiveFully(header, first.bytes(), Command.HEADER_SIZE - first.bytes()))
                return null;
            MpqemuCodec.Header h = checkedHeader();
            int size = (int) h.size();
            if (size > 0 && !socket.receiveFully(payload, 0, size)) return null;
            int[] owned = fds;
            fds = null; // decode owns them now
            return decode(h, size, owned, first.controlTruncated());
        } finally {
            if (fds != null) UnixSocket.closeAll(fds);
        }
    }

    /** The header just read; a size past {@link Command#MAX_PAYLOAD} loses the framing for good. */
    private MpqemuCodec.Header checkedHeader() throws IOException {
        MpqemuCodec.Header h = MpqemuCodec.header(header);
        if (h.size() < 0 || h.size() > Command.MAX_PAYLOAD)
            throw new IOException("multi-process QEMU framing lost: a header announces " + h.size()
                    + " payload bytes (at most " + Command.MAX_PAYLOAD + ")");
        return h;
    }

    /** The message whose header and payload are in, owning {@code fds} (closed here if it fails to decode). */
    private MpqemuMessage decode(MpqemuCodec.Header h, int size, int[] fds, boolean controlTruncated) throws MalformedMessageException {
        try {
            if (controlTruncated)
                throw new MalformedMessageException(MalformedMessageException.Reason.DESCRIPTORS, Command.of(h.command()),
                        "more than " + UnixSocket.MAX_FDS + " descriptors sent with one message; the rest were lost");
            MpqemuMessage m = MpqemuCodec.decode(h.command(), payload, size, fds);
            fds = null; // the message owns them now
            return m;
        } finally {
            if (fds != null) UnixSocket.closeAll(fds);
        }
    }

    // ---- without waiting, for a loop that watches the socket ----

    /** What {@link #poll} has of the message in progress: header and payload bytes, and its descriptors. */
    private int polledHeader, polledPayload;
    private int[] polledFds = new int[0];
    private boolean polledTruncated, ended;

    /** True once {@link #poll} saw the end of the stream. */
    public boolean ended() { return ended; }

    /**
     * The next message if all of it has arrived, else null (and {@link #ended()} tells whether the
     * stream ended): reads what the socket holds without waiting and keeps a partial message for
     * the next call. Errors as {@link #receive}.
     */
    public MpqemuMessage poll() throws IOException, MalformedMessageException {
        if (ended) return null;
        while (polledHeader < Command.HEADER_SIZE) {
            UnixSocket.Received r = socket.receiveNow(header, polledHeader, Command.HEADER_SIZE - polledHeader);
            if (r == null) return null;
            if (r.endOfStream()) return end();
            if (polledHeader == 0) {
                polledFds = r.fds();
                polledTruncated = r.controlTruncated();
            } else {
                UnixSocket.closeAll(r.fds()); // descriptors belong to the start of a message
            }
            polledHeader += r.bytes();
        }
        MpqemuCodec.Header h;
        try {
            h = checkedHeader();
        } catch (IOException e) {
            end();
            throw e;
        }
        int size = (int) h.size();
        while (polledPayload < size) {
            UnixSocket.Received r = socket.receiveNow(payload, polledPayload, size - polledPayload);
            if (r == null) return null;
            if (r.endOfStream()) return end();
            UnixSocket.closeAll(r.fds());
            polledPayload += r.bytes();
        }
        int[] fds = polledFds;
        polledHeader = polledPayload = 0;
        polledFds = new int[0];
        return decode(h, size, fds, polledTruncated);
    }

    private MpqemuMessage end() {
        ended = true;
        UnixSocket.closeAll(polledFds);
        polledFds = new int[0];
        return null;
    }

    /** Sends a message (with the descriptors it names; this side keeps its own copies). */
    public void send(MpqemuMessage m) throws IOException {
        MpqemuCodec.Encoded e = MpqemuCodec.encode(m);
        socket.send(e.bytes(), 0, e.bytes().length, e.fds());
    }

    /** Answers the request being served. */
    public void reply(long value) throws IOException { send(new MpqemuMessage.Ret(value)); }

    @Override public void close() { socket.close(); }
}
