package dev.vpcie.vrc.mpqemu;

import java.io.IOException;

/**
 * One end of a multi-process QEMU connection: messages in, replies out, over a
 * {@link UnixSocket}. The descriptors of a message arrive with its header. A message that
 * fails to decode has its descriptors closed here before the exception leaves; a header that
 * announces more than {@link Command#MAX_PAYLOAD} bytes loses the framing, which no later
 * message can recover from, and ends the connection with an {@link IOException}.
 *
 * <p>{@link #receive} belongs to one thread; {@link #send} may be called from another.
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
            MpqemuCodec.Header h = MpqemuCodec.header(header);
            if (h.size() < 0 || h.size() > Command.MAX_PAYLOAD)
                throw new IOException("multi-process QEMU framing lost: a header announces " + h.size()
                        + " payload bytes (at most " + Command.MAX_PAYLOAD + ")");
            int size = (int) h.size();
            if (size > 0 && !socket.receiveFully(payload, 0, size)) return null;
            if (first.controlTruncated())
                throw new MalformedMessageException(MalformedMessageException.Reason.DESCRIPTORS, Command.of(h.command()),
                        "more than " + UnixSocket.MAX_FDS + " descriptors sent with one message; the rest were lost");
            MpqemuMessage m = MpqemuCodec.decode(h.command(), payload, size, fds);
            fds = null; // the message owns them now
            return m;
        } finally {
            if (fds != null) UnixSocket.closeAll(fds);
        }
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
