package dev.vpcie.protocol.link;

import dev.vpcie.protocol.encap.FrameCodec;
import dev.vpcie.protocol.encap.FrameType;
import io.netty.buffer.ByteBuf;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HashMap;
import javax.crypto.Mac;
import javax.crypto.SecretKey;

/**
 * Seals and checks the integrity check value (ICV) of keyed frames: the first
 * {@value FrameCodec#ICV_LENGTH} bytes of HMAC-SHA-256 over the Ethernet addresses, the group,
 * the EtherType, the link header and the payload (docs/wire-format.md, section 1.5). Which key
 * is read from the link header alone: the group frame key for HELLO, DISCOVER, ANNOUNCE and a
 * CLOSE without a session (Source Epoch 0), the session key of (Source Epoch, Destination Epoch)
 * for everything else. Session keys are derived when a session is established and forgotten when
 * it ends, so a frame whose epochs name no session of ours is dropped without any key
 * derivation. Agent thread only.
 */
final class FrameAuthenticator {
    private final GroupKey key;
    private final int group, etherType;
    private final Mac groupMac;
    private final HashMap<EpochPair, Mac> sessions = new HashMap<>();
    private final byte[] pseudo = new byte[16];
    private final byte[] full = new byte[32];
    private final byte[] received = new byte[FrameCodec.ICV_LENGTH];
    private final byte[] expected = new byte[FrameCodec.ICV_LENGTH];

    private record EpochPair(long src, long dst) {}

    FrameAuthenticator(GroupKey key, int group, int etherType) {
        this.key = key;
        this.group = group;
        this.etherType = etherType;
        this.groupMac = mac(key.groupFrameKey());
    }

    static boolean usesGroupKey(int typeCode, long srcEpoch) {
        return typeCode == FrameType.HELLO.code() || typeCode == FrameType.DISCOVER.code()
                || typeCode == FrameType.ANNOUNCE.code() || typeCode == FrameType.CLOSE.code() && srcEpoch == 0;
    }

    /** A session was established: frames both ways get their keys. */
    void addSession(long localEpoch, long peerEpoch) {
        sessions.computeIfAbsent(new EpochPair(localEpoch, peerEpoch), p -> mac(key.sessionKey(p.src, p.dst)));
        sessions.computeIfAbsent(new EpochPair(peerEpoch, localEpoch), p -> mac(key.sessionKey(p.src, p.dst)));
    }

    void removeSession(long localEpoch, long peerEpoch) {
        sessions.remove(new EpochPair(localEpoch, peerEpoch));
        sessions.remove(new EpochPair(peerEpoch, localEpoch));
    }

    /** The key of a frame with this header, or null when it names no session we have. */
    Mac keyFor(int typeCode, long srcEpoch, long dstEpoch) {
        return usesGroupKey(typeCode, srcEpoch) ? groupMac : sessions.get(new EpochPair(srcEpoch, dstEpoch));
    }

    /** The key of a session not yet established (a HELLO_ACK to check before the session exists). */
    Mac pendingSessionKey(long srcEpoch, long dstEpoch) { return mac(key.sessionKey(srcEpoch, dstEpoch)); }

    /**
     * Seals the frame in {@code frame} (Ethernet header from index 0, link header at
     * {@code linkIndex}, payload up to the writer index): sets Version to 2 and appends the ICV.
     */
    void seal(ByteBuf frame, int linkIndex) {
        frame.setByte(linkIndex, FrameCodec.VERSION_AUTHENTICATED);
        Mac m = keyFor(frame.getUnsignedByte(linkIndex + 1), frame.getLong(linkIndex + 8), frame.getLong(linkIndex + 16));
        if (m == null) throw new IllegalStateException("no key for a frame of a session that was not established");
        compute(m, frame, linkIndex, frame.writerIndex());
        frame.writeBytes(full, 0, FrameCodec.ICV_LENGTH);
    }

    /**
     * Checks the ICV of a received frame whose link header starts at {@code linkIndex} and whose
     * Payload Length was found to fit; on success the writer index is moved to the payload's end
     * (the ICV and any padding are no longer readable).
     */
    boolean verify(ByteBuf frame, int linkIndex, Mac m) {
        int end = linkIndex + FrameCodec.LINK_HEADER_LENGTH + frame.getUnsignedShort(linkIndex + 2);
        if (end + FrameCodec.ICV_LENGTH > frame.writerIndex()) return false;
        compute(m, frame, linkIndex, end);
        frame.getBytes(end, received);
        System.arraycopy(full, 0, expected, 0, FrameCodec.ICV_LENGTH);
        if (!MessageDigest.isEqual(received, expected)) return false; // constant time
        frame.writerIndex(end);
        return true;
    }

    private void compute(Mac m, ByteBuf frame, int linkIndex, int end) {
        frame.getBytes(0, pseudo, 0, 12); // destination and source MAC
        pseudo[12] = (byte) (group >>> 8);
        pseudo[13] = (byte) group;
        pseudo[14] = (byte) (etherType >>> 8);
        pseudo[15] = (byte) etherType;
        m.update(pseudo);
        m.update(frame.nioBuffer(linkIndex, end - linkIndex));
        try {
            m.doFinal(full, 0);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA-256 output buffer", e);
        }
    }

    private static Mac mac(SecretKey k) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(k);
            return m;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA-256 is part of every JDK", e);
        }
    }
}
