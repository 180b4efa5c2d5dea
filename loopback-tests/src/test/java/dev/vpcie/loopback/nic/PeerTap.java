package dev.vpcie.loopback.nic;

import dev.vpcie.devices.spi.MemoryEthernetWire;
import dev.vpcie.protocol.transport.EventFd;
import dev.vpcie.protocol.transport.Tap;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;

/**
 * The far end of a NIC model's cable as a plain TAP, so a kernel network stack (in the namespace
 * the TAP is created in) is the NIC's peer. Frames the NIC sends are written to the TAP; frames
 * the kernel sends on it go onto the cable.
 */
final class PeerTap implements AutoCloseable {
    private final Tap tap;
    private final EventFd stop;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment out = arena.allocate(16384, 64);
    private final Thread reader;
    private volatile boolean running = true;

    /** Creates TAP {@code name} in the calling thread's namespace and plugs it into {@code wire}'s end B. */
    PeerTap(MemoryEthernetWire wire, String name) throws IOException {
        tap = Tap.create(name, false);
        stop = EventFd.open();
        wire.endB().setReceiver(frame -> {
            synchronized (this) {
                if (!running) return;
                int n = frame.remaining();
                MemorySegment.copy(MemorySegment.ofBuffer(frame), 0, out, 0, n);
                try {
                    tap.write(out, n);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        reader = Thread.ofPlatform().daemon().name("peer-" + name).start(() -> {
            try {
                while (running) {
                    if (!tap.awaitReadable(stop, 500)) continue;
                    for (int n; running && (n = tap.read()) > 0; )
                        wire.endB().send(ByteBuffer.wrap(tap.readBuffer().asSlice(0, n).toArray(ValueLayout.JAVA_BYTE)));
                }
            } catch (IOException e) {
                if (running) throw new IllegalStateException(e);
            }
        });
    }

    @Override public void close() throws InterruptedException {
        running = false;
        stop.signal();
        reader.join(5000);
        synchronized (this) {
            tap.close();
        }
        stop.close();
        arena.close();
    }
}
