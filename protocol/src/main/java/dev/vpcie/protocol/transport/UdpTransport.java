package dev.vpcie.protocol.transport;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.PortUnreachableException;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;

/**
 * Whole Ethernet frames (header included) as UDP datagram payloads between this end and one
 * configured peer: for routed networks, and for running without root. The MAC address is a
 * locally administered stand-in derived from the local address and port ({@link #standInMac}),
 * so each end can compute the other's. Only datagrams from the peer are accepted (the channel is
 * connected), then the same MAC and EtherType checks as on a real interface apply.
 *
 * <p>Receive waits in a {@link Selector} (millisecond resolution); {@link #wakeup()} is
 * {@link Selector#wakeup()}. A peer that is not listening yet (ICMP port unreachable) or a path
 * that is missing for the moment (network or host unreachable) loses frames rather than failing
 * the transport, as a pulled cable would; the link above notices and recovers.
 */
public final class UdpTransport implements FrameTransport {
    /** The default frame size never exceeds a jumbo frame's, however large the interface MTU (loopback: 64 KiB). */
    public static final int MAX_DEFAULT_MTU = 9000;
    private static final int IPV4_UDP_HEADERS = 28, IPV6_UDP_HEADERS = 48, ETH_AND_TAG = 18;
    private static final int RX_CAPACITY = 65536;

    private final InetSocketAddress local, peer;
    private final MacAddress mac;
    private final int mtu;
    private final int etherType;
    private final FrameFilter filter;
    private final DatagramChannel channel;
    private final Selector selector;
    private final ByteBuffer rxBuffer = ByteBuffer.allocateDirect(RX_CAPACITY);
    private volatile boolean closed;

    private long framesSent, sendDrops, framesReceived, filtered, truncated;

    private UdpTransport(InetSocketAddress local, InetSocketAddress peer, int mtu, int etherType, DatagramChannel channel, Selector selector) {
        this.local = local;
        this.peer = peer;
        this.mac = standInMac(local);
        this.mtu = mtu;
        this.etherType = etherType;
        this.filter = new FrameFilter.Station(etherType, mac);
        this.channel = channel;
        this.selector = selector;
    }

    /**
     * Binds {@code local} and exchanges frames with {@code peer}; the MTU follows the interface
     * that holds the local address (at most {@value #MAX_DEFAULT_MTU}), less the IP, UDP, Ethernet
     * and VLAN headers, so no frame is fragmented.
     */
    public static UdpTransport open(InetSocketAddress local, InetSocketAddress peer, int etherType) throws IOException {
        return open(local, peer, etherType, defaultMtu(local));
    }

    /** As {@link #open(InetSocketAddress, InetSocketAddress, int)} with an explicit MTU (largest Ethernet payload). */
    public static UdpTransport open(InetSocketAddress local, InetSocketAddress peer, int etherType, int mtu) throws IOException {
        if (local.isUnresolved()) throw new IOException("cannot resolve local address '" + local.getHostString() + "'");
        if (peer.isUnresolved()) throw new IOException("cannot resolve peer address '" + peer.getHostString() + "'");
        if (local.getAddress().isAnyLocalAddress() || local.getPort() == 0)
            throw new IllegalArgumentException("the local address needs a concrete IP and port (the stand-in MAC is derived from them): " + local);
        if (mtu < 46 || mtu > RX_CAPACITY - ETH_AND_TAG - IPV6_UDP_HEADERS)
            throw new IllegalArgumentException("MTU must be 46.." + (RX_CAPACITY - ETH_AND_TAG - IPV6_UDP_HEADERS) + ": " + mtu);
        FrameFilter.checkEtherType(etherType);
        DatagramChannel channel = DatagramChannel.open(local.getAddress() instanceof Inet4Address ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6);
        Selector selector = null;
        try {
            channel.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
            channel.setOption(StandardSocketOptions.SO_SNDBUF, 1 << 20);
            try {
                channel.bind(local);
            } catch (IOException e) {
                throw new IOException("UDP: cannot bind " + format(local) + ": " + e.getMessage(), e);
            }
            channel.connect(peer);
            channel.configureBlocking(false);
            selector = Selector.open();
            channel.register(selector, SelectionKey.OP_READ);
            return new UdpTransport(local, peer, mtu, etherType, channel, selector);
        } catch (IOException | RuntimeException e) {
            channel.close();
            if (selector != null) selector.close();
            throw e;
        }
    }

    /** Parses {@code host:port} or {@code [ipv6]:port}, resolving the host. */
    public static InetSocketAddress parseAddress(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) throw new IllegalArgumentException("expected host:port, got '" + text + "'");
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port in '" + text + "'");
        }
        if (port < 1 || port > 65535) throw new IllegalArgumentException("port must be 1..65535 in '" + text + "'");
        return new InetSocketAddress(host, port);
    }

    /**
     * The stand-in MAC of a UDP end: locally administered, unicast (first octet {@code x2}), the
     * other 46 bits a hash of the address and port. Both ends compute each other's from the
     * configured addresses.
     */
    public static MacAddress standInMac(InetSocketAddress address) {
        long h = 0xcbf29ce484222325L; // FNV-1a 64
        for (byte b : address.getAddress().getAddress()) h = (h ^ (b & 0xFF)) * 0x100000001b3L;
        h = (h ^ (address.getPort() >>> 8)) * 0x100000001b3L;
        h = (h ^ (address.getPort() & 0xFF)) * 0x100000001b3L;
        long bits = h & 0xFFFF_FFFF_FFFFL;
        bits = bits & ~(0x03L << 40) | 0x02L << 40;
        return new MacAddress(bits);
    }

    @Override public MacAddress address() { return mac; }

    /** The peer's stand-in MAC, where frames for it are addressed. */
    public MacAddress peerAddress() { return standInMac(peer); }

    @Override public int mtu() { return mtu; }

    @Override public String name() { return "udp:" + format(local) + "->" + format(peer); }

    public InetSocketAddress local() { return local; }

    public InetSocketAddress peer() { return peer; }

    public int etherType() { return etherType; }

    public TransportCounters counters() {
        return new TransportCounters(framesSent, sendDrops, framesReceived, filtered, truncated);
    }

    @Override public void send(ByteBuffer frame) throws IOException {
        int length = frame.remaining();
        if (length < FrameFilter.ETH_HEADER)
            throw new IllegalArgumentException("an Ethernet frame has at least " + FrameFilter.ETH_HEADER + " bytes, got " + length);
        if (length > mtu + ETH_AND_TAG) throw new IOException("frame of " + length + " bytes exceeds the MTU " + mtu + " of " + name());
        if (closed) throw new ClosedChannelException();
        int position = frame.position();
        try {
            if (channel.write(frame) == length) framesSent++;
            else sendDrops++;
        } catch (PortUnreachableException e) {
            sendDrops++; // the peer is not listening (yet): a lost frame
        } catch (IOException e) {
            if (!isTransientNetworkError(e)) throw e;
            sendDrops++; // no route just now (an interface went down): a lost frame, the link above copes
        } finally {
            frame.position(position);
        }
    }

    @Override public int receive(ByteBuffer dst, long timeoutNanos) throws IOException {
        if (closed) throw new ClosedChannelException();
        long start = System.nanoTime();
        while (true) {
            int n = readOne();
            if (n > 0) {
                int copied = Math.min(n, dst.capacity());
                if (copied < n) truncated++;
                dst.put(0, rxBuffer, 0, copied);
                framesReceived++;
                return copied;
            }
            if (n < 0) continue; // a datagram was dropped; look for the next one
            long remaining = timeoutNanos - (System.nanoTime() - start);
            if (timeoutNanos <= 0 || remaining <= 0) return 0;
            int ready;
            try {
                ready = timeoutNanos == Long.MAX_VALUE
                        ? selector.select(key -> {})
                        : selector.select(key -> {}, Math.max(1, (remaining + 999_999) / 1_000_000));
            } catch (ClosedSelectorException e) {
                throw new ClosedChannelException();
            }
            if (ready == 0) return 0; // timed out or woken up
        }
    }

    /** Reads one datagram into rxBuffer: its length if accepted, 0 if none waiting, -1 if dropped. */
    private int readOne() throws IOException {
        rxBuffer.clear();
        int n;
        try {
            n = channel.read(rxBuffer);
        } catch (PortUnreachableException e) {
            return -1; // an ICMP error for an earlier send, not a frame
        } catch (IOException e) {
            if (!channel.isOpen() || !isTransientNetworkError(e)) throw e;
            return -1; // an ICMP error (host or network unreachable) for an earlier send
        }
        if (n <= 0) return 0;
        if (!filter.accepts(rxBuffer, 0, n)) {
            filtered++;
            return -1;
        }
        return n;
    }

    @Override public void wakeup() {
        selector.wakeup();
    }

    @Override public void close() {
        if (closed) return;
        closed = true;
        try {
            selector.wakeup();
            selector.close();
        } catch (IOException e) {
            // Closing anyway.
        }
        try {
            channel.close();
        } catch (IOException e) {
            // Closing anyway.
        }
    }

    /**
     * Errors the kernel reports for a datagram socket while the path to the peer is missing or
     * congested; Java gives them as plain IOExceptions, told apart only by their strerror text.
     */
    static boolean isTransientNetworkError(IOException e) {
        String m = String.valueOf(e.getMessage());
        return m.contains("Network is unreachable") || m.contains("No route to host") || m.contains("Host is down")
                || m.contains("Network is down") || m.contains("No buffer space available");
    }

    private static int defaultMtu(InetSocketAddress local) throws IOException {
        int headers = local.getAddress() instanceof Inet4Address ? IPV4_UDP_HEADERS : IPV6_UDP_HEADERS;
        int interfaceMtu = 1500;
        try {
            NetworkInterface nif = local.isUnresolved() ? null : NetworkInterface.getByInetAddress(local.getAddress());
            if (nif != null && nif.getMTU() > 0) interfaceMtu = nif.getMTU();
        } catch (SocketException e) {
            throw new IOException("cannot find the interface of " + format(local) + ": " + e.getMessage(), e);
        }
        return Math.min(interfaceMtu, MAX_DEFAULT_MTU) - headers - ETH_AND_TAG;
    }

    private static String format(InetSocketAddress a) {
        InetAddress ip = a.getAddress();
        String host = ip == null ? a.getHostString() : ip.getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    @Override public String toString() { return name(); }
}
