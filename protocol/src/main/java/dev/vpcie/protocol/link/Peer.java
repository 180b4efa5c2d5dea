package dev.vpcie.protocol.link;

import dev.vpcie.protocol.encap.CloseReason;
import dev.vpcie.protocol.encap.FrameCodec;
import dev.vpcie.protocol.encap.FrameHeader;
import dev.vpcie.protocol.encap.FrameType;
import dev.vpcie.protocol.encap.Seq;
import dev.vpcie.protocol.link.Counters.C;
import dev.vpcie.protocol.tlp.MalformedTlpException;
import dev.vpcie.protocol.tlp.Tlp;
import dev.vpcie.protocol.tlp.TlpCodec;
import dev.vpcie.protocol.transport.MacAddress;
import io.netty.buffer.ByteBuf;

/**
 * Everything the agent knows about one peer: the session state machine, the sender's replay
 * buffer, the receiver's reorder buffer, timers and round-trip estimate. Agent thread only; the
 * {@link Link} is its face to other threads.
 *
 * <p>States: DOWN (no session; a connecting link leaves it at once), CONNECTING (HELLOs going out
 * with our fresh epoch), UP (both epochs known). See docs/wire-format.md for the rules.
 */
final class Peer {
    enum State { DOWN, CONNECTING, UP }

    static final long NEVER = Long.MAX_VALUE;

    final Link link;
    final MacAddress mac;
    final int instance;
    private final LinkAgent agent;
    private final FrameWriter out;
    private final Counters counters;

    State state = State.DOWN;
    long localEpoch, peerEpoch;
    private final ReplayBuffer replay;
    private final ReceiveBuffer recv;
    private final RttEstimator rtt;
    private SendChannel channel;
    /** The peer accepts our TLPs up to (not including) this sequence number. */
    private int peerRightEdge;

    private boolean retransmitPending;
    private int retransmitFrom, retransmitTo;
    /** One past the newest TLP ever resent: an ACK that covers a resent TLP gives no RTT sample. */
    private int retransmitMark;

    private int unackedTlps;
    private long ackDueNs = NEVER;
    private boolean ackNow;

    /** Whether a NAK went out for the gap starting at {@code nakFor}, and when. */
    private boolean nakSent;
    private int nakFor;
    private long nakSentNs;

    private long lastSentNs, lastReceivedNs;
    /** Whether this session's handler has heard onLinkUp (a handler set after the session came up hears it late). */
    boolean upReported;
    /**
     * Whether the peer has proven it holds the session. Always, except on a keyed accepter until
     * the first sealed session frame from the opener arrives: a HELLO can be replayed by anyone
     * who saw it, but only a holder of the group key can seal a frame with the keys of the new
     * session, so a replayed HELLO never brings a link up (or takes an endpoint).
     */
    private boolean proven;
    private long nextHelloNs = NEVER, helloIntervalNs;
    /**
     * When a challenge to the peer (sent because a HELLO claimed to restart this session) runs out
     * unanswered, or {@link #NEVER}; see {@link #acceptHello}.
     */
    private long challengeDeadlineNs = NEVER;

    Peer(LinkAgent agent, Link link, FrameWriter out) {
        this.agent = agent;
        this.link = link;
        this.mac = link.peer();
        this.instance = link.peerInstance();
        this.out = out;
        this.counters = link.counters;
        int window = agent.config.window();
        this.replay = new ReplayBuffer(window);
        this.recv = new ReceiveBuffer(window);
        this.rtt = new RttEstimator(agent.initialRtoNs, agent.minRtoNs, agent.maxRtoNs);
    }

    // ---- session set-up and tear-down ----

    /** Starts (or restarts) opening a session with a fresh epoch; the first HELLO goes out on the next service. */
    void startConnecting(long nowNs) {
        state = State.CONNECTING;
        localEpoch = agent.newEpoch();
        peerEpoch = 0;
        helloIntervalNs = agent.initialRtoNs;
        nextHelloNs = nowNs;
    }

    /**
     * A HELLO arrived (from a DOWN, CONNECTING or restarted peer): accept it and answer. A HELLO
     * with a new epoch while the session is up may be the peer restarting or a stranger sending
     * with the peer's addresses: it does not end the session. The old peer is challenged (a
     * KEEPALIVE it must answer at once); if it answers, the session stays and the HELLO is
     * ignored; if it stays silent ({@link #serviceUp}), the session ends and the next HELLO opens
     * a new one. A peer that really restarted answers the challenge with CLOSE(RESET), which ends
     * the old session at once.
     */
    void acceptHello(FrameHeader h, long nowNs) {
        if (state == State.UP) {
            if (h.srcEpoch() == peerEpoch) { // our HELLO_ACK was lost: say it again
                sendHelloAck(nowNs);
                return;
            }
            if (proven) {
                challenge(nowNs);
                return;
            }
            // nothing to protect: its opener never proved it holds the session
            end("replaced by a new HELLO before its peer proved it", nowNs);
        }
        // A simultaneous open keeps the epoch our own HELLOs announced, so both sides agree.
        long local = state == State.CONNECTING ? localEpoch : agent.newEpoch();
        establish(local, h.srcEpoch(), h.seq(), h.window(), agent.auth == null, nowNs);
        sendHelloAck(nowNs);
    }

    /** Asks the peer to prove at once that it still holds the session (one challenge at a time). */
    private void challenge(long nowNs) {
        if (challengeDeadlineNs != NEVER) return;
        out.control(mac, instance, FrameType.KEEPALIVE, localEpoch, peerEpoch, replay.nxt(), recv.next(), recv.window(),
                FrameCodec.KEEPALIVE_CHALLENGE, null, nowNs);
        counters.inc(C.KEEPALIVES_SENT);
        agent.countSecurity(C.CHALLENGES_SENT);
        sent(nowNs);
        challengeDeadlineNs = nowNs + agent.challengeTimeoutNs(rtt.rto());
    }

    /** A HELLO_ACK arrived for our HELLO. */
    void acceptHelloAck(FrameHeader h, long nowNs) {
        if (state == State.UP && h.dstEpoch() == localEpoch && h.srcEpoch() == peerEpoch) {
            onSessionFrame(h, null, nowNs); // a simultaneous open: the peer's answer proves it (keyed)
            return;
        }
        if (state != State.CONNECTING || h.dstEpoch() != localEpoch || h.ack() != agent.config.initialSequence()) return;
        establish(localEpoch, h.srcEpoch(), h.seq(), h.window(), true, nowNs);
        ackNow = true; // the accepter hears at once that we have the session (and, keyed, that we hold the key)
    }

    private void establish(long local, long remote, int peerInitialSeq, int peerWindow, boolean proven, long nowNs) {
        state = State.UP;
        if (agent.auth != null) agent.auth.addSession(local, remote);
        localEpoch = local;
        peerEpoch = remote;
        int isn = agent.config.initialSequence();
        replay.reset(isn);
        recv.reset(peerInitialSeq);
        rtt.reset();
        peerRightEdge = Seq.add(isn, peerWindow);
        retransmitPending = false;
        retransmitMark = isn;
        unackedTlps = 0;
        ackDueNs = NEVER;
        ackNow = false;
        nakSent = false;
        lastReceivedNs = lastSentNs = nowNs;
        nextHelloNs = NEVER;
        challengeDeadlineNs = NEVER;
        channel = new SendChannel(agent.config.window());
        counters.inc(C.SESSIONS_UP);
        upReported = false;
        this.proven = proven;
        if (proven) {
            link.up(channel, local, remote);
            agent.linkUp(this);
        }
    }

    /**
     * Ends the session, dropping what is queued and in flight, and tells the handler. Does not
     * reconnect: callers decide ({@link #afterDown}).
     */
    void end(String reason, long nowNs) {
        boolean wasUp = state == State.UP;
        if (wasUp && agent.auth != null) agent.auth.removeSession(localEpoch, peerEpoch);
        state = State.DOWN;
        link.down();
        channel = null;
        replay.clear();
        recv.clear();
        localEpoch = peerEpoch = 0;
        nextHelloNs = NEVER;
        challengeDeadlineNs = NEVER;
        if (wasUp) {
            counters.inc(C.SESSIONS_DOWN);
            if (upReported) agent.linkDown(this, reason);
            upReported = false;
        }
    }

    /** After a session ended by time-out or by the peer: a connecting link opens the next one. */
    void afterDown(long nowNs, long helloDelayNs) {
        if (link.wantsToConnect && !link.closed) {
            startConnecting(nowNs);
            nextHelloNs = nowNs + helloDelayNs;
        }
    }

    /** Sends a CLOSE for the current session (if any) and ends it. */
    void close(CloseReason reason, String why, long nowNs) {
        if (state == State.UP) {
            out.control(mac, instance, FrameType.CLOSE, localEpoch, peerEpoch, replay.nxt(), recv.next(), 0, reason.code(), null, nowNs);
            counters.inc(C.FRAMES_SENT);
        }
        end(why, nowNs);
    }

    /** A CLOSE naming our epoch arrived. */
    void onClose(FrameHeader h, long nowNs) {
        CloseReason reason = CloseReason.of(h.code());
        if (state == State.CONNECTING && h.dstEpoch() == localEpoch) {
            // Refused: try again, but slowly, in case the peer changes its mind (a new owner, a restart).
            agent.logRefused(this, reason);
            nextHelloNs = nowNs + agent.maxRtoNs;
            helloIntervalNs = agent.maxRtoNs;
            return;
        }
        if (state != State.UP || h.dstEpoch() != localEpoch) return;
        end(switch (reason) {
            case CLOSED -> "closed by the peer";
            case RESET -> "reset by the peer (it has no such session: restarted or timed out)";
            case REFUSED -> "refused by the peer";
        }, nowNs);
        afterDown(nowNs, reason == CloseReason.REFUSED ? agent.maxRtoNs : 0);
    }

    // ---- receiving ----

    /** A frame of the current session (epochs already checked). */
    void onSessionFrame(FrameHeader h, ByteBuf payload, long nowNs) {
        lastReceivedNs = nowNs;
        if (!proven) {
            proven = true;
            link.up(channel, localEpoch, peerEpoch);
            agent.linkUp(this);
        }
        if (challengeDeadlineNs != NEVER) { // the session's peer is alive: the HELLO was not from it
            challengeDeadlineNs = NEVER;
            agent.countSecurity(C.TAKEOVERS_REFUSED);
            agent.logTakeoverRefused(this);
        }
        onAck(h.ack(), h.window(), nowNs);
        switch (h.type()) {
            case DATA -> onData(h.seq(), payload, nowNs);
            case NAK -> onNak(h.ack(), h.seq(), nowNs);
            case KEEPALIVE -> {
                if (h.code() == FrameCodec.KEEPALIVE_CHALLENGE) ackNow = true; // prove we hold the session
            }
            case ACK, HELLO_ACK -> { }
            case HELLO, CLOSE, DISCOVER, ANNOUNCE -> throw new IllegalArgumentException(h.type() + " is not a session frame");
        }
    }

    private void onAck(int ack, int window, long nowNs) {
        if (Seq.greaterThan(ack, replay.nxt())) return; // acknowledges what we never sent: ignore the field
        if (Seq.greaterThan(ack, replay.una())) {
            // Karn's rule, extended to cumulative ACKs: if any TLP this ACK covers was resent, the
            // ACK may have waited for the repair, so it says nothing about the path's round trip.
            if (Seq.lessOrEqual(retransmitMark, replay.una())) {
                rtt.sample(nowNs - replay.sentNs(Seq.add(ack, -1)));
                counters.set(C.SRTT_NANOS, rtt.srtt());
            }
            int freed = replay.ackTo(ack);
            rtt.progress();
            channel.permits.release(freed);
            if (retransmitPending && Seq.lessThan(retransmitFrom, ack)) retransmitFrom = ack;
        }
        int edge = Seq.add(ack, window);
        if (Seq.greaterThan(edge, peerRightEdge)) peerRightEdge = edge;
    }

    private void onData(int firstSeq, ByteBuf payload, long nowNs) {
        int seq = firstSeq, accepted = 0;
        for (ByteBuf record; (record = FrameCodec.readTlpRecord(payload)) != null; seq = Seq.next(seq)) {
            switch (recv.classify(seq)) {
                case DUPLICATE -> {
                    counters.inc(C.DUPLICATES);
                    ackNow = true; // the peer is resending: our ACK may have been lost
                }
                case BEYOND_WINDOW -> counters.inc(C.OUT_OF_WINDOW);
                case NEW -> {
                    Object tlp;
                    try {
                        tlp = TlpCodec.decode(record);
                    } catch (MalformedTlpException e) {
                        counters.inc(C.MALFORMED_TLPS);
                        agent.logMalformedTlp(this, e);
                        tlp = ReceiveBuffer.MALFORMED;
                    }
                    recv.store(seq, tlp);
                    accepted++;
                }
            }
        }
        deliver();
        if (recv.hasGap() && (!nakSent || recv.next() != nakFor || nowNs - nakSentNs >= rtt.rto())) sendNak(nowNs);
        if (accepted > 0) {
            unackedTlps += accepted;
            if (unackedTlps >= agent.ackEvery) ackNow = true;
            else if (ackDueNs == NEVER) ackDueNs = nowNs + agent.ackDelayNs;
        }
    }

    private void deliver() {
        TlpHandler h = link.handler;
        if (h == null || !recv.hasDeliverable()) return;
        int before = recv.window();
        while (recv.hasDeliverable()) {
            Object o = recv.take();
            if (o == ReceiveBuffer.MALFORMED) continue;
            counters.inc(C.TLPS_RECEIVED);
            try {
                h.onTlp((Tlp) o);
            } catch (RuntimeException e) {
                counters.inc(C.HANDLER_ERRORS);
                agent.logHandlerError(this, e);
            }
        }
        // Held TLPs had shrunk the window; tell the sender it reopened rather than let it stall.
        if (before < recv.capacity() / 2) ackNow = true;
    }

    private void onNak(int from, int to, long nowNs) {
        counters.inc(C.NAKS_RECEIVED);
        int start = Seq.max(from, replay.una());
        int end = Seq.lessThan(to, replay.nxt()) ? to : replay.nxt();
        if (!Seq.lessThan(start, end)) return;
        requestRetransmit(start, end);
    }

    private void requestRetransmit(int from, int to) {
        if (!retransmitPending) {
            retransmitPending = true;
            retransmitFrom = from;
            retransmitTo = to;
        } else {
            if (Seq.lessThan(from, retransmitFrom)) retransmitFrom = from;
            if (Seq.greaterThan(to, retransmitTo)) retransmitTo = to;
        }
    }

    // ---- the agent's periodic work for this peer ----

    /** Does what is due; returns how much work that was (0 when idle). */
    int service(long nowNs) {
        return switch (state) {
            case DOWN -> 0;
            case CONNECTING -> serviceConnecting(nowNs);
            case UP -> serviceUp(nowNs);
        };
    }

    private int serviceConnecting(long nowNs) {
        if (nowNs < nextHelloNs) return 0;
        out.control(mac, instance, FrameType.HELLO, localEpoch, 0, agent.config.initialSequence(), 0,
                recv.capacity(), 0, null, nowNs);
        counters.inc(C.FRAMES_SENT);
        nextHelloNs = nowNs + helloIntervalNs;
        helloIntervalNs = Math.min(helloIntervalNs * 2, agent.maxRtoNs);
        return 1;
    }

    private int serviceUp(long nowNs) {
        if (nowNs - lastReceivedNs >= agent.linkDownTimeoutNs) {
            end("peer silent for " + (nowNs - lastReceivedNs) / 1_000_000 + " ms (link-down timeout "
                    + agent.linkDownTimeoutNs / 1_000_000 + " ms)", nowNs);
            afterDown(nowNs, 0);
            return 1;
        }
        if (nowNs >= challengeDeadlineNs) {
            agent.countSecurity(C.PEERS_REPLACED);
            end("peer silent after a HELLO claimed its restart: the session is given up for a new one", nowNs);
            afterDown(nowNs, 0);
            return 1;
        }
        int work = 0;
        if (!upReported && proven && link.handler != null) {
            agent.linkUp(this); // the handler arrived after the session came up: it hears onLinkUp first
            work++;
        }
        if (recv.hasDeliverable() && link.handler != null) {
            deliver();
            work++;
        }
        if (retransmitPending) work += retransmit(nowNs);
        work += sendNew(nowNs);
        if (!replay.isEmpty() && nowNs - replay.sentNs(replay.una()) >= rtt.rto()) {
            counters.inc(C.TIMEOUTS);
            rtt.timedOut();
            // Resend the oldest frame's worth; the ACK or NAK it draws tells what else is missing,
            // rather than flooding a path that just lost frames.
            work += retransmitOneFrame(nowNs);
        }
        if (recv.hasGap() && (!nakSent || nowNs - nakSentNs >= rtt.rto())) {
            sendNak(nowNs);
            work++;
        }
        if (ackNow || nowNs >= ackDueNs) {
            out.control(mac, instance, FrameType.ACK, localEpoch, peerEpoch, replay.nxt(), recv.next(), recv.window(), 0, null, nowNs);
            counters.inc(C.ACKS_SENT);
            sent(nowNs);
            work++;
        }
        if (nowNs - lastSentNs >= agent.keepaliveNs) {
            out.control(mac, instance, FrameType.KEEPALIVE, localEpoch, peerEpoch, replay.nxt(), recv.next(), recv.window(), 0, null, nowNs);
            counters.inc(C.KEEPALIVES_SENT);
            sent(nowNs);
            work++;
        }
        return work;
    }

    /** Whether {@link #service} has something to do right now without waiting for a timer. */
    boolean hasImmediateWork() {
        if (state != State.UP) return false;
        SendChannel ch = channel;
        return retransmitPending || ackNow || (link.handler != null && (!upReported && proven || recv.hasDeliverable()))
                || (!ch.queue.isEmpty() && canSendNew());
    }

    /** When this peer next needs the agent (a timer), or {@link #NEVER}. */
    long nextDeadline() {
        return switch (state) {
            case DOWN -> NEVER;
            case CONNECTING -> nextHelloNs;
            case UP -> {
                long d = Math.min(lastReceivedNs + agent.linkDownTimeoutNs, lastSentNs + agent.keepaliveNs);
                d = Math.min(d, Math.min(ackDueNs, challengeDeadlineNs));
                if (!replay.isEmpty()) d = Math.min(d, replay.sentNs(replay.una()) + rtt.rto());
                if (recv.hasGap() && nakSent) d = Math.min(d, nakSentNs + rtt.rto());
                yield d;
            }
        };
    }

    // ---- sending ----

    private boolean canSendNew() {
        return !replay.isFull() && Seq.lessThan(replay.nxt(), peerRightEdge);
    }

    /** Moves queued TLPs into the replay buffer and sends them, packed into as few frames as the MTU allows. */
    private int sendNew(long nowNs) {
        int frames = 0;
        Tlp tlp;
        while (canSendNew() && (tlp = channel.queue.peek()) != null) {
            int length = TlpCodec.encodedLength(tlp);
            if (out.building() && !out.fits(length)) {
                flushData(nowNs);
                if (++frames >= agent.burstFrames) return frames;
            }
            channel.queue.poll();
            int seq = replay.add(tlp);
            if (!out.building()) beginData(seq);
            out.addTlp(tlp);
            replay.markSent(seq, nowNs);
            counters.inc(C.TLPS_SENT);
        }
        if (out.building()) {
            flushData(nowNs);
            frames++;
        }
        return frames;
    }

    /** Resends the pending range, skipping TLPs sent too recently for the NAK to have seen them. */
    private int retransmit(long nowNs) {
        int frames = 0;
        long recent = nowNs - rtt.srtt();
        int s = Seq.max(retransmitFrom, replay.una());
        int end = Seq.lessThan(retransmitTo, replay.nxt()) ? retransmitTo : replay.nxt();
        for (; Seq.lessThan(s, end); s = Seq.next(s)) {
            if (replay.sentNs(s) > recent && rtt.srtt() > 0) { // just resent: this NAK crossed it
                if (out.building()) { flushData(nowNs); frames++; }
                continue;
            }
            Tlp tlp = replay.tlp(s);
            int length = TlpCodec.encodedLength(tlp);
            if (out.building() && !out.fits(length)) {
                flushData(nowNs);
                if (++frames >= agent.burstFrames) {
                    retransmitFrom = s;
                    return frames;
                }
            }
            if (!out.building()) beginData(s);
            out.addTlp(tlp);
            resent(s, nowNs);
        }
        if (out.building()) { flushData(nowNs); frames++; }
        retransmitPending = false;
        return frames;
    }

    /** After a timeout: resends the first frame's worth from the oldest unacknowledged TLP. */
    private int retransmitOneFrame(long nowNs) {
        int s = replay.una();
        beginData(s);
        for (; Seq.lessThan(s, replay.nxt()); s = Seq.next(s)) {
            Tlp tlp = replay.tlp(s);
            if (out.tlpCount() > 0 && !out.fits(TlpCodec.encodedLength(tlp))) break;
            out.addTlp(tlp);
            resent(s, nowNs);
        }
        flushData(nowNs);
        return 1;
    }

    private void resent(int seq, long nowNs) {
        replay.markSent(seq, nowNs);
        counters.inc(C.RETRANSMITS);
        if (Seq.greaterThan(Seq.next(seq), retransmitMark)) retransmitMark = Seq.next(seq);
    }

    private void beginData(int firstSeq) {
        out.beginData(mac, instance, localEpoch, peerEpoch, firstSeq, recv.next(), recv.window());
    }

    private void flushData(long nowNs) {
        out.sendData(nowNs);
        sent(nowNs);
    }

    private void sendNak(long nowNs) {
        int end = recv.gapEnd();
        out.control(mac, instance, FrameType.NAK, localEpoch, peerEpoch, end, recv.next(), recv.window(), 0, null, nowNs);
        counters.inc(C.NAKS_SENT);
        nakSent = true;
        nakFor = recv.next();
        nakSentNs = nowNs;
        sent(nowNs);
    }

    private void sendHelloAck(long nowNs) {
        out.control(mac, instance, FrameType.HELLO_ACK, localEpoch, peerEpoch, agent.config.initialSequence(),
                recv.next(), recv.window(), 0, null, nowNs);
        counters.inc(C.FRAMES_SENT);
        lastSentNs = nowNs;
    }

    /** Every session frame carries the cumulative ACK, so any of them settles what was owed. */
    private void sent(long nowNs) {
        counters.inc(C.FRAMES_SENT);
        lastSentNs = nowNs;
        unackedTlps = 0;
        ackDueNs = NEVER;
        ackNow = false;
    }

    @Override public String toString() {
        return link.describe() + " " + state;
    }
}
