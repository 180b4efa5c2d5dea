package dev.vpcie.protocol.link;

import dev.vpcie.protocol.transport.FrameTransport;
import dev.vpcie.protocol.transport.MacAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One cable end shared by several agents, as several raw sockets on one NIC: every tap sees
 * every frame that arrives, and all send with the same MAC. Single-threaded (tests).
 */
final class SharedEnd {
    private final FrameTransport end;
    private final List<ArrayDeque<byte[]>> queues = new ArrayList<>();
    private final ByteBuffer scratch = ByteBuffer.allocate(65_600);

    SharedEnd(FrameTransport end) { this.end = end; }

    FrameTransport tap() {
        ArrayDeque<byte[]> mine = new ArrayDeque<>();
        queues.add(mine);
        return new FrameTransport() {
            @Override public MacAddress address() { return end.address(); }
            @Override public int mtu() { return end.mtu(); }
            @Override public String name() { return end.name() + "#" + queues.indexOf(mine); }
            @Override public void send(ByteBuffer frame) throws IOException { end.send(frame); }
            @Override public int receive(ByteBuffer dst, long timeoutNanos) {
                if (mine.isEmpty()) fill();
                byte[] f = mine.poll();
                if (f == null) return 0;
                dst.put(0, f);
                return f.length;
            }
            @Override public void wakeup() {}
            @Override public void close() {}
        };
    }

    private void fill() {
        try {
            for (int n; (n = end.receive(scratch, 0)) > 0; ) {
                byte[] f = new byte[n];
                scratch.get(0, f);
                for (ArrayDeque<byte[]> q : queues) q.add(f);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
