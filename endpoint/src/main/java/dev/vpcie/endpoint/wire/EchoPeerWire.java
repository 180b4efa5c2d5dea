package dev.vpcie.endpoint.wire;

import dev.vpcie.devices.nic.MacAddress;
import java.net.Inet4Address;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-memory cable whose far end is an {@link EchoPeer}: a host that answers ARP and ICMP echo
 * at one IPv4 address. With it a NIC can be pinged — {@code vpcie vrc ping} through the whole
 * interconnect — on a machine where no interface can be opened (no root). The cable always has
 * link; the peer ignores everything it does not answer, as a host would.
 */
public final class EchoPeerWire implements Wire {
    /** The peer's address when none is given. */
    public static final MacAddress DEFAULT_MAC = MacAddress.parse("02:ec:40:00:00:01");
    /** Frames up to jumbo size, so large pings work as well. */
    private static final int MAX_FRAME = 9018;

    private final EchoPeer peer;
    private final Inbound inbound = new Inbound();
    private final AtomicLong framesOut = new AtomicLong(), refused = new AtomicLong();
    private volatile boolean closed;

    public EchoPeerWire(EchoPeer peer) { this.peer = Objects.requireNonNull(peer); }

    /** A peer at {@code address} with {@link #DEFAULT_MAC}. */
    public EchoPeerWire(Inet4Address address) { this(new EchoPeer(DEFAULT_MAC, address)); }

    public EchoPeer peer() { return peer; }

    @Override public void start(Executor functionThread) { inbound.start(functionThread, describe()); }

    @Override public String describe() { return "echo peer " + peer.address().getHostAddress() + " " + peer.mac(); }

    @Override public WireCounters counters() {
        return new WireCounters(inbound.delivered(), framesOut.get(), inbound.dropped(), refused.get(), 0);
    }

    /** On the function's thread: the peer answers after the device's current work, never inside its send. */
    @Override public boolean send(ByteBuffer frame) {
        byte[] bytes = new byte[frame.remaining()];
        frame.get(bytes);
        if (closed || bytes.length > MAX_FRAME) {
            refused.incrementAndGet();
            return false;
        }
        framesOut.incrementAndGet();
        // A host ignores what is not for it; an answer arrives after the device's current work.
        peer.answer(bytes, bytes.length).ifPresent(reply -> inbound.handOver(List.of(reply)));
        return true;
    }

    @Override public void setReceiver(FrameReceiver receiver) { inbound.receiver(receiver); }

    @Override public boolean linkUp() { return !closed; }

    /** The cable never changes state while open. */
    @Override public void setLinkListener(LinkListener listener) { Objects.requireNonNull(listener); }

    @Override public int maxFrameSize() { return MAX_FRAME; }

    @Override public void close() {
        closed = true;
        inbound.close();
    }

    @Override public String toString() { return describe(); }

    /** Parses an IPv4 address in dotted form (no host name lookups). */
    public static Inet4Address parseAddress(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) throw new IllegalArgumentException("not an IPv4 address: '" + text + "'");
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
            if (!parts[i].matches("\\d{1,3}") || Integer.parseInt(parts[i]) > 255)
                throw new IllegalArgumentException("not an IPv4 address: '" + text + "'");
            b[i] = (byte) Integer.parseInt(parts[i]);
        }
        try {
            return (Inet4Address) Inet4Address.getByAddress(b);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError("four bytes are always an address", e);
        }
    }
}
