package dev.vpcie.loopback.nic;

import static dev.vpcie.loopback.nic.NicRig.NIC_MAC;
import static dev.vpcie.loopback.nic.NicRig.PEER_MAC;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vpcie.vrc.nic.NicDriver;
import dev.vpcie.vrc.nic.NicStats;
import dev.vpcie.vrc.nic.TxOffload;
import dev.vpcie.vrc.nic.packet.EchoResponder;
import dev.vpcie.vrc.nic.packet.Ipv4Address;
import dev.vpcie.vrc.nic.ping.PingSummary;
import dev.vpcie.vrc.nic.ping.Pinger;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Driver and model together over the in-memory pipe, no network: ping round trip, transmit rate
 * with plain frames and with TSO, receive rate. Prints figures, asserts nothing. Run with
 * {@code -Dvpcie.bench=true -Dtest=NicDriverBench}; {@code -Dvpcie.bench.seconds=N} per figure.
 */
class NicDriverBench {
    private static final int SECONDS = Integer.getInteger("vpcie.bench.seconds", 3);

    @ParameterizedTest @EnumSource(NicRig.Model.class)
    void pingAndThroughput(NicRig.Model model) throws Exception {
        assumeTrue(Boolean.getBoolean("vpcie.bench"), "benchmark skipped: set -Dvpcie.bench=true");
        try (NicRig rig = new NicRig(model, 9014)) {
            NicDriver d = rig.open(NicRig.options());
            long[] rt = new long[2000];
            for (int i = 0; i < rt.length; i++) {
                long t0 = System.nanoTime();
                rig.device.mmioRead(0, 0x0008, 4).value();
                rt[i] = System.nanoTime() - t0;
            }
            java.util.Arrays.sort(rt);
            System.out.printf("%s register read round trip over memory: median %.1f us, p99 %.1f us%n", model, rt[1000] / 1e3, rt[1980] / 1e3);
            EchoResponder peer = new EchoResponder(PEER_MAC, Ipv4Address.parse("10.0.0.2"), 64);
            rig.peer(f -> peer.respond(f, f.length).ifPresent(rig::toNic));
            ping(model + " ping over memory", d);

            AtomicLong bytes = new AtomicLong(), frames = new AtomicLong();
            rig.peer(f -> {
                frames.incrementAndGet();
                bytes.addAndGet(f.length);
            });
            transmitFor(d, TestFrames.raw(PEER_MAC, NIC_MAC, 1514, 1), TxOffload.NONE);
            report(model + " TX 1514-byte frames", frames, bytes);

            byte[] big = TestFrames.transport(PEER_MAC, NIC_MAC, true, 6, 65000, 1, 2, 3);
            transmitFor(d, big, new TxOffload.Segmentation(14, true, 34, 20, 1460));
            report(model + " TX TSO 64 KB -> 1514-byte segments", frames, bytes);

            AtomicLong rxBytes = new AtomicLong(), rxFrames = new AtomicLong();
            d.onReceive((f, q) -> {
                rxFrames.incrementAndGet();
                rxBytes.addAndGet(f.remaining());
            });
            byte[] in = TestFrames.raw(NIC_MAC, PEER_MAC, 1514, 2);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
            long injected = 0;
            while (System.nanoTime() < end) {
                // Keep at most 64 frames between the cable and the driver, as a switch with a small queue would.
                while (injected - rxFrames.get() < 64) {
                    rig.toNic(in);
                    injected++;
                }
                Thread.onSpinWait();
            }
            report(model + " RX 1514-byte frames", rxFrames, rxBytes);
            NicStats st = d.stats();
            System.out.printf("%s: interrupts %d, register reads %d, writes %d, NIC missed %d, no buffers %d%n", model, st.interrupts(),
                    st.mmioReads(), st.mmioWrites(), st.hardware("MPC"), st.hardware("RNBC"));
        }
    }

    private static void ping(String what, NicDriver d) throws InterruptedException {
        try (Pinger p = new Pinger(d, Pinger.Settings.defaults(Ipv4Address.parse("10.0.0.2"), Ipv4Address.parse("10.0.0.1"), NIC_MAC)
                .withCount(1000).withInterval(Duration.ofMillis(2)).withLinger(Duration.ofSeconds(1)))) {
            p.resolve();
            PingSummary s = p.run(r -> { }, () -> false);
            System.out.printf("%s: %d/%d replies, median %.1f us, p99 %.1f us, max %.1f us%n", what, s.received(), s.transmitted(),
                    s.medianNanos() / 1e3, s.percentileNanos(99) / 1e3, s.maxNanos() / 1e3);
        }
    }

    @ParameterizedTest @EnumSource(NicRig.Model.class)
    void pingWithBusyPolling(NicRig.Model model) throws Exception {
        assumeTrue(Boolean.getBoolean("vpcie.bench"), "benchmark skipped: set -Dvpcie.bench=true");
        try (NicRig rig = new NicRig(model, 1514)) {
            NicDriver d = rig.open(NicRig.options().withBusyPoll(Duration.ofMillis(3)));
            EchoResponder peer = new EchoResponder(PEER_MAC, Ipv4Address.parse("10.0.0.2"), 64);
            rig.peer(f -> peer.respond(f, f.length).ifPresent(rig::toNic));
            ping(model + " ping over memory, busy polling 3 ms", d);
        }
    }

    private static void transmitFor(NicDriver d, byte[] frame, TxOffload offload) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
        int n = 0;
        while (System.nanoTime() < end) {
            if (!d.transmit(ByteBuffer.wrap(frame), offload, ++n % 16 != 0)) {
                d.flush();
                d.awaitTxSpace(TimeUnit.MILLISECONDS.toNanos(100));
            }
        }
        d.flush();
    }

    private static void report(String what, AtomicLong frames, AtomicLong bytes) {
        long f = frames.getAndSet(0), b = bytes.getAndSet(0);
        System.out.printf("%s: %.0f frames/s, %.2f Gbit/s%n", what, (double) f / SECONDS, b * 8.0 / SECONDS / 1e9);
    }
}
