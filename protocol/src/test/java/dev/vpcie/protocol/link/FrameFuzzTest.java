package dev.vpcie.protocol.link;

import static org.junit.jupiter.api.Assertions.*;

import dev.vpcie.protocol.encap.EthernetHeader;
import dev.vpcie.protocol.encap.FrameCodec;
import dev.vpcie.protocol.encap.FrameHeader;
import dev.vpcie.protocol.encap.FrameType;
import dev.vpcie.protocol.encap.MalformedFrameException;
import dev.vpcie.protocol.tlp.Attributes;
import dev.vpcie.protocol.tlp.CfgRead;
import dev.vpcie.protocol.tlp.CfgWrite;
import dev.vpcie.protocol.tlp.Completion;
import dev.vpcie.protocol.tlp.ConfigType;
import dev.vpcie.protocol.tlp.CplStatus;
import dev.vpcie.protocol.tlp.MalformedTlpException;
import dev.vpcie.protocol.tlp.MemRead;
import dev.vpcie.protocol.tlp.MemWrite;
import dev.vpcie.protocol.tlp.Message;
import dev.vpcie.protocol.tlp.MessageRouting;
import dev.vpcie.protocol.tlp.Tlp;
import dev.vpcie.protocol.tlp.TlpCodec;
import dev.vpcie.protocol.transport.MacAddress;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Throws random and mutated frames at the frame decoder (Ethernet, link header, TLP records and
 * the TLPs in them) and then at a live link agent, for {@code -Dvpcie.fuzz.seconds} (default 30)
 * of wall time split between the two. The decoder may only throw {@link MalformedFrameException}
 * or {@link MalformedTlpException}; the agent may throw nothing. Reproduce a failure with
 * {@code -Dvpcie.fuzz.seed}.
 */
class FrameFuzzTest {
    private static final long SECONDS = Long.getLong("vpcie.fuzz.seconds", 30);
    private static final long SEED = Long.getLong("vpcie.fuzz.seed", System.nanoTime());
    private static final MacAddress A = MacAddress.parse("02:00:00:00:00:0a"), B = MacAddress.parse("02:00:00:00:00:0b");

    @Test void frameDecoderOnlyEverThrowsTheTypedExceptions() {
        SplittableRandom random = new SplittableRandom(SEED);
        List<byte[]> valid = validFrames(random, A, B, 0x1111, 0x2222);
        Map<MalformedFrameException.Reason, Long> rejected = new EnumMap<>(MalformedFrameException.Reason.class);
        long accepted = 0, badTlps = 0, total = 0;
        long deadline = System.nanoTime() + SECONDS * 500_000_000L;
        while (total % 1024 != 0 || System.nanoTime() < deadline) {
            byte[] input = random.nextInt(4) == 0 ? randomBytes(random) : mutate(valid.get(random.nextInt(valid.size())), random);
            total++;
            try {
                badTlps += decodeFully(input);
                accepted++;
            } catch (MalformedFrameException e) {
                rejected.merge(e.reason(), 1L, Long::sum);
            } catch (RuntimeException | AssertionError e) {
                fail("frame decoder threw " + e + " for " + HexFormat.of().formatHex(input) + " (seed " + SEED + ")", e);
            }
        }
        System.out.printf("frame fuzz: %d frames in %d s (seed %d): %d accepted (%d TLPs in them rejected), rejected %s%n",
                total, SECONDS / 2, SEED, accepted, badTlps, rejected);
        assertTrue(accepted > 0 && rejected.size() > 5, "the fuzzer reached many outcomes: " + rejected);
    }

    @Test void linkAgentSurvivesAnyFrame() {
        SplittableRandom random = new SplittableRandom(SEED ^ 0x5DEECE66DL);
        long total = 0;
        long deadline = System.nanoTime() + SECONDS * 500_000_000L;
        while (System.nanoTime() < deadline) {
            try (AgentPair p = new AgentPair(AgentPair.testConfig(), null, random.nextLong())) {
                Link[] links = p.connect(new Recorder(), new Recorder());
                long epochA = links[1].peerEpoch(), epochB = links[0].peerEpoch();
                // Frames that look like B's, with the session's real epochs, so they reach deep into A.
                List<byte[]> valid = validFrames(random, p.endA.address(), p.endB.address(), epochB, epochA);
                p.runB = false;
                for (int i = 0; i < 20_000; i++, total++) {
                    if (i % 100 == 0 && links[0].isUp() && links[0].localEpoch() != epochA) {
                        // a mutated HELLO restarted the session: aim at the new one
                        epochA = links[0].localEpoch();
                        epochB = links[0].peerEpoch();
                        valid = validFrames(random, p.endA.address(), p.endB.address(), epochB, epochA);
                    }
                    byte[] input = random.nextInt(8) == 0 ? randomBytes(random) : mutate(valid.get(random.nextInt(valid.size())), random);
                    try {
                        p.cable.b().send(ByteBuffer.wrap(input, 0, Math.min(input.length, 1514)));
                        if (random.nextInt(4) == 0) links[0].trySend(Recorder.tlp(i));
                    } catch (LinkDownException e) {
                        // a mutated CLOSE or HELLO may well end the session: fine
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                    try {
                        p.now += random.nextInt(3) * 1_000L;
                        p.a.doWork(p.now);
                    } catch (RuntimeException | AssertionError e) {
                        fail("link agent threw " + e + " for " + HexFormat.of().formatHex(input) + " (seed " + SEED + ")", e);
                    }
                }
                if (System.nanoTime() >= deadline) {
                    System.out.printf("agent fuzz: %d frames in %d s (seed %d): %s%n", total, SECONDS / 2, SEED, p.a.counters());
                }
            }
        }
        assertTrue(total > 0);
    }

    /** Decodes a frame as the agent does; returns how many TLPs in it TlpCodec rejected. */
    static int decodeFully(byte[] frame) throws MalformedFrameException {
        ByteBuf b = Unpooled.wrappedBuffer(frame);
        EthernetHeader eth = FrameCodec.readEthernet(b);
        FrameHeader h = FrameCodec.readHeader(b);
        ByteBuf payload = b.readSlice(h.payloadLength());
        int bad = 0;
        if (h.type() == FrameType.DATA) {
            int expected = FrameCodec.countTlpRecords(payload), seen = 0;
            for (ByteBuf record; (record = FrameCodec.readTlpRecord(payload)) != null; seen++) {
                try {
                    TlpCodec.decode(record);
                } catch (MalformedTlpException e) {
                    bad++;
                }
            }
            assertEquals(expected, seen);
        }
        assertNotNull(eth);
        return bad;
    }

    static List<byte[]> validFrames(SplittableRandom random, MacAddress to, MacAddress from, long srcEpoch, long dstEpoch) {
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            // Half DATA, so TLPs reach the receive path often; the rest any type.
            FrameType type = random.nextBoolean() ? FrameType.DATA : FrameType.values()[random.nextInt(FrameType.values().length)];
            int group = 0; // the agent under test is untagged; tags appear through mutation
            ByteBuf b = Unpooled.buffer();
            FrameCodec.writeEthernet(b, type == FrameType.DISCOVER ? MacAddress.BROADCAST : to, from, group, FrameCodec.DEFAULT_ETHER_TYPE);
            int h = b.writerIndex();
            int seq = random.nextInt(8) == 0 ? random.nextInt() : random.nextInt(64) - 8, ack = random.nextInt(64) - 8;
            long src = switch (type) { case DISCOVER, ANNOUNCE -> 0; default -> srcEpoch; };
            long dst = switch (type) { case HELLO, DISCOVER, ANNOUNCE -> 0; default -> dstEpoch; };
            int code = type == FrameType.CLOSE ? 1 + random.nextInt(3) : 0;
            if (type == FrameType.NAK) seq = ack + 1 + random.nextInt(20);
            FrameCodec.writeHeader(b, type, 1, type == FrameType.DISCOVER ? FrameCodec.ANY_INSTANCE : 1, src, dst, seq, ack,
                    random.nextInt(2048), code, 0);
            if (type == FrameType.DATA) {
                for (int n = 1 + random.nextInt(6); n > 0; n--) {
                    int at = FrameCodec.beginTlpRecord(b);
                    TlpCodec.encode(someTlp(random), b);
                    FrameCodec.endTlpRecord(b, at);
                }
            } else if (type == FrameType.ANNOUNCE) {
                b.writeBytes("announce".getBytes());
            }
            FrameCodec.setPayloadLength(b, h);
            byte[] out = new byte[b.readableBytes()];
            b.readBytes(out);
            frames.add(out);
        }
        return frames;
    }

    static Tlp someTlp(SplittableRandom r) {
        int tag = r.nextInt(256);
        return switch (r.nextInt(7)) {
            case 0 -> new MemRead(0x0100, tag, 0x1000L * r.nextInt(1000), 1 + r.nextInt(32), 0xF, 0xF);
            case 1 -> new MemRead(0x0100, tag, 0x1_0000_0000L + 0x1000L * r.nextInt(1000), 1, 0xF, 0);
            case 2 -> Recorder.tlp(r.nextInt());
            case 3 -> new CfgRead(ConfigType.TYPE0, 0, tag, 0x0100, 4 * r.nextInt(64), 0xF);
            case 4 -> new CfgWrite(ConfigType.TYPE0, 0, tag, 0x0100, 4 * r.nextInt(64), 0xF, new byte[4]);
            case 5 -> new Completion(0x0100, CplStatus.SC, false, 8, 0, tag, 0, Attributes.DEFAULT, new byte[8]);
            default -> new Message(0x0100, 0, MessageRouting.LOCAL, Message.ASSERT_INTA, 0, Attributes.DEFAULT, null);
        };
    }

    static byte[] randomBytes(SplittableRandom random) {
        int length = random.nextInt(8) == 0 ? random.nextInt(1600) : random.nextInt(80);
        byte[] b = new byte[length];
        random.nextBytes(b);
        if (length >= 14 && random.nextBoolean()) { // mostly our EtherType, so the link header gets fuzzed too
            b[12] = (byte) 0x88;
            b[13] = (byte) 0xB5;
            if (length > 14 && random.nextBoolean()) b[14] = 1;
        }
        return b;
    }

    /** One to four of: bit flips, random bytes in the link header, truncation, extension, a VLAN tag inserted. */
    static byte[] mutate(byte[] original, SplittableRandom random) {
        byte[] b = original.clone();
        for (int n = 1 + random.nextInt(4); n > 0 && b.length > 0; n--) {
            switch (random.nextInt(7)) {
                case 0 -> b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
                case 1 -> { // a field of the link header
                    int i = FrameCodec.ETHERNET_HEADER_LENGTH + random.nextInt(FrameCodec.LINK_HEADER_LENGTH);
                    if (i < b.length) b[i] = (byte) random.nextInt(256);
                }
                case 2 -> { // a TLP record length
                    int i = FrameCodec.ETHERNET_HEADER_LENGTH + FrameCodec.LINK_HEADER_LENGTH + random.nextInt(2);
                    if (i < b.length) b[i] = (byte) random.nextInt(256);
                }
                case 3 -> b = Arrays.copyOf(b, random.nextInt(b.length + 1));
                case 4 -> b = Arrays.copyOf(b, b.length + 1 + random.nextInt(16));
                case 5 -> { // insert an 802.1Q tag
                    if (b.length >= 12) {
                        byte[] t = new byte[b.length + 4];
                        System.arraycopy(b, 0, t, 0, 12);
                        t[12] = (byte) 0x81;
                        t[14] = (byte) random.nextInt(16);
                        t[15] = (byte) random.nextInt(256);
                        System.arraycopy(b, 12, t, 16, b.length - 12);
                        b = t;
                    }
                }
                default -> b[random.nextInt(b.length)] = (byte) random.nextInt(256);
            }
        }
        return b;
    }
}
