package dev.vpcie.cli;

import dev.vpcie.protocol.encap.EthernetHeader;
import dev.vpcie.protocol.encap.FrameCodec;
import dev.vpcie.protocol.encap.FrameHeader;
import dev.vpcie.protocol.encap.FrameType;
import dev.vpcie.protocol.encap.MalformedFrameException;
import dev.vpcie.protocol.tlp.MalformedTlpException;
import dev.vpcie.protocol.tlp.TlpCodec;
import dev.vpcie.protocol.transport.FrameTap;
import dev.vpcie.protocol.transport.MacAddress;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At log level TRACE ({@code -vvv} or {@code VPCIE_LOG_LEVEL=TRACE}), logs every TLP that crosses
 * the interconnect on one line, with the fields {@code vpcie tlp decode} shows:
 * {@code -> 02:00:00:00:00:02 seq 16 MRd32 requester=00:00.0 tag=1 ... address=0xf0000010}.
 * Only installed when TRACE is on, so it costs nothing otherwise.
 */
final class TlpTrace implements FrameTap {
    private static final Logger log = LoggerFactory.getLogger(TlpTrace.class);

    private final MacAddress self;

    TlpTrace(MacAddress self) { this.self = self; }

    static boolean enabled() { return log.isTraceEnabled(); }

    @Override public void onFrame(boolean outbound, ByteBuffer frame, int offset, int length) {
        ByteBuf b = Unpooled.wrappedBuffer(frame.duplicate().limit(offset + length).position(offset));
        try {
            EthernetHeader eth = FrameCodec.readEthernet(b);
            if (eth.etherType() != FrameCodec.DEFAULT_ETHER_TYPE) return;
            FrameHeader h = FrameCodec.readHeader(b, PcapDecode.version(b));
            if (h.type() != FrameType.DATA) return;
            String peer = (outbound ? "-> " + eth.destination() : "<- " + eth.source()) + "/" + (outbound ? h.dstInstance() : h.srcInstance());
            PcapDecode.eachTlp(h, b, (seq, raw) -> {
                try {
                    log.trace("{} seq {} {}", peer, seq, TlpFields.oneLine(TlpCodec.decode(raw), raw));
                    return true;
                } catch (MalformedTlpException e) {
                    log.trace("{} seq {} malformed TLP: {}", peer, seq, e.getMessage());
                    return false;
                }
            });
        } catch (MalformedFrameException e) {
            log.trace("{} malformed frame: {}", outbound ? "->" : "<-", e.getMessage());
        }
    }

    @Override public String toString() { return "TLP trace at " + self; }
}
