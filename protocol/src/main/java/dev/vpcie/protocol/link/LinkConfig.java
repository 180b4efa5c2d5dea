package dev.vpcie.protocol.link;

import dev.vpcie.protocol.encap.FrameCodec;
import java.time.Duration;

/**
 * Settings of a {@link LinkEndpoint} and every link it carries. Both ends of a link should use
 * the same group, EtherType and MTU; the rest may differ. Start from {@link #defaults()} and
 * change what you need with the {@code with…} methods.
 *
 * @param group             group ID = 802.1Q VLAN ID of every frame, 1..4094; 0 sends untagged frames
 * @param etherType         EtherType of vpcie frames (default 0x88B5, IEEE local experimental)
 * @param hostInstance      this process's host-instance ID, 0..0xFFFE: processes sharing one MAC
 *                          (one interface) must choose different ones
 * @param window            TLPs a link has in flight at most (replay buffer and send queue
 *                          together), and TLPs it accepts ahead of a gap; a power of two, 2..32768
 * @param mtu               largest Ethernet payload to use; 0 takes the transport's MTU (a smaller
 *                          value is honoured, a larger one is capped to the transport's)
 * @param keepaliveInterval a KEEPALIVE goes out when nothing else was sent for this long
 * @param linkDownTimeout   a session whose peer was silent this long ends (onLinkDown)
 * @param initialRto        retransmission timeout before the first round-trip measurement
 * @param minRto            lower bound of the adaptive retransmission timeout
 * @param maxRto            upper bound, also the longest interval between HELLO retries
 * @param ackDelay          longest an acknowledgement waits for a frame to ride on
 * @param busyPoll          how long the agent thread spins for work before it blocks in receive
 * @param initialSequence   sequence number of a session's first TLP (tests start near 2^32 to cross the wrap)
 * @param maxLinks          links (peers) one endpoint keeps at most; further HELLOs are refused
 * @param groupKey          the group's pre-shared key, or null: with one every frame is sealed and
 *                          checked (docs/security.md), and frames without a valid seal are dropped
 */
public record LinkConfig(int group, int etherType, int hostInstance, int window, int mtu,
                         Duration keepaliveInterval, Duration linkDownTimeout, Duration initialRto, Duration minRto,
                         Duration maxRto, Duration ackDelay, Duration busyPoll, int initialSequence, int maxLinks,
                         GroupKey groupKey) {

    public LinkConfig {
        if (group < 0 || group > FrameCodec.MAX_GROUP) throw new IllegalArgumentException("group (VLAN ID) must be 0..4094: " + group);
        if (etherType < 0x0600 || etherType > 0xFFFF || etherType == FrameCodec.TPID_8021Q)
            throw new IllegalArgumentException("EtherType must be 0x0600..0xFFFF and not 0x8100: 0x" + Integer.toHexString(etherType));
        if (hostInstance < 0 || hostInstance >= FrameCodec.ANY_INSTANCE)
            throw new IllegalArgumentException("host instance must be 0..65534: " + hostInstance);
        if (window < 2 || window > 32768 || Integer.bitCount(window) != 1)
            throw new IllegalArgumentException("window must be a power of two, 2..32768: " + window);
        if (mtu != 0 && (mtu < 128 || mtu > 65535)) throw new IllegalArgumentException("MTU must be 0 (transport's) or 128..65535: " + mtu);
        positive("keepaliveInterval", keepaliveInterval);
        positive("linkDownTimeout", linkDownTimeout);
        positive("initialRto", initialRto);
        positive("minRto", minRto);
        positive("maxRto", maxRto);
        if (ackDelay == null || ackDelay.isNegative()) throw new IllegalArgumentException("ackDelay must not be negative");
        if (busyPoll == null || busyPoll.isNegative()) throw new IllegalArgumentException("busyPoll must not be negative");
        if (minRto.compareTo(maxRto) > 0) throw new IllegalArgumentException("minRto " + minRto + " exceeds maxRto " + maxRto);
        if (keepaliveInterval.compareTo(linkDownTimeout) >= 0)
            throw new IllegalArgumentException("keepaliveInterval " + keepaliveInterval + " must be shorter than linkDownTimeout " + linkDownTimeout);
        if (maxLinks < 1) throw new IllegalArgumentException("maxLinks must be at least 1: " + maxLinks);
    }

    /**
     * Untagged, EtherType 0x88B5, instance 1, window 1024 TLPs, the transport's MTU, keepalive
     * every 100 ms, link down after 1 s of silence, RTO 5 ms at first then adaptive within
     * 1..250 ms, ACKs delayed by at most 50 µs, 200 µs of busy-polling, up to 256 links.
     */
    public static LinkConfig defaults() {
        return new LinkConfig(0, FrameCodec.DEFAULT_ETHER_TYPE, 1, 1024, 0, Duration.ofMillis(100), Duration.ofSeconds(1),
                Duration.ofMillis(5), Duration.ofMillis(1), Duration.ofMillis(250), Duration.ofNanos(50_000),
                Duration.ofNanos(200_000), 0, 256, null);
    }

    /** With a group key (null: none): every frame sealed and checked. */
    public LinkConfig withGroupKey(GroupKey v) { return new LinkConfig(group, etherType, hostInstance, window, mtu, keepaliveInterval, linkDownTimeout, initialRto, minRto, maxRto, ackDelay, busyPoll, initialSequence, maxLinks, v); }

    public LinkConfig withGroup(int v) { return new LinkConfig(v, etherType, hostInstance, window, mtu, keepaliveInterval, linkDownTimeout, initialRto, minRto, maxRto, ackDelay, busyPoll, initialSequence, maxLinks, groupKey); }
    public LinkConfig withEtherType(int v) { return new LinkConfig(group, v, hostInstance, window, mtu, keepaliveInterval, linkDownTimeout, initialRto, minRto, maxRto, ackDelay, busyPoll, initialSequence, maxLinks, groupKey); }
    public LinkConfig withHostInstance(int v) { return new LinkConfig(group, etherType, v, window, mtu, keepaliveInterval, linkDownTimeout, initialRto, minRto, maxRto, ackDelay, busyPoll, initialSequence, maxLinks, groupKey); }
    public LinkConfig withWindow(int v) { return new LinkConfig(group, etherType, hostInstance, v, mtu, keepaliveInterval, linkDownTimeout, initialRto, minRto, maxRto, ackDelay, busyPoll, initialSequence, maxLinks, groupKey); }
    public LinkConfig withMtu(int v) { return new LinkConfig(group, etherType, hostInstance, window, v, keepaliveInterval, linkDownTimeout, initialRto, minRto, maxRto, ackDelay, busyPoll, initialSequence, maxLinks, groupKey); }
    public LinkConfig withKeepalive(Duration interval, Duration downTimeout) { return new LinkConfig(group, etherType, hostInstance, window, mtu, interval, downTimeout, initialRto, minRto, maxRto, ackDelay, busyPoll, initialSequence, maxLinks, groupKey); }
    public LinkConfig withRto(Duration initial, Duration min, Duration max) { return new LinkConfig(group, etherType, hostInstance, window, mtu, keepaliveInterval, linkDownTimeout, initial, min, max, ackDelay, busyPoll, initialSequence, maxLinks, groupKey); }
    public LinkConfig withAckDelay(Duration v) { return new LinkConfig(group, etherType, hostInstance, window, mtu, keepaliveInterval, linkDownTimeout, initialRto, minRto, maxRto, v, busyPoll, initialSequence, maxLinks, groupKey); }
    public LinkConfig withBusyPoll(Duration v) { return new LinkConfig(group, etherType, hostInstance, window, mtu, keepaliveInterval, linkDownTimeout, initialRto, minRto, maxRto, ackDelay, v, initialSequence, maxLinks, groupKey); }
    public LinkConfig withInitialSequence(int v) { return new LinkConfig(group, etherType, hostInstance, window, mtu, keepaliveInterval, linkDownTimeout, initialRto, minRto, maxRto, ackDelay, busyPoll, v, maxLinks, groupKey); }
    public LinkConfig withMaxLinks(int v) { return new LinkConfig(group, etherType, hostInstance, window, mtu, keepaliveInterval, linkDownTimeout, initialRto, minRto, maxRto, ackDelay, busyPoll, initialSequence, v, groupKey); }

    private static void positive(String what, Duration d) {
        if (d == null || d.isZero() || d.isNegative()) throw new IllegalArgumentException(what + " must be positive: " + d);
    }
}
