package dev.vpcie.loopback;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.protocol.encap.FrameCodec;
import dev.vpcie.protocol.link.GroupKey;
import dev.vpcie.protocol.link.LinkCounters;
import dev.vpcie.protocol.link.SecurityCounters;
import dev.vpcie.protocol.transport.MacAddress;
import dev.vpcie.testsupport.Await;
import dev.vpcie.vrc.DmaBuffer;
import dev.vpcie.vrc.PcieDevice;
import dev.vpcie.vrc.RootComplex;
import dev.vpcie.vrc.drivers.DmaTestDriver;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * The attacks of issue 10 replayed by a {@link Stranger} on the segment against a real VRC and a
 * real endpoint (docs/security.md): none of them gets through, each is counted.
 */
class HostilePeerTest {
    private static final long SECOND = 1_000_000_000L;
    private static final int INSTANCE = 1; // both sides' host instance (LinkConfig default)
    private static final int COPY = 4 << 20;
    /** The dmatest ID register: "DMT1". */
    private static final long DMATEST_ID = 0x31544d44L;

    private static LinkRig rig(HostileSegment segment, GroupKey key) throws Exception {
        return LinkRig.start(segment, LinkRig.Options.defaults().withGroupKey(key));
    }

    /** Runs {@code attack} over and over on its own thread until the returned flag is cleared. */
    private static Thread attackUntil(AtomicBoolean running, Runnable attack) {
        Thread t = Thread.ofPlatform().name("stranger").start(() -> {
            while (running.get()) {
                attack.run();
                LockSupport.parkNanos(500_000);
            }
        });
        return t;
    }

    @Test void aTakeoverAttemptDuringACheckedDmaCopyLeavesTheCopyIntactAndTheSessionUp() throws Exception {
        HostileSegment seg = new HostileSegment();
        try (LinkRig r = rig(seg, null)) {
            PcieDevice d = r.enumerateOne();
            DmaBuffer src = r.rc.hostMemory().allocate(COPY), dst = r.rc.hostMemory().allocate(COPY);
            d.mapDma(src);
            d.mapDma(dst);
            byte[] content = new byte[COPY];
            new Random(10).nextBytes(content);
            src.segment().copyFrom(MemorySegment.ofArray(content));
            MacAddress vrc = r.vrcTransport.address(), ep = r.endpointLinks().address();
            Stranger s = new Stranger(r.options.group(), FrameCodec.DEFAULT_ETHER_TYPE);
            AtomicBoolean running = new AtomicBoolean(true);
            Thread attacker = attackUntil(running, () -> {
                // "the peer restarted", both ways, then what a new session would carry: writes into
                // the DMA buffer and an MSI-X from the device, completions, CLOSEs
                s.hello(seg.towardVrc(), ep, vrc, INSTANCE);
                s.hello(seg.towardEndpoint(), vrc, ep, INSTANCE);
                s.data(seg.towardVrc(), ep, vrc, INSTANCE, Stranger.garbageWrite(d.bdf(), dst.busAddress(), 64));
                s.data(seg.towardVrc(), ep, vrc, INSTANCE, Stranger.forgedCompletion(d.bdf(), RootComplex.REQUESTER_ID, 0));
                s.data(seg.towardEndpoint(), vrc, ep, INSTANCE, Stranger.garbageWrite(RootComplex.REQUESTER_ID, d.bar(0).address(), 4));
                s.close(seg.towardVrc(), ep, vrc, INSTANCE);
                s.close(seg.towardEndpoint(), vrc, ep, INSTANCE);
            });
            try (DmaTestDriver drv = new DmaTestDriver(d)) {
                for (int i = 0; i < 4; i++) {
                    dst.segment().fill((byte) 0);
                    DmaTestDriver.Completion c = drv.run(DmaTestDriver.Op.COPY, src.busAddress(), dst.busAddress(), COPY, 0, 60 * SECOND);
                    assertNotNull(c, "copy " + i + " completes");
                    assertTrue(c.ok(), "copy " + i + ": " + c.statusName());
                    assertArrayEquals(content, dst.segment().toArray(ValueLayout.JAVA_BYTE), "copy " + i + " is byte-identical");
                }
            } finally {
                running.set(false);
                attacker.join();
            }
            assertTrue(s.sent() > 70, "the stranger kept at it throughout: " + s.sent() + " frames");
            // the challenge of the stranger's last HELLO may still be on its way back
            Await.until(() -> answered(r.vrcLinks.securityCounters()) && answered(r.endpointLinks().securityCounters()),
                    "the last challenges are answered");
            for (var side : new Object[][] {{"VRC", r.vrcLinks.counters(), r.vrcLinks.securityCounters()},
                    {"endpoint", r.endpointLinks().counters(), r.endpointLinks().securityCounters()}}) {
                LinkCounters c = (LinkCounters) side[1];
                SecurityCounters sc = (SecurityCounters) side[2];
                assertEquals(1, c.sessionsUp(), side[0] + ": one session, never replaced: " + sc);
                assertEquals(0, c.sessionsDown(), side[0] + ": never down");
                assertTrue(sc.challengesSent() > 0 && sc.takeoversRefused() == sc.challengesSent(), side[0] + ": every challenge answered: " + sc);
                assertEquals(0, sc.peersReplaced(), side[0] + ": " + sc);
                assertTrue(sc.wrongTag() > 0, side[0] + ": forged session frames counted: " + sc);
            }
            assertTrue(r.endpoint().owner().orElseThrow().describe().contains(vrc.toString()), "the endpoint kept its owner");
        }
    }

    private static boolean answered(SecurityCounters s) { return s.takeoversRefused() == s.challengesSent(); }

    @Test void forgedCompletionsForOutstandingReadsAreDroppedAndCounted() throws Exception {
        HostileSegment seg = new HostileSegment();
        try (LinkRig r = rig(seg, null)) {
            PcieDevice d = r.enumerateOne();
            MacAddress vrc = r.vrcTransport.address(), ep = r.endpointLinks().address();
            Stranger s = new Stranger(r.options.group(), FrameCodec.DEFAULT_ETHER_TYPE);
            AtomicBoolean running = new AtomicBoolean(true);
            int[] tag = {0};
            Thread attacker = attackUntil(running, () -> {
                for (int i = 0; i < 8; i++) {
                    s.data(seg.towardVrc(), ep, vrc, INSTANCE, Stranger.forgedCompletion(d.bdf(), RootComplex.REQUESTER_ID, tag[0]));
                    tag[0] = (tag[0] + 1) & 0xFF;
                }
            });
            try {
                for (int i = 0; i < 2000; i++) assertEquals(DMATEST_ID, d.mmioRead(0, 0, 4).value(), "read " + i + " answered by the device");
            } finally {
                running.set(false);
                attacker.join();
            }
            Await.until(() -> r.vrcLinks.securityCounters().wrongTag() == s.sent(), "every forged frame counted");
            assertEquals(0, r.vrcLinks.counters().sessionsDown());
        }
    }

    @Test void withAGroupKeyFramesFromTheSameMacsWithoutItAreAllRefused() throws Exception {
        HostileSegment seg = new HostileSegment();
        try (LinkRig r = rig(seg, GroupKey.of("the group's key, 32 bytes long..".getBytes()))) {
            PcieDevice d = r.enumerateOne();
            MacAddress vrc = r.vrcTransport.address(), ep = r.endpointLinks().address();
            Stranger s = new Stranger(r.options.group(), FrameCodec.DEFAULT_ETHER_TYPE);
            long towardEndpoint = 0, towardVrc = 0;
            for (int i = 0; i < 200; i++) {
                s.hello(seg.towardEndpoint(), vrc, ep, INSTANCE);
                s.data(seg.towardEndpoint(), vrc, ep, INSTANCE, Stranger.garbageWrite(RootComplex.REQUESTER_ID, d.bar(0).address(), 4));
                s.close(seg.towardEndpoint(), vrc, ep, INSTANCE);
                s.discover(seg.towardEndpoint(), vrc, INSTANCE);
                towardEndpoint += 4;
                s.hello(seg.towardVrc(), ep, vrc, INSTANCE);
                s.data(seg.towardVrc(), ep, vrc, INSTANCE, Stranger.forgedCompletion(d.bdf(), RootComplex.REQUESTER_ID, i & 0xFF));
                s.close(seg.towardVrc(), ep, vrc, INSTANCE);
                towardVrc += 3;
            }
            long e = towardEndpoint, v = towardVrc;
            Await.until(() -> r.endpointLinks().securityCounters().unauthenticated() == e, "the endpoint refused all " + e);
            Await.until(() -> r.vrcLinks.securityCounters().unauthenticated() == v, "the VRC refused all " + v);
            assertEquals(DMATEST_ID, d.mmioRead(0, 0, 4).value(), "the session carries on");
            assertEquals(0, r.vrcLinks.counters().sessionsDown() + r.endpointLinks().counters().sessionsDown());
            assertEquals(0, r.endpointLinks().securityCounters().challengesSent(), "an unsealed HELLO does not even cost a challenge");
        }
    }
}
