package dev.vpcie.protocol.encap;

/**
 * The vpcie link header that follows the Ethernet header (see docs/wire-format.md).
 *
 * @param type          frame type
 * @param srcInstance   the sender's host-instance ID (16 bits): tells apart processes sharing a MAC
 * @param dstInstance   the receiver's host-instance ID; {@link FrameCodec#ANY_INSTANCE} only in DISCOVER
 * @param srcEpoch      the sender's session epoch (random per session, never 0 where set)
 * @param dstEpoch      the receiver's session epoch as the sender knows it (0 in HELLO, DISCOVER, ANNOUNCE)
 * @param seq           DATA: sequence number of the first TLP; HELLO/HELLO_ACK: initial sequence number;
 *                      NAK: first sequence number after the gap; DISCOVER: nonce; otherwise the sender's next sequence number
 * @param ack           next sequence number the sender expects (all before it received); ANNOUNCE: the DISCOVER's nonce
 * @param window        how many TLPs from {@code ack} on the sender can accept (credits)
 * @param code          CLOSE: {@link CloseReason} code; KEEPALIVE: 0 or {@link FrameCodec#KEEPALIVE_CHALLENGE}; 0 otherwise
 * @param payloadLength bytes of payload after the header
 */
public record FrameHeader(FrameType type, int srcInstance, int dstInstance, long srcEpoch, long dstEpoch,
                          int seq, int ack, int window, int code, int payloadLength) {
    public FrameHeader {
        if (type == null) throw new IllegalArgumentException("frame type missing");
        if ((srcInstance & ~0xFFFF) != 0 || (dstInstance & ~0xFFFF) != 0)
            throw new IllegalArgumentException("host-instance IDs are 16 bits: " + srcInstance + ", " + dstInstance);
        if ((window & ~0xFFFF) != 0) throw new IllegalArgumentException("window is 16 bits: " + window);
        if ((code & ~0xFFFF) != 0) throw new IllegalArgumentException("code is 16 bits: " + code);
        if ((payloadLength & ~0xFFFF) != 0) throw new IllegalArgumentException("payload length is 16 bits: " + payloadLength);
    }

    @Override public String toString() {
        return type + "[inst " + srcInstance + "->" + dstInstance + ", epoch " + Long.toHexString(srcEpoch) + "->"
                + Long.toHexString(dstEpoch) + ", seq " + Seq.toString(seq) + ", ack " + Seq.toString(ack) + ", window "
                + window + (code != 0 ? ", code " + code : "") + ", payload " + payloadLength + "]";
    }
}
