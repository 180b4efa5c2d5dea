package dev.vpcie.protocol.capture;

import dev.vpcie.protocol.encap.FrameCodec;
import dev.vpcie.protocol.encap.FrameType;
import dev.vpcie.protocol.link.Discovery;
import dev.vpcie.protocol.link.GroupKey;
import dev.vpcie.protocol.link.Link;
import dev.vpcie.protocol.link.LinkAgent;
import dev.vpcie.protocol.link.LinkConfig;
import dev.vpcie.protocol.link.TlpHandler;
import dev.vpcie.protocol.tlp.Attributes;
import dev.vpcie.protocol.tlp.CfgRead;
import dev.vpcie.protocol.tlp.CfgWrite;
import dev.vpcie.protocol.tlp.Completion;
import dev.vpcie.protocol.tlp.ConfigType;
import dev.vpcie.protocol.tlp.CplStatus;
import dev.vpcie.protocol.tlp.IoRead;
import dev.vpcie.protocol.tlp.IoWrite;
import dev.vpcie.protocol.tlp.MemRead;
import dev.vpcie.protocol.tlp.MemWrite;
import dev.vpcie.protocol.tlp.Message;
import dev.vpcie.protocol.tlp.MessageRouting;
import dev.vpcie.protocol.tlp.Tlp;
import dev.vpcie.protocol.transport.FrameTap;
import dev.vpcie.protocol.transport.FrameTransport;
import dev.vpcie.protocol.transport.MacAddress;
import dev.vpcie.protocol.transport.MemoryTransport;
import dev.vpcie.protocol.transport.TappedTransport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * Makes a capture with something of everything, deterministically (fake clock, seeded epochs):
 * a session in group 7 (tagged frames) that opens, carries every TLP kind vpcie models both ways
 * (one frame with several TLPs), loses one DATA frame so the receiver NAKs and the sender resends,
 * goes quiet long enough for ACKs and a KEEPALIVE, and closes; then a DISCOVER and its ANNOUNCE
 * untagged (group 0); then a short session sealed with a group key. The capture is taken at the
 * VRC's end: every frame of both directions.
 */
final class SampleCapture {
    private SampleCapture() {}

    static final long STEP_NS = 10_000;

    /** Every TLP kind: the VRC's requests, then the endpoint's completions and messages. */
    static List<Tlp> requests() {
        return List.of(
                new MemRead(0x0000, 1, 0xf000_0010L, 1, 0xF, 0),
                new MemRead(0x0000, 2, 0x1_2345_6780L, 2, 0xF, 0x3),
                new MemWrite(0x0000, 3, 0xf000_0020L, 0xF, 0, new byte[] {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef}),
                new MemWrite(0x0000, 0x123, 0x2_0000_0000L, 0x3, 0, true, Attributes.DEFAULT, new byte[] {1, 2, 3, 4}),
                new IoRead(0x0000, 5, 0x1000, 0x1),
                new IoWrite(0x0000, 6, 0x1004, 0x3, new byte[] {0x11, 0x22, 0x33, 0x44}),
                new CfgRead(ConfigType.TYPE0, 0x0000, 7, 0x0100, 0x000, 0xF),
                new CfgWrite(ConfigType.TYPE0, 0x0000, 8, 0x0100, 0x004, 0x3, new byte[] {6, 0, 0, 0}),
                new CfgRead(ConfigType.TYPE1, 0x0000, 9, 0x0208, 0x100, 0xF),
                new CfgWrite(ConfigType.TYPE1, 0x0000, 10, 0x0208, 0x010, 0xF, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff}));
    }

    static List<Tlp> answers() {
        return List.of(
                new Completion(0x0100, CplStatus.SC, false, 4, 0x0000, 1, 0x10, Attributes.DEFAULT, new byte[] {0x78, 0x56, 0x34, 0x12}),
                new Completion(0x0100, CplStatus.UR, false, 4, 0x0000, 5, 0, Attributes.DEFAULT, null),
                new Completion(0x0100, CplStatus.CA, false, 8, 0x0000, 0x2ff, 0, Attributes.DEFAULT, null),
                Message.assertIntx(0x0100, 0),
                Message.vendorDefined(0x0100, true, 0x0000, 0x1af4, 0xcafe, new byte[] {9, 8, 7, 6}),
                new Message(0x0100, 0, MessageRouting.BY_ADDRESS, 0x7e, 0xfee0_0000L, Attributes.DEFAULT, null));
    }

    /** Drops the first DATA frame it receives whose first TLP has sequence number {@code seq}. */
    private static final class DropOnce implements FrameTransport {
        private final FrameTransport inner;
        private final int group, seq;
        boolean dropped;

        DropOnce(FrameTransport inner, int group, int seq) {
            this.inner = inner;
            this.group = group;
            this.seq = seq;
        }

        @Override public MacAddress address() { return inner.address(); }

        @Override public int mtu() { return inner.mtu(); }

        @Override public String name() { return inner.name(); }

        @Override public void send(ByteBuffer frame) throws IOException { inner.send(frame); }

        @Override public int receive(ByteBuffer dst, long timeoutNanos) throws IOException {
            int n = inner.receive(dst, timeoutNanos);
            int link = FrameCodec.ethernetHeaderLength(group);
            if (n > link + 28 && !dropped && dst.get(link + 1) == FrameType.DATA.code() && dst.getInt(link + 24) == seq) {
                dropped = true;
                return 0;
            }
            return n;
        }

        @Override public void wakeup() { inner.wakeup(); }

        @Override public void close() { inner.close(); }
    }

    private static final class Driver {
        long now = 1_000_000_000L;
        final List<LinkAgent> agents = new ArrayList<>();

        void step() {
            now += STEP_NS;
            for (LinkAgent a : agents) a.doWork(now);
        }

        void until(BooleanSupplier done, String what) {
            for (int i = 0; i < 100_000 && !done.getAsBoolean(); i++) step();
            if (!done.getAsBoolean()) throw new AssertionError("sample capture: " + what + " did not happen");
        }

        void idle(Duration d) {
            for (long end = now + d.toNanos(); now < end; ) step();
        }
    }

    private static final class Counter implements TlpHandler {
        int tlps;

        @Override public void onTlp(Tlp tlp) { tlps++; }

        @Override public void onLinkUp(long peerEpoch) {}

        @Override public void onLinkDown(String reason) {}
    }

    /** Writes the sample to {@code file}. */
    static void write(Path file) throws IOException {
        Driver d = new Driver();
        LinkConfig config = LinkConfig.defaults().withGroup(7)
                .withRto(Duration.ofMillis(1), Duration.ofMillis(1), Duration.ofMillis(20))
                .withKeepalive(Duration.ofMillis(5), Duration.ofMillis(500));
        try (PcapWriter writer = PcapWriter.open(CaptureSpec.of(file), () -> 1_700_000_000_000_000_000L + d.now);
             MemoryTransport.Pair cable = MemoryTransport.pair(); MemoryTransport.Pair cable0 = MemoryTransport.pair();
             MemoryTransport.Pair cableKeyed = MemoryTransport.pair()) {
            FrameTap keepOpen = (out, frame, offset, length) -> writer.onFrame(out, frame, offset, length);
            FrameTransport vrcEnd = new TappedTransport(cable.a(), List.of(keepOpen));
            DropOnce endpointEnd = new DropOnce(cable.b(), 7, 1);
            LinkAgent vrc = new LinkAgent(vrcEnd, config.withHostInstance(1), new SplittableRandom(1));
            LinkAgent endpoint = new LinkAgent(endpointEnd, config.withHostInstance(2), new SplittableRandom(2));
            d.agents.add(vrc);
            d.agents.add(endpoint);
            Counter atVrc = new Counter(), atEndpoint = new Counter();
            Link[] accepted = new Link[1];
            endpoint.onAccept(l -> {
                l.handler(atEndpoint);
                accepted[0] = l;
            });
            Link link = vrc.connect(endpointEnd.address(), 2);
            link.handler(atVrc);
            d.until(() -> link.isUp() && accepted[0] != null && accepted[0].isUp(), "session up");
            List<Tlp> requests = requests();
            // one TLP per frame at first, so the second (number 1) is lost alone and the third reveals the gap
            for (int i = 0; i < 3; i++) {
                link.trySend(requests.get(i));
                d.step();
            }
            d.until(() -> atEndpoint.tlps == 3, "the lost TLP resent");
            if (!endpointEnd.dropped) throw new AssertionError("sample capture: nothing was lost");
            for (Tlp tlp : requests.subList(3, requests.size())) link.trySend(tlp); // several in one frame
            d.until(() -> atEndpoint.tlps == requests.size(), "requests delivered");
            for (Tlp tlp : answers()) {
                accepted[0].trySend(tlp);
                d.step();
            }
            d.until(() -> atVrc.tlps == answers().size(), "answers delivered");
            d.idle(Duration.ofMillis(6)); // ACKs and a KEEPALIVE each way
            link.close();
            d.until(() -> !accepted[0].isUp(), "session closed");
            d.agents.clear();

            // Discovery in group 0: untagged frames.
            LinkConfig untagged = config.withGroup(0);
            FrameTransport asker = new TappedTransport(cable0.a(), List.of(keepOpen));
            LinkAgent vrc0 = new LinkAgent(asker, untagged.withHostInstance(1), new SplittableRandom(3));
            LinkAgent endpoint0 = new LinkAgent(cable0.b(), untagged.withHostInstance(2), new SplittableRandom(4));
            endpoint0.announce("vpcie-endpoint sample owner=none".getBytes(StandardCharsets.US_ASCII));
            d.agents.add(vrc0);
            d.agents.add(endpoint0);
            Discovery discovery = vrc0.startDiscovery(Duration.ofMillis(1));
            d.until(() -> !discovery.results().isEmpty(), "an ANNOUNCE");
            d.until(discovery::isDone, "discovery over");
            d.agents.clear();

            // A session sealed with a group key (version 2, an ICV after each payload).
            LinkConfig keyed = config.withGroupKey(GroupKey.of("sample group key, 32 bytes long!".getBytes(StandardCharsets.US_ASCII)));
            FrameTransport sealer = new TappedTransport(cableKeyed.a(), List.of(keepOpen));
            LinkAgent vrcK = new LinkAgent(sealer, keyed.withHostInstance(1), new SplittableRandom(5));
            LinkAgent endpointK = new LinkAgent(cableKeyed.b(), keyed.withHostInstance(2), new SplittableRandom(6));
            d.agents.add(vrcK);
            d.agents.add(endpointK);
            Counter atKeyed = new Counter();
            Link[] acceptedK = new Link[1];
            endpointK.onAccept(l -> {
                l.handler(atKeyed);
                acceptedK[0] = l;
            });
            Link linkK = vrcK.connect(cableKeyed.b().address(), 2);
            linkK.handler(new Counter());
            d.until(() -> linkK.isUp() && acceptedK[0] != null && acceptedK[0].isUp(), "sealed session up");
            linkK.trySend(requests.getFirst());
            d.until(() -> atKeyed.tlps == 1, "a sealed TLP delivered");
            linkK.close();
            d.until(() -> !acceptedK[0].isUp(), "sealed session closed");
        }
    }
}
