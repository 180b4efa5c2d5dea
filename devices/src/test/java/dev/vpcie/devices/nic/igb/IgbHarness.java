package dev.vpcie.devices.nic.igb;

import dev.vpcie.devices.nic.HostMemory;
import dev.vpcie.devices.nic.MacAddress;
import dev.vpcie.devices.nic.NvmImage;
import dev.vpcie.devices.spi.Counters;
import dev.vpcie.devices.spi.DeviceContext;
import dev.vpcie.devices.spi.MemoryEthernetWire;
import dev.vpcie.devices.spi.TimerQueue;
import dev.vpcie.devices.testing.FakeClock;
import dev.vpcie.devices.testing.RecordingInterrupts;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * An 82576 wired to test doubles: byte-array host memory, a recording interrupt port, a fake clock
 * driving the timer queue, and an in-memory Ethernet cable whose far end the test holds.
 * Everything runs on the test's thread, which plays the function's thread.
 */
final class IgbHarness {
    static final MacAddress MAC = MacAddress.parse("52:54:00:12:34:56");
    static final int MEMORY = 24 << 20;

    final FakeClock clock = new FakeClock(1_000_000_000L);
    final TimerQueue timers = new TimerQueue(clock::nowNs);
    final IgbFunction function;
    final HostMemory memory;
    final RecordingInterrupts irq = new RecordingInterrupts();
    final Counters counters = new Counters();
    final MemoryEthernetWire wire;
    /** Frames the NIC put on the wire, as the peer received them. */
    final List<byte[]> peerReceived = new ArrayList<>();

    IgbHarness() { this(IgbOptions.of(MAC), null, 16384); }

    IgbHarness(IgbOptions options, NvmImage nvm, int wireMaxFrame) {
        function = nvm == null ? new IgbFunction(options) : new IgbFunction(options, nvm);
        memory = new HostMemory(MEMORY, () -> function.config().busMasterEnabled());
        wire = new MemoryEthernetWire(wireMaxFrame, Runnable::run, Runnable::run);
        wire.endB().setReceiver(f -> {
            byte[] b = new byte[f.remaining()];
            f.get(b);
            peerReceived.add(b);
        });
        function.attach(new DeviceContext("igb-test", memory, irq, timers, counters, List.of(wire.endA())));
    }

    /** The peer sends a frame to the NIC. */
    boolean peerSend(byte[] frame) {
        boolean ok = wire.endB().send(ByteBuffer.wrap(frame));
        settle();
        return ok;
    }

    /** Runs every timer task that is due now (zero-delay work included) until none is left. */
    void settle() {
        for (int i = 0; i < 10_000 && timers.runExpired(clock.nowNs()) > 0; i++) { }
    }

    /** Moves the fake clock on and runs what became due. */
    void advance(long ns) {
        clock.advance(ns);
        settle();
    }
}
