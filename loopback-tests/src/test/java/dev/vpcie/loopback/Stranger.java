package dev.vpcie.loopback;

import dev.vpcie.protocol.encap.FrameCodec;
import dev.vpcie.protocol.encap.FrameType;
import dev.vpcie.protocol.tlp.Attributes;
import dev.vpcie.protocol.tlp.Completion;
import dev.vpcie.protocol.tlp.CplStatus;
import dev.vpcie.protocol.tlp.MemWrite;
import dev.vpcie.protocol.tlp.Tlp;
import dev.vpcie.protocol.tlp.TlpCodec;
import dev.vpcie.protocol.transport.FrameTransport;
import dev.vpcie.protocol.transport.MacAddress;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.SplittableRandom;

/**
 * A third party on the segment, as the attacker: it knows the published wire format and
 * the MAC addresses and instances that discovery broadcasts, and nothing of the sessions (it does
 * not see their frames). It builds frames by hand with anyone's source address and puts them on
 * the wire through a cable end ({@code via}), as a raw socket would. Any thread.
 */
final class Stranger {
    private final int group, etherType;
    private final SplittableRandom random = new SplittableRandom(0x5EED);
    private long sent;

    Stranger(int group, int etherType) {
        this.group = group;
        this.etherType = etherType;
    }

    /** Frames put on the wire so far. */
    synchronized long sent() { return sent; }

    synchronized long randomEpoch() {
        long e;
        do e = random.nextLong(); while (e == 0);
        return e;
    }

    /** A HELLO claiming that {@code from} restarted, toward {@code to}. */
    void hello(FrameTransport via, MacAddress from, MacAddress to, int instance) {
        frame(via, from, to, instance, FrameType.HELLO, randomEpoch(), 0, 0, 0, null);
    }

    /** A CLOSE naming a guessed epoch of {@code to}. */
    void close(FrameTransport via, MacAddress from, MacAddress to, int instance) {
        frame(via, from, to, instance, FrameType.CLOSE, randomEpoch(), randomEpoch(), 2, 0, null);
    }

    /** A DATA frame with guessed epochs carrying {@code tlp}. */
    void data(FrameTransport via, MacAddress from, MacAddress to, int instance, Tlp tlp) {
        frame(via, from, to, instance, FrameType.DATA, randomEpoch(), randomEpoch(), 0, 0, tlp);
    }

    /** A DISCOVER broadcast with {@code from}'s address. */
    void discover(FrameTransport via, MacAddress from, int instance) {
        frame(via, from, MacAddress.BROADCAST, instance, FrameType.DISCOVER, 0, 0, 0, 0, null);
    }

    /** A memory write of {@code length} bytes of 0xEE at {@code address}, from requester {@code requester}. */
    static MemWrite garbageWrite(int requester, long address, int length) {
        byte[] data = new byte[length];
        java.util.Arrays.fill(data, (byte) 0xEE);
        return new MemWrite(requester, 0, address, 0xF, length > 4 ? 0xF : 0, data);
    }

    /** A successful 1-DW completion with data 0xdeadbeef for {@code tag} of {@code requester}. */
    static Completion forgedCompletion(int completer, int requester, int tag) {
        return new Completion(completer, CplStatus.SC, false, 4, requester, tag, 0, Attributes.DEFAULT,
                new byte[] {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef});
    }

    private void frame(FrameTransport via, MacAddress from, MacAddress to, int instance, FrameType type, long srcEpoch,
                       long dstEpoch, int code, int seq, Tlp tlp) {
        ByteBuf b = Unpooled.buffer(256);
        FrameCodec.writeEthernet(b, to, from, group, etherType);
        int header = b.writerIndex();
        int dstInstance = type == FrameType.DISCOVER ? FrameCodec.ANY_INSTANCE : instance;
        FrameCodec.writeHeader(b, type, instance, dstInstance, srcEpoch, dstEpoch, seq, 0, type == FrameType.DISCOVER ? 0 : 64, code, 0);
        if (tlp != null) {
            int at = FrameCodec.beginTlpRecord(b);
            TlpCodec.encode(tlp, b);
            FrameCodec.endTlpRecord(b, at);
            FrameCodec.setPayloadLength(b, header);
        }
        try {
            via.send(b.nioBuffer());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        synchronized (this) {
            sent++;
        }
    }
}
