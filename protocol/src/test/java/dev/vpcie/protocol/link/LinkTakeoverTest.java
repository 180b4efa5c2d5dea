package dev.vpcie.protocol.link;

import static org.junit.jupiter.api.Assertions.*;

import dev.vpcie.protocol.encap.FrameCodec;
import dev.vpcie.protocol.encap.FrameType;
import dev.vpcie.protocol.tlp.TlpCodec;
import dev.vpcie.protocol.transport.FrameTransport;
import dev.vpcie.protocol.transport.MacAddress;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A stranger on the segment who knows the peers' MACs and instances (discovery tells them) but
 * sees none of their session frames sends frames built by hand with a peer's addresses: it
 * cannot end, take over or feed a live session (docs/security.md).
 */
class LinkTakeoverTest {
    static final LinkConfig CONFIG = AgentPair.testConfig();
    static final long TIMEOUT_STEPS = CONFIG.linkDownTimeout().toNanos() / AgentPair.STEP_NS;

    /** Sends a frame from {@code via}'s cable end with the given source MAC, as a raw socket can. */
    static void forge(FrameTransport via, MacAddress src, MacAddress dst, FrameType type, long srcEpoch, long dstEpoch,
                      int seq, int ack, int code, int tlpNumber) {
        ByteBuf b = Unpooled.buffer();
        FrameCodec.writeEthernet(b, dst, src, CONFIG.group(), CONFIG.etherType());
        int header = b.writerIndex();
        FrameCodec.writeHeader(b, type, 1, 1, srcEpoch, dstEpoch, seq, ack, type == FrameType.HELLO ? 1024 : 64, code, 0);
        if (type == FrameType.DATA) {
            int at = FrameCodec.beginTlpRecord(b);
            TlpCodec.encode(Recorder.tlp(tlpNumber), b);
            FrameCodec.endTlpRecord(b, at);
            FrameCodec.setPayloadLength(b, header);
        }
        send(via, b);
    }

    private static void send(FrameTransport via, ByteBuf frame) {
        try {
            via.send(frame.nioBuffer());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test void aSpoofedHelloNeitherEndsNorReplacesALiveSession() {
        try (AgentPair p = new AgentPair(CONFIG, null, 21)) {
            Recorder atA = new Recorder(), atB = new Recorder();
            atB.startAfterUp = 0;
            Link ab = p.connect(atA, atB)[0];
            int sent = 0;
            for (int round = 0; round < 5; round++) {
                // toward B with A's addresses (the endpoint's view), and toward A with B's (the VRC's)
                forge(p.cable.a(), p.endA.address(), p.endB.address(), FrameType.HELLO, 0x5EED_0000L + round, 0, 0, 0, 0, 0);
                forge(p.cable.b(), p.endB.address(), p.endA.address(), FrameType.HELLO, 0x7EED_0000L + round, 0, 0, 0, 0, 0);
                for (int i = 0; i < 2 * TIMEOUT_STEPS; i++) {
                    sent = LinkSessionTest.pump(ab, sent, 1_000_000);
                    p.step();
                }
            }
            assertEquals(List.of("up"), atB.events, "B's session never went down");
            assertEquals(List.of("up"), atA.events, "A's session never went down");
            assertNull(atB.error, atB.error);
            assertTrue(atB.count() > 1000, "traffic flowed throughout: " + atB.count());
            for (LinkAgent agent : List.of(p.a, p.b)) {
                SecurityCounters s = agent.securityCounters();
                assertEquals(5, s.challengesSent(), "one challenge per spoofed HELLO: " + s);
                assertEquals(5, s.takeoversRefused(), "each answered by the real peer: " + s);
                assertEquals(0, s.peersReplaced(), s.toString());
            }
        }
    }

    @Test void forgedSessionFramesAreDroppedAndCounted() {
        try (AgentPair p = new AgentPair(CONFIG, null, 22)) {
            Recorder atA = new Recorder(), atB = new Recorder();
            p.connect(atA, atB);
            for (int i = 0; i < 50; i++) {
                // a blind forger guesses the tags (epochs): every guess is wrong
                forge(p.cable.a(), p.endA.address(), p.endB.address(), FrameType.DATA, 1000 + i, 2000 + i, 0, 0, 0, 7);
                forge(p.cable.a(), p.endA.address(), p.endB.address(), FrameType.CLOSE, 1000 + i, 2000 + i, 0, 0, 1, 0);
                p.step();
            }
            p.runUntil(() -> false, 1000);
            assertEquals(0, atB.count(), "no forged TLP delivered");
            assertEquals(List.of("up"), atB.events);
            assertEquals(50, p.b.securityCounters().wrongTag());
            assertTrue(p.b.links().getFirst().isUp());
        }
    }

    @Test void aSilentOldPeerIsReplacedByTheNewOne() {
        try (AgentPair p = new AgentPair(CONFIG, null, 23)) {
            Recorder atA = new Recorder(), atB = new Recorder();
            p.connect(atA, atB);
            p.runA = false; // A hangs: it answers nothing, the challenge included
            long epoch = 0xC0FFEEL;
            forge(p.cable.a(), p.endA.address(), p.endB.address(), FrameType.HELLO, epoch, 0, 0, 0, 0, 0);
            assertTrue(p.runUntil(() -> p.b.securityCounters().peersReplaced() == 1, TIMEOUT_STEPS + 10));
            assertTrue(atB.events.get(1).startsWith("down: peer silent after a HELLO"), atB.events.toString());
            // the new peer repeats its HELLO (it had no answer) and gets the session
            forge(p.cable.a(), p.endA.address(), p.endB.address(), FrameType.HELLO, epoch, 0, 0, 0, 0, 0);
            assertTrue(p.runUntil(() -> atB.events.size() == 3, 100));
            assertEquals(epoch, atB.upEpochs.get(1));
        }
    }

    /** A frame of any type with hand-made fields, no payload but {@code payload}. */
    static void forgeRaw(FrameTransport via, MacAddress src, MacAddress dst, FrameType type, int srcInstance, int dstInstance,
                         int seq, int ack, byte[] payload) {
        ByteBuf b = Unpooled.buffer();
        FrameCodec.writeEthernet(b, dst, src, CONFIG.group(), CONFIG.etherType());
        FrameCodec.writeHeader(b, type, srcInstance, dstInstance, 0, 0, seq, ack, 0, 0, payload.length);
        b.writeBytes(payload);
        send(via, b);
    }

    @Test void forgedDiscoversDoNotMakeTheEndpointAReflector() {
        try (AgentPair p = new AgentPair(CONFIG, null, 24)) {
            p.b.announce(new byte[1000]);
            p.runA = false; // A's end only counts what B sends
            for (int i = 0; i < 2000; i++) {
                // each from a different forged source, plus the same victim again and again
                MacAddress victim = new MacAddress(0x0200_0000_1000L + (i % 2 == 0 ? 0 : i));
                forgeRaw(p.cable.a(), victim, MacAddress.BROADCAST, FrameType.DISCOVER, 1, FrameCodec.ANY_INSTANCE, i, 0, new byte[0]);
                if (i % 100 == 0) p.step();
            }
            assertTrue(p.runUntil(() -> p.b.counters().framesReceived() == 2000, 1000));
            long sent = p.b.counters().framesSent();
            assertTrue(sent <= AnnounceLimiter.PER_SECOND, "at most the global budget in this second: " + sent);
            assertEquals(2000 - sent, p.b.securityCounters().announcesLimited());
        }
    }

    @Test void aFloodOfForgedAnnouncesIsBounded() {
        try (AgentPair p = new AgentPair(CONFIG, null, 25)) {
            p.b.announce("the real one".getBytes());
            Discovery d = p.a.startDiscovery(java.time.Duration.ofMillis(5));
            p.step(); // the DISCOVER is out: its nonce is on the wire; a stranger who sees it answers a lot
            int nonce = d.nonce;
            for (int i = 0; i < 1000; i++) {
                forgeRaw(p.cable.b(), new MacAddress(0x0200_0000_2000L + i), p.endA.address(), FrameType.ANNOUNCE, 1, 1, 0, nonce,
                        "vpcie-endpoint owner=none".getBytes());
                if (i % 50 == 0) p.step();
            }
            assertTrue(p.runUntil(d::isDone, 10_000));
            assertEquals(Discovery.MAX_RESULTS, d.results().size());
            assertTrue(d.dropped() > 0);
        }
    }

    @Test void aRoundThatKnowsWhomItWantsIsNotCrowdedOut() {
        try (AgentPair p = new AgentPair(CONFIG, null, 26)) {
            p.b.announce("the real one".getBytes());
            MacAddress real = p.endB.address();
            Discovery d = p.a.startDiscovery(java.time.Duration.ofMillis(5), (mac, instance) -> mac.equals(real));
            p.step();
            for (int i = 0; i < 1000; i++) // answers that arrive before the real one
                forgeRaw(p.cable.b(), new MacAddress(0x0200_0000_2000L + i), p.endA.address(), FrameType.ANNOUNCE, 1, 1, 0, d.nonce,
                        "fake".getBytes());
            assertTrue(p.runUntil(d::isDone, 10_000));
            assertEquals(List.of(new Announcement(real, 1, "the real one".getBytes())), d.results());
        }
    }
}
