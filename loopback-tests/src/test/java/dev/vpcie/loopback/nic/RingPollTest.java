package dev.vpcie.loopback.nic;

import static dev.vpcie.loopback.nic.NicRig.NIC_MAC;
import static dev.vpcie.loopback.nic.NicRig.PEER_MAC;
import static org.junit.jupiter.api.Assertions.*;

import dev.vpcie.testsupport.Await;
import dev.vpcie.vrc.Access;
import dev.vpcie.vrc.Outcome;
import dev.vpcie.vrc.nic.IntelNicDriver;
import dev.vpcie.vrc.nic.NicDriver;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The drivers' ring poll on the root complex's loop, NAPI-style: TX batches ring one doorbell,
 * an RX burst larger than the budget is delivered over several loop cycles and in order, and the
 * loop keeps serving other threads' requests while frames stream.
 */
class RingPollTest {

    /** A frame to {@code dst} whose payload starts with its sequence number. */
    private static byte[] numbered(dev.vpcie.protocol.transport.MacAddress dst, dev.vpcie.protocol.transport.MacAddress src, int n) {
        byte[] f = TestFrames.raw(dst, src, 128, n);
        ByteBuffer.wrap(f).putInt(14, n);
        return f;
    }

    @ParameterizedTest @EnumSource(NicRig.Model.class)
    void aTxBatchRingsTheDoorbellOnce(NicRig.Model model) throws Exception {
        try (NicRig rig = new NicRig(model, 1514)) {
            // No watchdog or peer traffic in the way of the count.
            NicDriver d = rig.open(NicRig.options().withWatchdog(Duration.ofSeconds(60)));
            List<Integer> arrived = new CopyOnWriteArrayList<>();
            rig.peer(f -> arrived.add(ByteBuffer.wrap(f).getInt(14)));
            long doorbells = d.stats().txDoorbells();
            for (int n = 0; n < 32; n++) {
                byte[] f = numbered(PEER_MAC, NIC_MAC, n);
                assertTrue(d.transmit(ByteBuffer.wrap(f), dev.vpcie.vrc.nic.TxOffload.NONE, true), "room for frame " + n);
            }
            assertEquals(doorbells, d.stats().txDoorbells(), "frames queued with 'more' wait for the doorbell");
            d.flush();
            assertEquals(doorbells + 1, d.stats().txDoorbells(), "one doorbell for the whole batch");
            Await.until(() -> arrived.size() == 32, "the batch reached the peer");
            List<Integer> expected = new ArrayList<>();
            for (int n = 0; n < 32; n++) expected.add(n);
            assertEquals(expected, arrived, "in order");
        }
    }

    @ParameterizedTest @EnumSource(NicRig.Model.class)
    void anRxBurstLargerThanTheBudgetIsDeliveredOverSeveralCyclesInOrder(NicRig.Model model) throws Exception {
        int burst = 3 * IntelNicDriver.RX_BUDGET + 10;
        try (NicRig rig = new NicRig(model, 1514)) {
            // Interrupt moderation lets the burst pile up in the ring before the interrupt.
            NicDriver d = rig.open(NicRig.options().withInterruptRate(125).withRings(256, 512));
            List<Integer> order = new CopyOnWriteArrayList<>();
            List<Long> cycles = new CopyOnWriteArrayList<>();
            d.onReceive((frame, q) -> {
                order.add(frame.getInt(frame.position() + 14));
                cycles.add(rig.rc.loop().cycles());
            });
            for (int n = 0; n < burst; n++) rig.toNic(numbered(NIC_MAC, PEER_MAC, n));
            Await.until(() -> order.size() == burst, "the burst arrived");
            List<Integer> expected = new ArrayList<>();
            for (int n = 0; n < burst; n++) expected.add(n);
            assertEquals(expected, order, "in order");
            // Frames handed over in one loop cycle never exceed the budget.
            int run = 1, most = 1;
            for (int i = 1; i < cycles.size(); i++) {
                run = cycles.get(i).equals(cycles.get(i - 1)) ? run + 1 : 1;
                most = Math.max(most, run);
            }
            System.out.println(model + ": " + burst + " frames in " + cycles.stream().distinct().count() + " loop cycles, at most " + most
                    + " in one (budget " + IntelNicDriver.RX_BUDGET + ")");
            assertTrue(most <= IntelNicDriver.RX_BUDGET, "a cycle delivered " + most + " frames");
            assertTrue(cycles.stream().distinct().count() >= 4, "over several cycles");
        }
    }

    @ParameterizedTest @EnumSource(NicRig.Model.class)
    void theLoopServesRequestsFromOtherThreadsWhileFramesStream(NicRig.Model model) throws Exception {
        try (NicRig rig = new NicRig(model, 1514)) {
            NicDriver d = rig.open(NicRig.options());
            AtomicLong arrived = new AtomicLong();
            rig.peer(f -> arrived.incrementAndGet());
            AtomicBoolean stop = new AtomicBoolean();
            Thread sender = Thread.ofPlatform().daemon().start(() -> {
                try {
                    for (int n = 0; !stop.get(); n++) {
                        byte[] f = TestFrames.raw(PEER_MAC, NIC_MAC, 60 + n % 1400, n);
                        while (!stop.get() && !d.transmit(ByteBuffer.wrap(f))) d.awaitTxSpace(TimeUnit.MILLISECONDS.toNanos(50));
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            try {
                Await.until(() -> arrived.get() > 200, "frames stream");
                // What a CLI command does meanwhile: configuration and MMIO reads from its own thread.
                long before = arrived.get();
                for (int i = 0; i < 50; i++) {
                    Access id = rig.device.configRead(0, 4);
                    assertEquals(Outcome.SUCCESS, id.outcome());
                    assertEquals(rig.device.vendorId() | (long) rig.device.deviceId() << 16, id.value());
                    assertEquals(Outcome.SUCCESS, rig.device.mmioRead(0, 0x0008, 4).outcome(), "STATUS");
                }
                long during = arrived.get() - before;
                Await.until(() -> arrived.get() > before + during + 100, "frames still stream");
            } finally {
                stop.set(true);
                sender.join(5000);
            }
        }
    }

    @ParameterizedTest @EnumSource(NicRig.Model.class)
    void anIdleNicCostsTheLoopNoCpu(NicRig.Model model) throws Exception {
        try (NicRig rig = new NicRig(model, 1514)) {
            NicDriver d = rig.open(NicRig.options());
            rig.peer(f -> { });
            d.transmit(ByteBuffer.wrap(TestFrames.raw(PEER_MAC, NIC_MAC, 60, 1)));
            // Idle now: the loop blocks (watchdog kicks aside) and its CPU time stops growing.
            // Windows of 200 ms until one grows by under 2 ms (1 %), bounded.
            long before = rig.rc.loop().cpuTimeNs(), grew = Long.MAX_VALUE;
            for (int i = 0; i < 50 && grew > 2_000_000; i++) {
                java.util.concurrent.locks.LockSupport.parkNanos(200_000_000L);
                long now = rig.rc.loop().cpuTimeNs();
                grew = now - before;
                before = now;
            }
            assertTrue(grew <= 2_000_000, "an idle NIC's loop used " + grew + " ns of CPU in 200 ms");
        }
    }
}
