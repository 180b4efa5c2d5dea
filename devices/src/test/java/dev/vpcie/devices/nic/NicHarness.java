package dev.vpcie.devices.nic;

import dev.vpcie.devices.spi.Counters;
import dev.vpcie.devices.spi.DeviceContext;
import dev.vpcie.devices.spi.EthernetPort;
import dev.vpcie.devices.spi.MemoryEthernetWire;
import dev.vpcie.devices.spi.PcieFunction;
import dev.vpcie.devices.spi.TimerQueue;
import dev.vpcie.devices.testing.FakeClock;
import dev.vpcie.devices.testing.RecordingInterrupts;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A NIC model wired to test doubles: byte-array host memory (DMA allowed while bus mastering is
 * on), a recording interrupt port, a fake clock driving the timer queue, and an in-memory
 * Ethernet cable whose far end the test holds. Everything runs on the test's thread, which plays
 * the function's thread. Each model's tests extend it with the model's constructor.
 */
public abstract class NicHarness<F extends PcieFunction> {
    public static final MacAddress MAC = MacAddress.parse("52:54:00:12:34:56");

    public final FakeClock clock = new FakeClock(1_000_000_000L);
    public final TimerQueue timers = new TimerQueue(clock::nowNs);
    public final F function;
    public final HostMemory memory;
    public final RecordingInterrupts irq = new RecordingInterrupts();
    public final Counters counters = new Counters();
    public final MemoryEthernetWire wire;
    /** Frames the NIC put on the wire, as the peer received them. */
    public final List<byte[]> peerReceived = new ArrayList<>();

    protected NicHarness(String name, F function, int memoryBytes, int wireMaxFrame) {
        this.function = function;
        memory = new HostMemory(memoryBytes, () -> function.config().busMasterEnabled());
        wire = new MemoryEthernetWire(wireMaxFrame, Runnable::run, Runnable::run);
        wire.endB().setReceiver(f -> {
            byte[] b = new byte[f.remaining()];
            f.get(b);
            peerReceived.add(b);
        });
        function.attach(new DeviceContext(name, memory, irq, timers, counters, List.of(new Port(wire.endA()))));
    }

    /** The NIC's end of the cable, keeping the receiver the NIC installs so a test can call it directly. */
    private final class Port implements EthernetPort {
        private final EthernetPort end;

        Port(EthernetPort end) { this.end = end; }

        @Override public boolean send(ByteBuffer frame) { return end.send(frame); }

        @Override public void setReceiver(FrameReceiver r) {
            nicReceiver = r;
            end.setReceiver(r);
        }

        @Override public boolean linkUp() { return end.linkUp(); }

        @Override public void setLinkListener(LinkListener l) { end.setLinkListener(l); }

        @Override public int maxFrameSize() { return end.maxFrameSize(); }
    }

    private EthernetPort.FrameReceiver nicReceiver;

    /** The peer's frame arrives as a wire hands over one whose checksums it computed ({@link EthernetPort.FrameReceiver#receiveComputed}). */
    public void peerSendComputed(byte[] frame) {
        nicReceiver.receiveComputed(ByteBuffer.wrap(frame));
        settle();
    }

    /** Whether the NIC takes a burst of {@code frames} frames, {@code bytes} in all, now, asked as a wire asks before it hands one over ({@link EthernetPort.FrameReceiver#accepts}). */
    public boolean nicAccepts(int frames, int bytes) { return nicReceiver.accepts(frames, bytes); }

    /** The peer sends a frame to the NIC. */
    public boolean peerSend(byte[] frame) {
        boolean ok = wire.endB().send(ByteBuffer.wrap(frame));
        settle();
        return ok;
    }

    /** Completes DMA reads and runs every timer task that is due now (zero-delay work included) until none is left. */
    public void settle() {
        for (int i = 0; i < 10_000 && memory.dma.completeReads() + timers.runExpired(clock.nowNs()) > 0; i++) { }
    }

    /** Moves the fake clock on and runs what became due. */
    public void advance(long ns) {
        clock.advance(ns);
        settle();
    }
}
