package dev.vpcie.protocol.nettlp;

import dev.vpcie.protocol.agent.AgentLoop;
import dev.vpcie.protocol.agent.AgentWork;
import dev.vpcie.protocol.agent.Blocker;
import dev.vpcie.protocol.link.LinkDownException;
import dev.vpcie.protocol.link.TlpHandler;
import dev.vpcie.protocol.link.TlpPort;
import dev.vpcie.protocol.tlp.Completion;
import dev.vpcie.protocol.tlp.Tlp;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.UncheckedIOException;
import dev.vpcie.protocol.transport.Epoll;
import dev.vpcie.protocol.transport.EventFd;
import dev.vpcie.protocol.transport.MessageBatch;
import dev.vpcie.protocol.transport.UdpSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link TlpPort} in NetTLP's encapsulation: one TLP per UDP datagram on the ports of
 * {@link NetTlpPorts}, every socket bound on the local address and connected to the same port on
 * the peer, so replies leave from the port their request came to. The endpoint and the root
 * complex attach it exactly as they attach a link.
 *
 * <h2>Roles</h2>
 * <ul>
 *   <li>{@link Role#HOST} plays a NetTLP adapter and its host (the VRC): its requests (MMIO and,
 *       as a vpcie extension the hardware never sends, configuration requests) leave on
 *       {@code 0x4000 + (tag & 0xF)}, its completions for device DMA on {@code 0x3000 + tag}.
 *       It also answers the messaging API on {@code 0x2FFF} and the adapter's configuration API
 *       (6-byte packets on {@code 0x4001}).</li>
 *   <li>{@link Role#DEVICE} plays libtlp's side (the endpoint): its DMA requests and MSI-X writes
 *       leave on {@code 0x3000 + tag}, its completions on {@code 0x4000 + (tag & 0xF)}.</li>
 * </ul>
 *
 * <h2>No link layer</h2>
 * NetTLP has no session, acknowledgement or retransmission: the port is up from the moment it
 * is open until it is closed, and a lost datagram is lost. A lost request or completion is seen
 * only by the requester's completion timeout (the VRC returns all-ones, a device's DMA fails),
 * never as wrong data. Send never waits: a datagram the kernel refuses is counted and lost.
 *
 * <h2>Threads</h2>
 * The port is one {@link AgentWork} of the loop it is opened on and blocks that loop in an
 * {@link Epoll} over its sockets; its handler is called on that loop's thread.
 *
 * <h2>System calls</h2>
 * A duty cycle asks epoll which sockets have datagrams and drains each with one {@code recvmmsg}
 * (NIO needed a read per datagram and one more that found the socket empty), so a busy cycle
 * costs one receive call per ready socket and one send per datagram sent: NetTLP gives every tag
 * its own port, so there is no batch of sends to one socket to gather.
 */
public final class NetTlpPort implements TlpPort {
    private static final Logger log = LoggerFactory.getLogger(NetTlpPort.class);
    /** Datagrams read from one socket per duty cycle, so one busy tag does not starve the others. */
    private static final int READ_BURST = 32;
    /** Datagrams ordered and delivered per duty cycle at most: bounds the batch a flood can make. */
    private static final int MAX_BATCH = 512;
    private static final int SOCKET_BUFFER = 1 << 20;
    private static final int MAX_BLOCK_MS = 100;
    /** Epoll keys of the side channels (sockets' keys are their port numbers). */
    private static final int WAKE_KEY = -1;

    public enum Role { HOST, DEVICE }

    private final Role role;
    private final InetAddress local, peer;
    private final AgentLoop loop;
    private final Epoll epoll;
    private final EventFd wakeFd;
    private final UdpSocket[] dma = new UdpSocket[NetTlpPorts.DMA_PORTS];
    private final UdpSocket[] mmio = new UdpSocket[NetTlpPorts.MMIO_PORTS];
    private final UdpSocket messaging;
    /** Loop thread: one recvmmsg's datagrams. */
    private final MessageBatch rxBatch = new MessageBatch(READ_BURST, NetTlpCodec.MAX_DATAGRAM + 64, 0);
    private final NetTlpCounters counters = new NetTlpCounters();
    private final AdapterConfigSpace adapterConfig = new AdapterConfigSpace();
    private final long epoch = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
    private final Work work = new Work();
    private final Object txLock = new Object();
    private final byte[] txBytes = new byte[NetTlpCodec.MAX_DATAGRAM];
    private final ByteBuf txBuf = Unpooled.wrappedBuffer(txBytes);
    private final byte[] rxBytes = new byte[NetTlpCodec.MAX_DATAGRAM + 64];
    private int sequence; // guarded by txLock
    // loop thread only: the datagrams of one duty cycle, put in the sender's order before delivery
    private final Tlp[] batchTlp = new Tlp[MAX_BATCH];
    private final int[] batchSeq = new int[MAX_BATCH];
    private int batchSize, sideChannelWork;
    private volatile TlpHandler handler;
    private volatile boolean closed;
    private volatile MessagingApi.Facts facts = new MessagingApi.Facts(0, 0x0100, List.of());
    private volatile Predicate<Tlp> dropBeforeSend = t -> false;

    private NetTlpPort(Role role, InetAddress local, InetAddress peer, AgentLoop loop) throws IOException {
        this.role = role;
        this.local = local;
        this.peer = peer;
        this.loop = loop;
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            opened.add(epoll = Epoll.open(64, describe()));
            opened.add(wakeFd = EventFd.open());
            epoll.add(wakeFd.fd(), WAKE_KEY);
            for (int i = 0; i < dma.length; i++) opened.add(dma[i] = open(NetTlpPorts.DMA_BASE + i, peer));
            for (int i = 0; i < mmio.length; i++) opened.add(mmio[i] = open(NetTlpPorts.MMIO_BASE + i, peer));
            messaging = role == Role.HOST ? open(NetTlpPorts.MESSAGING, null) : null;
            if (messaging != null) opened.add(messaging);
        } catch (IOException | RuntimeException e) {
            for (AutoCloseable c : opened) closeQuietly(c);
            throw e;
        }
    }

    /**
     * Opens every port of {@code role} on {@code local}, connected to {@code peer}, served by
     * {@code loop}. Fails naming the port when one cannot be bound (taken by another process).
     */
    public static NetTlpPort open(Role role, InetAddress local, InetAddress peer, AgentLoop loop) throws IOException {
        Objects.requireNonNull(role);
        if (local.isAnyLocalAddress()) throw new IllegalArgumentException("NetTLP needs a concrete local address, not " + local.getHostAddress());
        if (local.equals(peer))
            throw new IllegalArgumentException("NetTLP's two sides bind the same ports: they need two addresses, both are " + local.getHostAddress());
        NetTlpPort p = new NetTlpPort(role, local, peer, loop);
        loop.blockWith(p.work);
        loop.add(p.work);
        return p;
    }

    /** A socket on {@code port} connected to the same port on {@code peer} (null: unconnected), watched by the epoll. */
    private UdpSocket open(int port, InetAddress peer) throws IOException {
        UdpSocket socket;
        try {
            socket = UdpSocket.open(new InetSocketAddress(local, port), peer == null ? null : new InetSocketAddress(peer, port),
                    SOCKET_BUFFER, SOCKET_BUFFER);
        } catch (IOException e) {
            throw new IOException("NetTLP: cannot bind " + local.getHostAddress() + ":0x" + Integer.toHexString(port) + ": " + e.getMessage(), e);
        }
        try {
            epoll.add(socket.fd(), port);
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    public Role role() { return role; }

    public NetTlpCounters counters() { return counters; }

    /** The adapter configuration space the config API serves (host role). */
    public AdapterConfigSpace adapterConfig() { return adapterConfig; }

    /** What the messaging API answers from now on (host role). */
    public void messagingFacts(MessagingApi.Facts f) { this.facts = Objects.requireNonNull(f); }

    /** Tests: TLPs {@code drop} accepts are counted as {@link NetTlpCounters.Event#INJECTED_DROP} and never sent. */
    public void dropBeforeSend(Predicate<Tlp> drop) { this.dropBeforeSend = Objects.requireNonNull(drop); }

    /** The UDP port {@code tlp} leaves from (and goes to): direction and tag as NetTLP has them. */
    public int portFor(Tlp tlp) {
        boolean completion = tlp instanceof Completion;
        boolean dmaFlow = role == Role.HOST ? completion : !completion;
        return dmaFlow ? NetTlpPorts.dma(tlp.tag()) : NetTlpPorts.mmio(tlp.tag());
    }

    /** Never waits: the datagram is handed to the kernel now, or counted as lost. */
    @Override public void send(Tlp tlp) {
        if (closed) throw new LinkDownException(describe() + " is closed");
        int port = portFor(tlp);
        if (dropBeforeSend.test(tlp)) {
            counters.count(NetTlpCounters.Event.INJECTED_DROP);
            return;
        }
        synchronized (txLock) {
            txBuf.clear();
            NetTlpCodec.encode(sequence++ & 0xFFFF, timestamp(), tlp, txBuf);
            try {
                if (!socket(port).send(txBytes, 0, txBuf.writerIndex())) {
                    counters.count(NetTlpCounters.Event.SEND_FAILED); // a full buffer or no path: lost as on a wire
                    return;
                }
                counters.sent(port);
            } catch (IOException e) {
                counters.count(NetTlpCounters.Event.SEND_FAILED); // unreachable peer, closed socket: lost as on a wire
                log.debug("{}: datagram from port 0x{} lost: {}", describe(), Integer.toHexString(port), e.toString());
            }
        }
    }

    /** The adapter's 4 ns clock, as the hardware stamps its datagrams. */
    private static long timestamp() { return System.nanoTime() >>> 2 & 0xFFFF_FFFFL; }

    private UdpSocket socket(int port) {
        return NetTlpPorts.isDma(port) ? dma[port - NetTlpPorts.DMA_BASE] : mmio[port - NetTlpPorts.MMIO_BASE];
    }

    /** Sets the receiver and, the port being up from the start, tells it the "session" is up. */
    @Override public void handler(TlpHandler h) {
        this.handler = Objects.requireNonNull(h);
        if (!closed) h.onLinkUp(epoch);
        loop.wakeup();
    }

    @Override public boolean isUp() { return !closed; }

    @Override public String describe() {
        return "nettlp:" + local.getHostAddress() + "->" + peer.getHostAddress() + (role == Role.HOST ? " (host)" : " (device)");
    }

    @Override public void close() {
        if (closed) return;
        closed = true;
        try {
            loop.remove(work);
            loop.blockWith(null);
        } catch (IllegalStateException e) {
            // the loop is closed already: nothing serves the port any more
        }
        for (UdpSocket c : dma) closeQuietly(c);
        for (UdpSocket c : mmio) closeQuietly(c);
        closeQuietly(messaging);
        wakeFd.signal(); // ends a wait in progress on the loop; its descriptors close when it returns
        closeQuietly(epoll);
        closeQuietly(wakeFd);
        TlpHandler h = handler;
        if (h != null) h.onLinkDown("NetTLP port closed");
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) return;
        try {
            c.close();
        } catch (Exception e) {
            log.debug("closing a NetTLP socket: {}", e.toString());
        }
    }

    // ------------------------------------------------------------------ loop thread

    /**
     * Reads every socket that has datagrams, asking epoll again until it finds none, then
     * delivers what it read in the sender's sequence order. Each socket keeps its own queue, so a
     * posted write on one port and a read sent after it on another could otherwise be handled the
     * wrong way round, and PCIe forbids a read (or a completion) to pass a posted write. The
     * kernel queues datagrams in the order they were sent, so once epoll finds every socket
     * empty, nothing sent before the last datagram read is still missing.
     */
    private int receive() throws IOException {
        TlpHandler h = handler;
        if (h == null || closed) return 0; // held in the kernel until someone listens
        batchSize = 0;
        while (batchSize < MAX_BATCH) {
            int ready = epoll.poll(0);
            boolean data = false;
            for (int i = 0; i < ready && batchSize < MAX_BATCH; i++) {
                int port = epoll.key(i);
                if (port == WAKE_KEY) {
                    wakeFd.drain();
                } else if (port == NetTlpPorts.MESSAGING) {
                    data = true;
                    messaging();
                } else {
                    data = true;
                    datagrams(socket(port), port);
                }
            }
            if (!data) break;
        }
        sortBySequence();
        for (int i = 0; i < batchSize; i++) {
            Tlp t = batchTlp[i];
            batchTlp[i] = null;
            h.onTlp(t);
        }
        int n = batchSize;
        batchSize = 0;
        return n + sideChannelWork;
    }

    /** One recvmmsg: every datagram the socket holds, up to {@value #READ_BURST} (the rest next round). */
    private void datagrams(UdpSocket socket, int port) throws IOException {
        int n = socket.receive(rxBatch, Math.min(READ_BURST, MAX_BATCH - batchSize));
        for (int i = 0; i < n; i++) {
            if (rxBatch.truncated(i)) {
                counters.count(NetTlpCounters.Event.MALFORMED); // longer than any NetTLP datagram
                continue;
            }
            int length = rxBatch.copy(i, rxBytes);
            if (role == Role.HOST && port == NetTlpPorts.CONFIG && length == ConfigApi.PACKET_BYTES) {
                config(socket, length);
                continue;
            }
            decode(port, length);
        }
    }

    private void decode(int port, int length) {
        NetTlpDatagram d;
        try {
            d = NetTlpCodec.decode(Unpooled.wrappedBuffer(rxBytes, 0, length));
        } catch (MalformedDatagramException e) {
            counters.count(NetTlpCounters.Event.MALFORMED);
            log.debug("{}: datagram on port 0x{} dropped: {}", describe(), Integer.toHexString(port), e.getMessage());
            return;
        }
        Tlp tlp = d.tlp();
        // The port says who sent it: requests come to the host on DMA ports and to the device on MMIO ports.
        boolean completion = tlp instanceof Completion;
        boolean dmaFlow = role == Role.HOST ? !completion : completion;
        if (dmaFlow != NetTlpPorts.isDma(port)) {
            counters.count(NetTlpCounters.Event.WRONG_PORT);
            log.debug("{}: {} on port 0x{} dropped: that port does not carry it", describe(), tlp, Integer.toHexString(port));
            return;
        }
        counters.received(port);
        batchTlp[batchSize] = tlp;
        batchSeq[batchSize++] = d.sequence();
    }

    /**
     * Insertion sort by the sender's 16-bit sequence, relative to the first datagram (so a wrap
     * sorts right); stable, so datagrams without sequence numbers (libtlp sends zeros) keep the
     * order they were read in. Batches are small and nearly sorted.
     */
    private void sortBySequence() {
        if (batchSize < 2) return;
        int base = batchSeq[0];
        for (int i = 1; i < batchSize; i++) {
            Tlp t = batchTlp[i];
            int seq = batchSeq[i];
            short key = (short) (seq - base);
            int j = i - 1;
            while (j >= 0 && (short) (batchSeq[j] - base) > key) {
                batchTlp[j + 1] = batchTlp[j];
                batchSeq[j + 1] = batchSeq[j];
                j--;
            }
            batchTlp[j + 1] = t;
            batchSeq[j + 1] = seq;
        }
    }

    private void config(UdpSocket socket, int length) throws IOException {
        ConfigApi.Packet p;
        try {
            p = ConfigApi.decode(rxBytes, length);
        } catch (IllegalArgumentException e) {
            counters.count(NetTlpCounters.Event.CONFIG_REFUSED);
            return;
        }
        sideChannelWork++;
        Optional<ConfigApi.Packet> reply = adapterConfig.handle(p);
        counters.count(p.command() == ConfigApi.READ ? NetTlpCounters.Event.CONFIG_READ : NetTlpCounters.Event.CONFIG_WRITE);
        if (reply.isPresent()) {
            byte[] b = ConfigApi.encode(reply.get());
            if (!socket.send(b, 0, b.length)) counters.count(NetTlpCounters.Event.SEND_FAILED);
        }
    }

    private void messaging() throws IOException {
        for (int n = 0; n < READ_BURST; n++) {
            int length = messaging.receiveFrom(rxBytes);
            if (length == 0) return;
            sideChannelWork++;
            Optional<byte[]> reply = MessagingApi.reply(rxBytes, length, facts);
            if (reply.isEmpty()) {
                counters.count(NetTlpCounters.Event.MESSAGING_IGNORED);
                continue;
            }
            counters.count(NetTlpCounters.Event.MESSAGING_ANSWERED);
            if (!messaging.reply(reply.get(), reply.get().length)) counters.count(NetTlpCounters.Event.SEND_FAILED);
        }
    }

    /** The port as one work of the loop, and the loop's way to sleep until a datagram arrives. */
    private final class Work implements AgentWork, Blocker {
        @Override public int doWork(long nowNs) {
            sideChannelWork = 0;
            try {
                return receive();
            } catch (IOException e) {
                if (closed) return 0;
                throw new UncheckedIOException(describe() + ": receive failed", e);
            }
        }

        @Override public void block(long timeoutNs) {
            if (closed) return;
            int ms = (int) Math.max(1, Math.min(MAX_BLOCK_MS, TimeUnit.NANOSECONDS.toMillis(timeoutNs)));
            try {
                epoll.poll(ms); // level-triggered: what woke it is still ready for the next cycle
            } catch (IOException e) {
                // closed while asleep: the next cycle finds the port closed
            }
        }

        @Override public void wakeup() { wakeFd.signal(); }
    }
}
