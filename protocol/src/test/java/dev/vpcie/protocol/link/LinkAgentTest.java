package dev.vpcie.protocol.link;

import static org.junit.jupiter.api.Assertions.*;

import dev.vpcie.protocol.encap.FrameCodec;
import dev.vpcie.protocol.encap.FrameType;
import dev.vpcie.protocol.tlp.TlpCodec;
import dev.vpcie.protocol.transport.FrameTransport;
import dev.vpcie.protocol.transport.MacAddress;
import dev.vpcie.protocol.transport.MemoryTransport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The agent's frame handling: malformed and foreign frames, discovery, and several links on one transport. */
class LinkAgentTest {
    static final LinkConfig CONFIG = AgentPair.testConfig();

    /** Builds a frame from B to A with vpcie's EtherType. */
    static byte[] frame(MacAddress to, MacAddress from, int group, Consumer<ByteBuf> body) {
        ByteBuf b = Unpooled.buffer();
        FrameCodec.writeEthernet(b, to, from, group, FrameCodec.DEFAULT_ETHER_TYPE);
        body.accept(b);
        byte[] out = new byte[b.readableBytes()];
        b.readBytes(out);
        return out;
    }

    static void inject(FrameTransport from, byte[] frame) {
        try {
            from.send(java.nio.ByteBuffer.wrap(frame));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test void malformedFramesAreCountedAndDroppedAndTheSessionCarriesOn() {
        try (AgentPair p = new AgentPair(CONFIG, null, 21)) {
            Recorder atA = new Recorder(), atB = new Recorder();
            Link[] links = p.connect(atA, atB);
            long epochA = links[1].peerEpoch(), epochB = links[0].peerEpoch();
            MacAddress a = p.endA.address(), b = p.endB.address();
            List<byte[]> malformed = List.of(
                    frame(a, b, 0, x -> x.writeZero(10)), // Ethernet header and a bit: no link header
                    frame(a, b, 0, x -> { x.writeByte(2); x.writeZero(35); }), // version 2
                    frame(a, b, 0, x -> FrameCodec.writeHeader(x, FrameType.ACK, 1, 1, epochB, epochA, 0, 0, 0, 0, 0))
                            .clone(),
                    frame(a, b, 0, x -> { // DATA whose TLP record claims 5 bytes
                        FrameCodec.writeHeader(x, FrameType.DATA, 1, 1, epochB, epochA, 0, 0, 64, 0, 7);
                        x.writeShort(5).writeZero(5);
                    }),
                    frame(a, b, 0, x -> FrameCodec.writeHeader(x, FrameType.KEEPALIVE, 1, 1, epochB, epochA, 0, 0, 64, 0, 200)));
            // The third one is fine as written; break its type byte to make it an unknown type.
            byte[] unknownType = malformed.get(2);
            unknownType[FrameCodec.ETHERNET_HEADER_LENGTH + 1] = 0x0F;
            for (byte[] f : malformed) inject(p.cable.b(), f);
            // Not malformed, just not for us: another EtherType (ignored) and another group (counted as foreign).
            byte[] otherType = frame(a, b, 0, x -> x.writeZero(40));
            otherType[12] = 0x08;
            otherType[13] = 0x00;
            inject(p.cable.b(), otherType);
            inject(p.cable.b(), frame(a, b, 9, x -> FrameCodec.writeHeader(x, FrameType.KEEPALIVE, 1, 1, epochB, epochA, 0, 0, 64, 0, 0)));
            p.runUntil(() -> false, 10);
            assertEquals(5, p.a.counters().malformedFrames(), p.a.counters().toString());
            assertEquals(1, p.a.counters().foreignFrames(), p.a.counters().toString());
            assertEquals(1, p.a.securityCounters().otherGroup(), "the frame of group 9 is also counted as another group's");
            assertTrue(links[0].isUp());

            // A well-formed DATA frame of the session whose first TLP the codec rejects: that TLP is
            // counted and skipped, the next one is delivered.
            byte[] badTlp = {(byte) 0xE0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0}; // Fmt 111b is reserved
            inject(p.cable.b(), frame(a, b, 0, x -> {
                int h = x.writerIndex();
                FrameCodec.writeHeader(x, FrameType.DATA, 1, 1, epochB, epochA, CONFIG.initialSequence(), 0, 64, 0, 0);
                x.writeShort(badTlp.length).writeBytes(badTlp);
                int at = FrameCodec.beginTlpRecord(x);
                TlpCodec.encode(Recorder.tlp(0), x);
                FrameCodec.endTlpRecord(x, at);
                FrameCodec.setPayloadLength(x, h);
            }));
            p.runUntil(() -> false, 10);
            assertEquals(List.of(0), atA.numbers);
            assertEquals(1, links[0].counters().malformedTlps());
            int sent = 0;
            while (atB.count() < 1000) {
                sent = LinkSessionTest.pump(links[0], sent, 1000);
                p.step();
            }
            assertNull(atB.error);
        }
    }

    @Test void discoveryFindsWhoAnnouncesInTheGroup() {
        try (AgentPair p = new AgentPair(CONFIG, null, 22)) {
            p.b.announce("dmatest, unowned".getBytes());
            Discovery d = p.a.startDiscovery(Duration.ofMillis(2));
            assertTrue(p.runUntil(d::isDone, 1000));
            assertEquals(List.of(new Announcement(p.endB.address(), 1, "dmatest, unowned".getBytes())), d.results());
            assertEquals("dmatest, unowned", d.results().getFirst().text());

            p.b.announce(null);
            Discovery silent = p.a.startDiscovery(Duration.ofMillis(2));
            assertTrue(p.runUntil(silent::isDone, 1000));
            assertEquals(List.of(), silent.results());
        }
    }

    @Test void anotherGroupIsInvisible() {
        try (AgentPair p = new AgentPair(CONFIG, CONFIG.withGroup(5), null, 23)) {
            p.b.announce("group 5".getBytes());
            p.b.onAccept(l -> l.handler(new Recorder()));
            Discovery d = p.a.startDiscovery(Duration.ofMillis(2));
            assertTrue(p.runUntil(d::isDone, 1000));
            assertEquals(List.of(), d.results());
            Link ab = p.a.connect(p.endB.address(), 1);
            p.runUntil(() -> false, 1000);
            assertFalse(ab.isUp(), "a link never crosses groups");
            assertTrue(p.b.counters().foreignFrames() > 0);
        }
    }

    @Test void linksToSeveralInstancesShareOneTransport() {
        try (MemoryTransport.Pair cable = MemoryTransport.pair()) {
            SharedEnd shared = new SharedEnd(cable.b());
            LinkAgent a = new LinkAgent(cable.a(), CONFIG, new SplittableRandom(1));
            LinkAgent b1 = new LinkAgent(shared.tap(), CONFIG.withHostInstance(1), new SplittableRandom(2));
            LinkAgent b2 = new LinkAgent(shared.tap(), CONFIG.withHostInstance(2), new SplittableRandom(3));
            Recorder at1 = new Recorder(), at2 = new Recorder(), back = new Recorder();
            b1.onAccept(l -> l.handler(at1));
            Link[] atB2 = new Link[1];
            b2.onAccept(l -> { l.handler(at2); atB2[0] = l; });
            Link to1 = a.connect(cable.b().address(), 1), to2 = a.connect(cable.b().address(), 2);
            to2.handler(back);
            long now = 0;
            int s1 = 0, s2 = 1_000_000;
            for (int i = 0; i < 100_000 && (at1.count() < 3000 || at2.count() < 3000); i++) {
                now += AgentPair.STEP_NS;
                if (to1.isUp()) s1 = LinkSessionTest.pump(to1, s1, 3000);
                if (to2.isUp()) s2 = LinkSessionTest.pump(to2, s2, 1_003_000);
                a.doWork(now);
                b1.doWork(now);
                b2.doWork(now);
                if (at2.numbers.isEmpty()) at2.expectFrom(1_000_000);
                if (atB2[0] != null && atB2[0].isUp() && atB2[0].counters().tlpsSent() == 0) assertTrue(atB2[0].trySend(Recorder.tlp(0)));
            }
            for (int i = 0; i < 100; i++) {
                now += AgentPair.STEP_NS;
                a.doWork(now);
                b1.doWork(now);
                b2.doWork(now);
            }
            assertEquals(3000, at1.count());
            assertEquals(3000, at2.count());
            assertNull(at1.error);
            assertNull(at2.error);
            assertEquals(List.of(0), back.numbers, "the reply came back on the instance-2 link only");
            assertEquals(2, a.links().size());
        }
    }
}
