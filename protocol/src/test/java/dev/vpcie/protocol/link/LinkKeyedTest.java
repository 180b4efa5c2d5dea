package dev.vpcie.protocol.link;

import static org.junit.jupiter.api.Assertions.*;

import dev.vpcie.protocol.encap.FrameType;
import dev.vpcie.protocol.transport.FaultInjectingTransport.Faults;
import dev.vpcie.protocol.transport.FrameTransport;
import dev.vpcie.protocol.transport.MacAddress;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Links with a group key: every frame sealed, nothing unsealed or sealed with another key gets in. */
class LinkKeyedTest {
    static final GroupKey KEY = GroupKey.of("0123456789abcdef0123456789abcdef".getBytes());
    static final GroupKey OTHER = GroupKey.of("fedcba9876543210fedcba9876543210".getBytes());
    static final LinkConfig KEYED = AgentPair.testConfig().withGroupKey(KEY);
    static final long TIMEOUT_STEPS = KEYED.linkDownTimeout().toNanos() / AgentPair.STEP_NS;

    @Test void keyedPeersCarryTlpsExactlyOnceThroughLossAndReordering() {
        Faults faults = Faults.NONE.withReorder(10, 3).withDuplicates(5).withDelay(30_000);
        try (AgentPair p = new AgentPair(KEYED, faults, 31)) {
            Recorder atA = new Recorder(), atB = new Recorder();
            Link ab = p.connect(atA, atB)[0];
            int sent = 0;
            while (atB.count() < 3000) {
                sent = LinkSessionTest.pump(ab, sent, 3000);
                p.step();
            }
            assertNull(atB.error, atB.error);
            SecurityCounters s = p.b.securityCounters();
            assertEquals(0, s.badIcv() + s.unauthenticated(), s.toString());
        }
    }

    @Test void discoveryWorksKeyed() {
        try (AgentPair p = new AgentPair(KEYED, null, 32)) {
            p.b.announce("keyed".getBytes());
            Discovery d = p.a.startDiscovery(Duration.ofMillis(2));
            assertTrue(p.runUntil(d::isDone, 1000));
            assertEquals(List.of(new Announcement(p.endB.address(), 1, "keyed".getBytes())), d.results());
        }
    }

    @Test void withoutTheKeyOrWithAnotherNothingGetsIn() {
        for (LinkConfig stranger : List.of(AgentPair.testConfig(), AgentPair.testConfig().withGroupKey(OTHER))) {
            try (AgentPair p = new AgentPair(stranger, KEYED, null, 33)) {
                Recorder atB = new Recorder();
                p.b.onAccept(l -> l.handler(atB));
                p.b.announce("keyed".getBytes());
                Link ab = p.a.connect(p.endB.address(), 1);
                Discovery d = p.a.startDiscovery(Duration.ofMillis(2));
                p.runUntil(() -> false, 2 * TIMEOUT_STEPS);
                assertFalse(ab.isUp());
                assertEquals(List.of(), atB.events);
                assertEquals(List.of(), d.results(), "no ANNOUNCE for an unsealed DISCOVER");
                assertEquals(0, p.b.counters().framesSent(), "B never answered a single frame");
                SecurityCounters s = p.b.securityCounters();
                long refused = stranger.groupKey() == null ? s.unauthenticated() : s.badIcv();
                assertEquals(p.b.counters().framesReceived(), refused, "every frame refused: " + s);
            }
        }
    }

    /** A cable end that keeps a copy of every frame sent through it. */
    static final class Tap implements FrameTransport {
        final FrameTransport end;
        final List<byte[]> sent = new ArrayList<>();

        Tap(FrameTransport end) { this.end = end; }

        @Override public MacAddress address() { return end.address(); }
        @Override public int mtu() { return end.mtu(); }
        @Override public String name() { return "tap:" + end.name(); }
        @Override public void send(ByteBuffer frame) throws IOException {
            byte[] b = new byte[frame.remaining()];
            frame.duplicate().get(b);
            sent.add(b);
            end.send(frame);
        }
        @Override public int receive(ByteBuffer dst, long timeoutNanos) throws IOException { return end.receive(dst, timeoutNanos); }
        @Override public void wakeup() { end.wakeup(); }
        @Override public void close() { end.close(); }
    }

    @Test void aReplayedHelloNeverBringsALinkUp() throws IOException {
        var cable = dev.vpcie.protocol.transport.MemoryTransport.pair();
        Tap tapA = new Tap(cable.a());
        LinkAgent a = new LinkAgent(tapA, KEYED, new java.util.SplittableRandom(1));
        LinkAgent b = new LinkAgent(cable.b(), KEYED, new java.util.SplittableRandom(2));
        Recorder atB = new Recorder();
        b.onAccept(l -> l.handler(atB));
        long now = 1_000_000_000L;
        Link ab = a.connect(cable.b().address(), 1);
        for (int i = 0; i < 1000 && atB.events.isEmpty(); i++) {
            now += AgentPair.STEP_NS;
            a.doWork(now);
            b.doWork(now);
        }
        assertEquals(List.of("up"), atB.events);
        byte[] hello = tapA.sent.stream().filter(f -> (f[15] & 0xFF) == FrameType.HELLO.code()).findFirst().orElseThrow();
        ab.close();
        for (int i = 0; i < 100; i++) {
            now += AgentPair.STEP_NS;
            a.doWork(now);
            b.doWork(now);
        }
        assertEquals(2, atB.events.size(), "A closed its link: " + atB.events);
        // a stranger replays A's HELLO (a valid seal): B answers it, but no session comes up and the
        // half-open one ends at the link-down timeout
        for (int round = 0; round < 3; round++) {
            cable.a().send(ByteBuffer.wrap(hello));
            for (int i = 0; i < 2 * TIMEOUT_STEPS; i++) {
                now += AgentPair.STEP_NS;
                b.doWork(now);
            }
        }
        assertEquals(2, atB.events.size(), "no link came up for a replayed HELLO: " + atB.events);
        assertTrue(b.links().stream().noneMatch(Link::isUp));
        cable.close();
    }

    @Test void aRestartedKeyedPeerGetsANewSessionAfterTheChallengeGoesUnanswered() {
        try (AgentPair p = new AgentPair(KEYED, null, 34)) {
            Recorder atA = new Recorder(), atB = new Recorder();
            p.connect(atA, atB);
            LinkAgent a2 = p.restartA(99); // cannot verify (nor answer) the old session's challenge
            Link ab2 = a2.connect(p.endB.address(), 1);
            assertTrue(p.runUntil(ab2::isUp, 10 * TIMEOUT_STEPS));
            assertEquals(1, p.b.securityCounters().peersReplaced(), p.b.securityCounters().toString());
            assertEquals(List.of("up", "down", "up"), atB.events.stream().map(e -> e.startsWith("down") ? "down" : e).toList());
            assertTrue(atB.events.get(1).contains("peer silent after a HELLO"), atB.events.get(1));
        }
    }
}
