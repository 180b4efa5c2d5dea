package dev.vpcie.protocol.transport;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;

/**
 * Whole Ethernet frames (header included) as UDP datagram payloads between this end and one
 * configured peer: for routed networks, and for running without root. The MAC address is a
 * locally administered stand-in derived from the local address and port ({@link #standInMac}),
 * so each end can compute the other's. Only datagrams from the peer are accepted (the channel is
 * connected), then the same MAC and EtherType checks as on a real interface apply.
 *
 * <p>The socket is a {@link UdpSocket}: a receive takes every datagram waiting with one
 * {@code recvmmsg} (up to {@value #RX_BATCH}) and hands them out one per {@link #receive} call,
 * and {@link #queue}d frames leave with one {@code sendmmsg} at {@link #flush}. A receive that
 * may wait goes to {@code ppoll} on the socket and an {@link EventFd} (for {@link #wakeup()}).
 * A peer that is not listening yet (ICMP port unreachable) or a path that is missing for the
 * moment (network or host unreachable) loses frames rather than failing the transport, as a
 * pulled cable would; the link above notices and recovers.
 */
public final class UdpTransport implements FrameTransport {
    /** The default frame size never exceeds a jumbo frame's, however large the interface MTU (loopback: 64 KiB). */
    public static final int MAX_DEFAULT_MTU = 9000;
    private static final int IPV4_UDP_HEADERS = 28, IPV6_UDP_HEADERS = 48, ETH_AND_TAG = 18;
    private static final int RX_CAPACITY = 65536;
    /** Datagrams one recvmmsg takes, and frames one sendmmsg sends, at most. */
    static final int RX_BATCH = 32, TX_BATCH = 64;

    private final InetSocketAddress local, peer;
    private final MacAddress mac;
    private final int mtu;
    private final int etherType;
    private final FrameFilter filter;
    private final UdpSocket socket;
    private final ReceiveWait wait;
    private final Lifetime lifetime;
    /** Receive thread: one recvmmsg's datagrams, handed out from rxNext to rxCount. */
    private final MessageBatch rxBatch;
    private int rxCount, rxNext;
    /** Send thread: frames queued for the next flush. */
    private final MessageBatch txBatch;

    private long framesSent, sendDrops, framesReceived, filtered, truncated, batches;

    private UdpTransport(InetSocketAddress local, InetSocketAddress peer, int mtu, int etherType, UdpSocket socket) throws IOException {
        this.local = local;
        this.peer = peer;
        this.mac = standInMac(local);
        this.mtu = mtu;
        this.etherType = etherType;
        this.filter = new FrameFilter.Station(etherType, mac);
        this.socket = socket;
        this.wait = new ReceiveWait(socket.fd(), socket.toString());
        this.lifetime = new Lifetime(() -> {
            socket.close();
            wait.close();
        });
        // A slot holds the largest frame we accept; a longer datagram is counted as truncated, not delivered in part.
        this.rxBatch = new MessageBatch(RX_BATCH, mtu + ETH_AND_TAG, 0);
        this.txBatch = new MessageBatch(TX_BATCH, mtu + ETH_AND_TAG, 0);
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
        UdpSocket socket;
        try {
            socket = UdpSocket.open(local, peer, 4 << 20, 1 << 20);
        } catch (ErrnoException e) {
            throw new IOException("UDP: cannot bind " + format(local) + " or connect to " + format(peer) + ": " + e.getMessage(), e);
        }
        try {
            return new UdpTransport(local, peer, mtu, etherType, socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
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

    /** {@code sendmmsg} calls that sent {@linkplain #queue queued} frames. */
    public long sendBatches() { return batches; }

    @Override public void send(ByteBuffer frame) throws IOException {
        checkFrame(frame);
        if (!lifetime.acquire()) throw new ClosedChannelException();
        try {
            // Behind the frames queued before it, in the same sendmmsg.
            if (txBatch.isFull()) flushQueued();
            txBatch.add(frame);
            flushQueued();
        } finally {
            lifetime.release();
        }
    }

    /** Into the send batch ({@value #TX_BATCH} frames, flushed first when full), for one {@code sendmmsg} at {@link #flush}. */
    @Override public void queue(ByteBuffer frame) throws IOException {
        checkFrame(frame);
        if (!lifetime.acquire()) throw new ClosedChannelException();
        try {
            if (txBatch.isFull()) flushQueued();
            txBatch.add(frame);
        } finally {
            lifetime.release();
        }
    }

    @Override public void flush() throws IOException {
        if (txBatch.size() == 0) return;
        lifetime.use(flushQueued);
    }

    /** Built once: {@link #flush} runs once per duty cycle and must not allocate. */
    private final Lifetime.Use flushQueued = this::flushQueued;

    private void flushQueued() throws IOException {
        int queued = txBatch.size();
        if (queued == 0) return;
        int lost = socket.send(txBatch);
        framesSent += queued - lost;
        sendDrops += lost;
        batches++;
    }

    private void checkFrame(ByteBuffer frame) throws IOException {
        int length = frame.remaining();
        if (length < FrameFilter.ETH_HEADER)
            throw new IllegalArgumentException("an Ethernet frame has at least " + FrameFilter.ETH_HEADER + " bytes, got " + length);
        if (length > mtu + ETH_AND_TAG) throw new IOException("frame of " + length + " bytes exceeds the MTU " + mtu + " of " + name());
    }

    @Override public int receive(ByteBuffer dst, long timeoutNanos) throws IOException {
        if (!lifetime.acquire()) throw new ClosedChannelException();
        try {
            long start = 0;
            boolean started = false;
            while (true) {
                while (rxNext < rxCount) {
                    int delivered = deliver(rxNext++, dst);
                    if (delivered > 0) return delivered;
                }
                rxNext = 0;
                rxCount = socket.receive(rxBatch, RX_BATCH);
                if (rxCount > 0) continue;
                if (timeoutNanos <= 0) return 0;
                long now = System.nanoTime();
                if (!started) {
                    started = true;
                    start = now;
                }
                long elapsed = now - start;
                if (elapsed >= timeoutNanos) return 0;
                if (wait.await(timeoutNanos == Long.MAX_VALUE ? Long.MAX_VALUE : timeoutNanos - elapsed) == ReceiveWait.WOKEN) return 0;
                // Readable, or an ICMP error pending (the next receive collects and skips it): read again.
            }
        } finally {
            lifetime.release();
        }
    }

    /** Checks received datagram {@code i} and copies it to {@code dst}; 0 if dropped. */
    private int deliver(int i, ByteBuffer dst) {
        int n = rxBatch.length(i);
        if (rxBatch.truncated(i)) {
            truncated++; // longer than any frame of our MTU: not delivered in part
            return 0;
        }
        ByteBuffer view = rxBatch.view();
        int at = rxBatch.offset(i);
        if (!filter.accepts(view, at, n)) {
            filtered++;
            return 0;
        }
        int copied = Math.min(n, dst.capacity());
        if (copied < n) truncated++;
        dst.put(0, view, at, copied);
        framesReceived++;
        return copied;
    }

    @Override public void wakeup() { wait.wakeup(); }

    /** Closes the socket; a receive blocked in another thread returns 0 first, later calls throw. */
    @Override public void close() {
        if (lifetime.isClosed()) return;
        wait.closing();
        lifetime.close();
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
