package dev.vpcie.loopback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.endpoint.Endpoint;
import dev.vpcie.endpoint.EndpointConfig;
import dev.vpcie.protocol.encap.FrameCodec;
import dev.vpcie.protocol.encap.FrameHeader;
import dev.vpcie.protocol.encap.FrameType;
import dev.vpcie.protocol.encap.Seq;
import dev.vpcie.protocol.link.LinkConfig;
import dev.vpcie.protocol.link.LinkEndpoint;
import dev.vpcie.protocol.tlp.CfgRead;
import dev.vpcie.protocol.tlp.Completion;
import dev.vpcie.protocol.tlp.ConfigType;
import dev.vpcie.protocol.tlp.MemRead;
import dev.vpcie.protocol.tlp.Tlp;
import dev.vpcie.protocol.tlp.TlpCodec;
import dev.vpcie.protocol.transport.FrameTransport;
import dev.vpcie.protocol.transport.MacAddress;
import dev.vpcie.protocol.transport.MemoryTransport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 10's memory exhaustion: a session holder floods the endpoint with memory reads of an
 * unclaimed address and never acknowledges the answers. The endpoint's memory must stay flat
 * (everything a session can make it queue is bounded) and it must answer the session again once
 * it acknowledges. The flooder is a hand-made client on the VRC's end of a memory cable.
 */
class ReadFloodTest {
    private static final int GROUP = 7, INSTANCE = 1, READS = 1_000_000, BURST = 32;
    private static final long UNCLAIMED = 0xF000_0000L;
    private static final long HEAP_LIMIT = 64L << 20;
    private static final long FLOOD_NS = 30_000_000_000L;

    /** The flooder's side of the session, by hand. */
    private static final class Client {
        final FrameTransport end;
        final MacAddress endpoint;
        final ByteBuffer rx = ByteBuffer.allocateDirect(65_600);
        final long epoch = 0x0F10_0D00_0000_0001L;
        long peerEpoch;
        int nextSeq, peerAck, peerWindow = 64;
        /** The endpoint's TLPs received in order, and the next one expected. */
        int peerNext;
        final List<Tlp> received = new ArrayList<>();

        Client(FrameTransport end, MacAddress endpoint) {
            this.end = end;
            this.endpoint = endpoint;
        }

        void send(FrameType type, int seq, int ack, List<Tlp> tlps) throws Exception {
            ByteBuf b = Unpooled.buffer(2048);
            FrameCodec.writeEthernet(b, endpoint, end.address(), GROUP, FrameCodec.DEFAULT_ETHER_TYPE);
            int header = b.writerIndex();
            FrameCodec.writeHeader(b, type, INSTANCE, INSTANCE, epoch, type == FrameType.HELLO ? 0 : peerEpoch, seq, ack, 1024, 0, 0);
            for (Tlp t : tlps) {
                int at = FrameCodec.beginTlpRecord(b);
                TlpCodec.encode(t, b);
                FrameCodec.endTlpRecord(b, at);
            }
            FrameCodec.setPayloadLength(b, header);
            end.send(b.nioBuffer());
        }

        /** Reads what the endpoint sent; keeps its TLPs only when {@code keep}. Returns frames read. */
        int drain(boolean keep) throws Exception {
            int n = 0;
            for (int len; (len = end.receive(rx, n == 0 ? 1_000_000 : 0)) > 0; n++) {
                ByteBuf f = Unpooled.wrappedBuffer(rx).setIndex(0, len);
                FrameCodec.readEthernet(f);
                FrameHeader h = FrameCodec.readHeader(f);
                if (h.type() == FrameType.HELLO_ACK && h.dstEpoch() == epoch) {
                    peerEpoch = h.srcEpoch();
                    peerNext = h.seq();
                }
                if (h.type() == FrameType.CLOSE) throw new AssertionError("the endpoint closed the session: " + h);
                if (h.srcEpoch() != peerEpoch) continue;
                if (Seq.greaterThan(h.ack(), peerAck) || h.ack() == peerAck) {
                    peerAck = h.ack();
                    peerWindow = h.window();
                }
                if (h.type() == FrameType.DATA && keep) {
                    int seq = h.seq();
                    ByteBuf payload = f.readSlice(h.payloadLength());
                    for (ByteBuf r; (r = FrameCodec.readTlpRecord(payload)) != null; seq = Seq.next(seq)) {
                        if (seq != peerNext) continue; // a resend or beyond a gap: the endpoint repeats what counts
                        received.add(TlpCodec.decode(r));
                        peerNext = Seq.next(peerNext);
                    }
                }
            }
            return n;
        }
    }

    @Test void aReadFloodWithoutAcknowledgementsLeavesTheEndpointsMemoryFlat() throws Exception {
        MemoryTransport.Pair cable = MemoryTransport.pair();
        LinkConfig config = LinkConfig.defaults().withGroup(GROUP);
        try (LinkEndpoint links = LinkEndpoint.start(cable.b(), config);
             Endpoint endpoint = Endpoint.builder().config(EndpointConfig.defaults()).function(LinkRig.functions().getFirst()).build()) {
            endpoint.serve(links);
            Client c = new Client(cable.a(), cable.b().address());
            while (c.peerEpoch == 0) {
                c.send(FrameType.HELLO, 0, 0, List.of());
                c.drain(false);
            }
            int endpointIsn = c.peerNext;
            long before = usedHeapAfterGc();
            int sent = 0;
            // As the attacker did: a flood of at least 30 s (and at least READS reads).
            long floodEnd = System.nanoTime() + FLOOD_NS;
            while (sent < READS || System.nanoTime() - floodEnd < 0) {
                c.drain(false);
                List<Tlp> burst = new ArrayList<>();
                while (burst.size() < BURST && Seq.lessThan(c.nextSeq + burst.size(), c.peerAck + c.peerWindow))
                    burst.add(new MemRead(0x0100, (sent + burst.size()) & 0xFF, UNCLAIMED, 1, 0xF, 0));
                if (burst.isEmpty()) continue;
                c.send(FrameType.DATA, c.nextSeq, endpointIsn, burst); // Ack never moves: nothing acknowledged
                c.nextSeq += burst.size();
                sent += burst.size();
            }
            long growth = usedHeapAfterGc() - before;
            System.out.printf("read flood: %d unacknowledged reads, heap growth %.1f MiB%n", sent, growth / 1048576.0);
            assertTrue(growth < HEAP_LIMIT, "the endpoint's heap grew by " + (growth >> 20) + " MiB under " + sent + " unacknowledged reads");
            // The flooder acknowledges at last and asks something real: it is answered.
            c.received.clear();
            CfgRead vendor = new CfgRead(ConfigType.TYPE0, 0x0100, 1, 0x0100, 0, 0xF);
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (c.received.stream().noneMatch(ReadFloodTest::vendorId) && System.nanoTime() < deadline) {
                // Acknowledge what arrived, ask for the rest at once (a NAK) rather than wait for
                // resends, and ask again: a request that finds the endpoint's backlog full is dropped.
                c.send(FrameType.DATA, c.nextSeq, c.peerNext, List.of(vendor));
                c.nextSeq++;
                c.send(FrameType.NAK, c.peerNext + 1024, c.peerNext, List.of());
                c.drain(true);
            }
            Completion cpl = (Completion) c.received.stream().filter(ReadFloodTest::vendorId).findFirst().orElseThrow(() -> new AssertionError("no answer to the configuration read after the flood"));
            assertEquals(0x1af4, (cpl.data()[0] & 0xFF) | (cpl.data()[1] & 0xFF) << 8, "the vendor ID");
        } finally {
            cable.close();
        }
    }

    private static boolean vendorId(Tlp t) {
        return t instanceof Completion k && k.tag() == 1 && k.data() != null && k.data().length == 4;
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
