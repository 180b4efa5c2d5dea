package dev.vpcie.vrc.tap;

import dev.vpcie.protocol.transport.MacAddress;
import dev.vpcie.vrc.PcieDevice;
import dev.vpcie.vrc.nic.FrameReceiver;
import dev.vpcie.vrc.nic.LinkListener;
import dev.vpcie.vrc.nic.LinkState;
import dev.vpcie.vrc.nic.NicDriver;
import dev.vpcie.vrc.nic.NicStats;
import dev.vpcie.vrc.nic.TxOffload;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Function;

/**
 * A NicDriver stand-in for bridge tests: what the bridge transmits is recorded with its offload
 * and handed to a "wire" function whose answer comes back as a received frame, delivered on a
 * thread of its own as a driver's poll thread would.
 */
final class FakeNic implements NicDriver {
    record Sent(byte[] frame, TxOffload offload) {}

    final MacAddress mac;
    final LinkedBlockingQueue<Sent> sent = new LinkedBlockingQueue<>();
    private final ExecutorService pollThread = Executors.newSingleThreadExecutor();
    private volatile Function<byte[], byte[]> wire = f -> null;
    private volatile FrameReceiver receiver;
    private volatile LinkListener linkListener;
    private volatile LinkState link = new LinkState(true, 1000, true);

    FakeNic(MacAddress mac) { this.mac = mac; }

    void wire(Function<byte[], byte[]> w) { this.wire = w; }

    void setLink(boolean up) {
        link = up ? new LinkState(true, 1000, true) : LinkState.DOWN;
        pollThread.execute(() -> {
            LinkListener l = linkListener;
            if (l != null) l.linkChanged(link);
        });
    }

    /** Delivers a frame as if the NIC had received it. */
    void inject(byte[] frame) {
        pollThread.execute(() -> {
            FrameReceiver r = receiver;
            if (r != null) r.receive(ByteBuffer.allocateDirect(frame.length).put(frame).flip(), 0);
        });
    }

    @Override public boolean transmit(ByteBuffer frame, TxOffload offload, boolean more) {
        byte[] b = new byte[frame.remaining()];
        frame.get(b);
        sent.add(new Sent(b, offload));
        byte[] answer = wire.apply(b);
        if (answer != null) inject(answer);
        return true;
    }

    @Override public PcieDevice device() { return null; }
    @Override public String chip() { return "fake"; }
    @Override public MacAddress macAddress() { return mac; }
    @Override public LinkState link() { return link; }
    @Override public void onLinkChange(LinkListener l) {
        linkListener = l;
        if (l != null) pollThread.execute(() -> l.linkChanged(link));
    }
    @Override public void onReceive(FrameReceiver r) { receiver = r; }
    @Override public void flush() {}
    @Override public boolean awaitTxSpace(long timeoutNanos) { return true; }
    @Override public int maxFrameSize() { return 1514; }
    @Override public int rxQueues() { return 1; }
    @Override public void setPromiscuous(boolean on) {}
    @Override public NicStats stats() { return new NicStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, List.of(), Map.of()); }
    @Override public void reset() {}
    @Override public void close() { pollThread.shutdownNow(); }
    @Override public String toString() { return "fake NIC " + mac; }
}
