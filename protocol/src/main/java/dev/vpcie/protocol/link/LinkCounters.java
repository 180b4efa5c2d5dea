package dev.vpcie.protocol.link;

/**
 * A snapshot of a link's (or a whole endpoint's) counters. Frame counters count link frames of
 * every type; TLP counters count TLPs. Endpoint-wide fields ({@code malformedFrames},
 * {@code foreignFrames}, {@code resetsSent}) are 0 in a single link's snapshot.
 *
 * @param framesSent      frames handed to the transport
 * @param framesReceived  frames with vpcie's EtherType received (for a link: those from its peer)
 * @param tlpsSent        TLPs sent for the first time
 * @param tlpsReceived    TLPs delivered in order to the handler
 * @param retransmits     TLPs sent again (after a NAK or a timeout)
 * @param timeouts        retransmission timeouts that fired
 * @param naksSent        NAK frames sent
 * @param naksReceived    NAK frames received
 * @param acksSent        ACK frames sent (acknowledgements riding on DATA are not counted)
 * @param keepalivesSent  KEEPALIVE frames sent
 * @param duplicates      TLPs received that had been received before, dropped
 * @param outOfWindow     TLPs received beyond the receive window, dropped
 * @param malformedFrames frames with vpcie's EtherType that break the wire format, dropped
 * @param malformedTlps   TLPs that TlpCodec rejected, skipped
 * @param foreignFrames   frames for another group, MAC, instance or session, dropped
 * @param resetsSent      CLOSE(RESET) frames sent for frames of sessions that do not exist
 * @param sessionsUp      sessions established
 * @param sessionsDown    sessions ended
 * @param handlerErrors   exceptions thrown by a TlpHandler or an acceptor, caught and logged
 * @param srttNanos       smoothed round-trip time (a gauge, 0 before the first measurement)
 */
public record LinkCounters(long framesSent, long framesReceived, long tlpsSent, long tlpsReceived, long retransmits,
                           long timeouts, long naksSent, long naksReceived, long acksSent, long keepalivesSent,
                           long duplicates, long outOfWindow, long malformedFrames, long malformedTlps,
                           long foreignFrames, long resetsSent, long sessionsUp, long sessionsDown, long handlerErrors,
                           long srttNanos) {

    /** Field-wise sum; {@code srttNanos} becomes the larger of the two. */
    public LinkCounters plus(LinkCounters o) {
        return new LinkCounters(framesSent + o.framesSent, framesReceived + o.framesReceived, tlpsSent + o.tlpsSent,
                tlpsReceived + o.tlpsReceived, retransmits + o.retransmits, timeouts + o.timeouts, naksSent + o.naksSent,
                naksReceived + o.naksReceived, acksSent + o.acksSent, keepalivesSent + o.keepalivesSent,
                duplicates + o.duplicates, outOfWindow + o.outOfWindow, malformedFrames + o.malformedFrames,
                malformedTlps + o.malformedTlps, foreignFrames + o.foreignFrames, resetsSent + o.resetsSent,
                sessionsUp + o.sessionsUp, sessionsDown + o.sessionsDown, handlerErrors + o.handlerErrors,
                Math.max(srttNanos, o.srttNanos));
    }
}
