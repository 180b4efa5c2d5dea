package dev.vpcie.protocol.link;

import dev.vpcie.protocol.encap.FrameCodec;
import dev.vpcie.protocol.encap.FrameType;
import dev.vpcie.protocol.tlp.Tlp;
import dev.vpcie.protocol.tlp.TlpCodec;
import dev.vpcie.protocol.transport.FrameTransport;
import dev.vpcie.protocol.transport.MacAddress;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds frames in the agent's one transmit buffer and queues them in the transport, which sends
 * a duty cycle's frames together at {@link #flush} (one {@code sendmmsg} on AF_PACKET). A DATA frame
 * is built TLP by TLP ({@link #beginData}, {@link #fits}, {@link #addTlp}, {@link #sendData}) so the
 * agent packs as many queued TLPs as the MTU allows. Agent thread only.
 */
final class FrameWriter {
    private static final Logger log = LoggerFactory.getLogger(FrameWriter.class);
    private static final long SEND_ERROR_LOG_INTERVAL_NS = 1_000_000_000L;

    private final FrameTransport transport;
    private final ByteBuffer nio;
    private final ByteBuf buf;
    private final MacAddress self;
    private final int group, etherType, instance;
    /** Payload bytes a frame may carry after the link header. */
    private final int maxPayload;
    private final Counters counters;
    /** Seals every frame when the group has a key; null otherwise. */
    private final FrameAuthenticator auth;
    private final int linkIndex;

    private int headerIndex = -1;
    private int tlpCount;
    private boolean sendErrorLogged;
    private long lastSendErrorLogNs;

    FrameWriter(FrameTransport transport, LinkConfig config, int mtu, Counters counters, FrameAuthenticator auth) {
        this.transport = transport;
        this.self = transport.address();
        this.group = config.group();
        this.etherType = config.etherType();
        this.instance = config.hostInstance();
        this.maxPayload = Math.min(0xFFFF, mtu - FrameCodec.LINK_HEADER_LENGTH - (auth != null ? FrameCodec.ICV_LENGTH : 0));
        this.counters = counters;
        this.auth = auth;
        this.linkIndex = FrameCodec.ethernetHeaderLength(config.group());
        this.nio = ByteBuffer.allocateDirect(mtu + FrameCodec.ETHERNET_HEADER_LENGTH + FrameCodec.VLAN_TAG_LENGTH);
        this.buf = Unpooled.wrappedBuffer(nio);
    }

    /** The largest TLP a DATA frame can carry. */
    int maxTlpLength() { return Math.min(FrameCodec.MAX_TLP_LENGTH, maxPayload - FrameCodec.TLP_RECORD_PREFIX); }

    /** Sends a frame without TLPs. */
    boolean control(MacAddress dst, int dstInstance, FrameType type, long srcEpoch, long dstEpoch, int seq, int ack,
                    int window, int code, byte[] payload, long nowNs) {
        buf.clear();
        FrameCodec.writeEthernet(buf, dst, self, group, etherType);
        int len = payload == null ? 0 : Math.min(payload.length, maxPayload);
        FrameCodec.writeHeader(buf, type, instance, dstInstance, srcEpoch, dstEpoch, seq, ack, window, code, len);
        if (len > 0) buf.writeBytes(payload, 0, len);
        return transmit(nowNs);
    }

    void beginData(MacAddress dst, int dstInstance, long srcEpoch, long dstEpoch, int firstSeq, int ack, int window) {
        buf.clear();
        FrameCodec.writeEthernet(buf, dst, self, group, etherType);
        headerIndex = buf.writerIndex();
        FrameCodec.writeHeader(buf, FrameType.DATA, instance, dstInstance, srcEpoch, dstEpoch, firstSeq, ack, window, 0, 0);
        tlpCount = 0;
    }

    boolean building() { return headerIndex >= 0; }

    int tlpCount() { return tlpCount; }

    /** Whether a TLP of {@code length} encoded bytes still fits the frame being built. */
    boolean fits(int length) {
        return buf.writerIndex() - headerIndex - FrameCodec.LINK_HEADER_LENGTH + FrameCodec.TLP_RECORD_PREFIX + length <= maxPayload;
    }

    void addTlp(Tlp tlp) {
        int at = FrameCodec.beginTlpRecord(buf);
        TlpCodec.encode(tlp, buf);
        FrameCodec.endTlpRecord(buf, at);
        tlpCount++;
    }

    boolean sendData(long nowNs) {
        FrameCodec.setPayloadLength(buf, headerIndex);
        headerIndex = -1;
        return transmit(nowNs);
    }

    private boolean transmit(long nowNs) {
        if (auth != null) auth.seal(buf, linkIndex);
        nio.clear().limit(buf.writerIndex());
        try {
            transport.queue(nio);
            counters.inc(Counters.C.FRAMES_SENT);
            return true;
        } catch (IOException | RuntimeException e) {
            sendFailed(e, nowNs);
            return false;
        } finally {
            nio.clear();
        }
    }

    /**
     * Sends the frames queued since the last flush, in one system call where the transport can:
     * the agent calls it at the end of every duty cycle, so no frame waits past its cycle.
     */
    void flush(long nowNs) {
        try {
            transport.flush();
        } catch (IOException | RuntimeException e) {
            sendFailed(e, nowNs);
        }
    }

    /** A failed send is a lost frame: the link's retransmission covers it, the log says why. */
    private void sendFailed(Exception e, long nowNs) {
        if (!sendErrorLogged || nowNs - lastSendErrorLogNs >= SEND_ERROR_LOG_INTERVAL_NS) {
            sendErrorLogged = true;
            lastSendErrorLogNs = nowNs;
            log.warn("{}: sending a frame failed: {}", transport.name(), e.toString());
        }
    }
}
