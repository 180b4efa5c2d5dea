package dev.vpcie.loopback.nic;

import static dev.vpcie.loopback.nic.NicRig.NIC_MAC;
import static dev.vpcie.loopback.nic.NicRig.PEER_MAC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.vrc.DmaBuffer;
import dev.vpcie.vrc.drivers.DmaTestDriver;
import dev.vpcie.vrc.nic.NicDriver;
import dev.vpcie.vrc.nic.packet.EchoResponder;
import dev.vpcie.vrc.nic.packet.Ipv4Address;
import dev.vpcie.vrc.nic.ping.PingSummary;
import dev.vpcie.vrc.nic.ping.Pinger;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code vpcie endpoint --agents 2}: a dmatest (function 0, first agent, with the link) and a NIC
 * (function 1, second agent) both work, at the same time: DMA copies byte-identical while the NIC
 * answers pings and moves frames both ways.
 */
class AgentsEndToEndTest {
    private static final long SECOND = 1_000_000_000L;

    @ParameterizedTest @EnumSource(NicRig.Model.class)
    void dmatestAndANicWorkTogetherOnTwoAgents(NicRig.Model model) throws Exception {
        try (NicRig rig = new NicRig(model, 1514, 2)) {
            assertEquals(2, rig.endpoint.agents());
            assertNotSame(rig.endpoint.function(0).loop(), rig.endpoint.function(1).loop(), "each function on its own agent");
            assertTrue(rig.endpoint.function(0).loop() == rig.endpoint.loop(), "function 0 shares the first agent with the link");

            CompletableFuture<Void> copies = CompletableFuture.runAsync(() -> copies(rig, 1, 4097, 65_537, 1 << 20, (1 << 20) + 7));
            NicDriver d = rig.open(NicRig.options());
            EchoResponder peer = new EchoResponder(PEER_MAC, Ipv4Address.parse("10.0.0.2"), 64);
            rig.peer(f -> peer.respond(f, f.length).ifPresent(rig::toNic));
            Pinger.Settings s = Pinger.Settings.defaults(Ipv4Address.parse("10.0.0.2"), Ipv4Address.parse("10.0.0.1"), d.macAddress())
                    .withCount(20).withInterval(Duration.ofMillis(2));
            try (Pinger pinger = new Pinger(d, s)) {
                assertEquals(PEER_MAC, pinger.resolve());
                PingSummary summary = pinger.run(r -> {}, () -> false);
                assertEquals(20, summary.received(), summary.format());
            }
            LinkedBlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
            d.onReceive((frame, q) -> {
                byte[] b = new byte[frame.remaining()];
                frame.get(b);
                received.add(b);
            });
            rig.peer(rig.fromNic::add);
            for (int size = 60; size <= 1514; size += 97) {
                byte[] out = TestFrames.raw(PEER_MAC, NIC_MAC, size, size);
                assertTrue(d.transmit(ByteBuffer.wrap(out)));
                assertArrayEquals(out, rig.nextFromNic(), "frame of " + size + " bytes sent");
                byte[] in = TestFrames.raw(NIC_MAC, PEER_MAC, size, -size);
                rig.toNic(in);
                byte[] got = received.poll(NicRig.WAIT_S, TimeUnit.SECONDS);
                assertNotNull(got, "frame of " + size + " bytes received");
                assertArrayEquals(in, got, "frame of " + size + " bytes received");
            }
            copies.get(60, TimeUnit.SECONDS);
        }
    }

    /** dmatest host-to-host copies of each size at odd offsets, byte-identical. */
    private static void copies(NicRig rig, int... sizes) {
        int max = Arrays.stream(sizes).max().orElse(1);
        DmaBuffer src = rig.rc.hostMemory().allocate(max + 64), dst = rig.rc.hostMemory().allocate(max + 64);
        rig.dmatest.mapDma(src);
        rig.dmatest.mapDma(dst);
        byte[] content = new byte[max + 64];
        new Random(max).nextBytes(content);
        src.segment().copyFrom(MemorySegment.ofArray(content));
        try (DmaTestDriver drv = new DmaTestDriver(rig.dmatest)) {
            for (int i = 0; i < sizes.length; i++) {
                int size = sizes[i];
                int from = i % 7, to = 3 * i % 11;
                dst.segment().fill((byte) 0);
                DmaTestDriver.Completion c = drv.run(DmaTestDriver.Op.COPY, src.busAddress() + from, dst.busAddress() + to, size, 0, 60 * SECOND);
                assertNotNull(c, "copy of " + size + " bytes completes");
                assertTrue(c.ok(), "copy of " + size + " bytes: status " + c.status());
                assertArrayEquals(Arrays.copyOfRange(content, from, from + size), dst.segment().asSlice(to, size).toArray(ValueLayout.JAVA_BYTE),
                        "copy of " + size + " bytes");
            }
        }
    }
}
