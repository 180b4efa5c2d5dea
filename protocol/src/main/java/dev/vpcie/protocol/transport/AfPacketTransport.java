package dev.vpcie.protocol.transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;

/**
 * Frames on a Linux interface through an AF_PACKET raw socket (packet(7)), called through the
 * FFM API. Needs root or CAP_NET_RAW.
 *
 * <p>The socket is bound to the interface for all protocols, because the kernel strips an
 * 802.1Q tag on receive and a socket bound to one EtherType would then lose the tag's value.
 * {@code PACKET_AUXDATA} reports the stripped tag and this class puts it back in line, so a tagged
 * frame arrives as it was sent. A classic BPF socket filter keeps the kernel from waking us for
 * other EtherTypes, for frames addressed to other stations and for our own transmissions
 * ({@code PACKET_IGNORE_OUTGOING} as well); the same checks are repeated here in Java.
 *
 * <p>A poll ({@code receive(dst, 0)}) is one non-blocking {@code recvmsg}. A receive that may
 * wait goes to {@code ppoll} on the socket and an {@link EventFd} (for {@link #wakeup()}) first,
 * since its caller has normally just polled, and reads when the socket is readable. Nothing is
 * allocated per frame: the native buffers are set up once and frames are copied into the
 * caller's buffer.
 */
public final class AfPacketTransport implements FrameTransport {

    /**
     * Tuning.
     *
     * @param qdiscBypass        send with {@code PACKET_QDISC_BYPASS} (skips the queueing discipline,
     *                           but also hides our frames from tcpdump on this interface)
     * @param busyPollNanos      before blocking, keep polling the socket this long (0: block at once)
     * @param receiveBufferBytes socket receive buffer ({@code SO_RCVBUFFORCE} as root, else capped by rmem_max)
     * @param sendBufferBytes    socket send buffer
     */
    public record Options(boolean qdiscBypass, long busyPollNanos, int receiveBufferBytes, int sendBufferBytes) {
        public static final Options DEFAULT = new Options(false, 0, 4 << 20, 1 << 20);

        public Options {
            if (busyPollNanos < 0) throw new IllegalArgumentException("busyPollNanos must be >= 0");
            if (receiveBufferBytes < 0 || sendBufferBytes < 0) throw new IllegalArgumentException("buffer sizes must be >= 0 (0: kernel default)");
        }

        public Options withBusyPollNanos(long nanos) { return new Options(qdiscBypass, nanos, receiveBufferBytes, sendBufferBytes); }

        public Options withQdiscBypass(boolean bypass) { return new Options(bypass, busyPollNanos, receiveBufferBytes, sendBufferBytes); }
    }

    private static final int ETH_HEADER = 14, VLAN_TAG = 4;

    private final NetDevice device;
    private final int etherType;
    private final FrameFilter filter;
    private final Options options;
    private final PacketSocket socket;
    private final EventFd wakeFd;
    private final Poller poller;
    private final Lifetime lifetime;

    private volatile boolean wakeupPending;
    private volatile boolean sleeping;

    private long framesSent, sendDrops, framesReceived, filtered, truncated, vlanTagsRestored;
    private int failedPolls;

    private AfPacketTransport(NetDevice device, int etherType, Options options, PacketSocket socket, EventFd wakeFd) {
        this.device = device;
        this.etherType = etherType;
        this.filter = new FrameFilter(etherType, device.mac());
        this.options = options;
        this.socket = socket;
        this.wakeFd = wakeFd;
        this.poller = new Poller(socket.fd(), wakeFd.fd(), "AF_PACKET socket on '" + device.name() + "'");
        this.lifetime = new Lifetime(() -> {
            socket.close();
            wakeFd.close();
        });
    }

    /** Opens the interface named {@code interfaceName} (in the calling thread's network namespace) for {@code etherType}. */
    public static AfPacketTransport open(String interfaceName, int etherType) throws IOException {
        return open(interfaceName, etherType, Options.DEFAULT);
    }

    public static AfPacketTransport open(String interfaceName, int etherType, Options options) throws IOException {
        long[] filter = SocketFilter.forEtherType(etherType);
        NetDevice device = NetDevice.lookup(interfaceName);
        PacketSocket socket = PacketSocket.open();
        EventFd wakeFd = null;
        try {
            socket.setOption(PacketSocket.SOL_PACKET, PacketSocket.PACKET_AUXDATA, 1, "PACKET_AUXDATA");
            // Older kernels (< 4.20) lack it; the filter and the pkttype check below still drop our own frames.
            socket.trySetOption(PacketSocket.SOL_PACKET, PacketSocket.PACKET_IGNORE_OUTGOING, 1, "PACKET_IGNORE_OUTGOING");
            if (options.qdiscBypass())
                socket.setOption(PacketSocket.SOL_PACKET, PacketSocket.PACKET_QDISC_BYPASS, 1, "PACKET_QDISC_BYPASS");
            if (options.receiveBufferBytes() > 0
                    && !socket.trySetOption(PacketSocket.SOL_SOCKET, PacketSocket.SO_RCVBUFFORCE, options.receiveBufferBytes(), "SO_RCVBUFFORCE"))
                socket.setOption(PacketSocket.SOL_SOCKET, PacketSocket.SO_RCVBUF, options.receiveBufferBytes(), "SO_RCVBUF");
            if (options.sendBufferBytes() > 0
                    && !socket.trySetOption(PacketSocket.SOL_SOCKET, PacketSocket.SO_SNDBUFFORCE, options.sendBufferBytes(), "SO_SNDBUFFORCE"))
                socket.setOption(PacketSocket.SOL_SOCKET, PacketSocket.SO_SNDBUF, options.sendBufferBytes(), "SO_SNDBUF");
            socket.attachFilter(filter);
            socket.bind(device);
            wakeFd = EventFd.open();
            return new AfPacketTransport(device, etherType, options, socket, wakeFd);
        } catch (IOException | RuntimeException | Error e) {
            socket.close();
            if (wakeFd != null) wakeFd.close();
            throw e;
        }
    }

    @Override public MacAddress address() { return device.mac(); }

    @Override public int mtu() { return device.mtu(); }

    @Override public String name() { return "af_packet:" + device.name(); }

    public NetDevice device() { return device; }

    public int etherType() { return etherType; }

    public Options options() { return options; }

    public TransportCounters counters() {
        return new TransportCounters(framesSent, sendDrops, framesReceived, filtered, truncated);
    }

    /** How many received frames had their 802.1Q tag stripped by the kernel and put back here. */
    public long vlanTagsRestored() { return vlanTagsRestored; }

    @Override public void send(ByteBuffer frame) throws IOException {
        if (frame.remaining() < ETH_HEADER)
            throw new IllegalArgumentException("an Ethernet frame has at least " + ETH_HEADER + " bytes, got " + frame.remaining());
        if (!lifetime.acquire()) throw new ClosedChannelException();
        try {
            if (socket.send(frame, device.name())) framesSent++;
            else sendDrops++;
        } finally {
            lifetime.release();
        }
    }

    @Override public int receive(ByteBuffer dst, long timeoutNanos) throws IOException {
        if (!lifetime.acquire()) throw new ClosedChannelException();
        try {
            long start = 0, busyUntil = 0;
            boolean started = false;
            // A caller that is prepared to wait has usually just polled: wait first, read when readable.
            boolean skipRead = timeoutNanos > 0 && options.busyPollNanos() == 0;
            while (true) {
                int n = skipRead ? -1 : socket.receive();
                skipRead = false;
                if (n >= 0) {
                    failedPolls = 0;
                    int delivered = deliver(dst, n);
                    if (delivered > 0) return delivered;
                    continue;
                }
                if (timeoutNanos <= 0) return 0;
                long now = System.nanoTime();
                if (!started) {
                    started = true;
                    start = now;
                    busyUntil = now + Math.min(options.busyPollNanos(), timeoutNanos);
                }
                long elapsed = now - start;
                if (elapsed >= timeoutNanos) return 0;
                if (now - busyUntil < 0) {
                    if (wakeupPending) return consumeWakeup();
                    Thread.onSpinWait();
                    continue;
                }
                sleeping = true;
                if (wakeupPending) {
                    sleeping = false;
                    return consumeWakeup();
                }
                int ready = poller.await(timeoutNanos == Long.MAX_VALUE ? Long.MAX_VALUE : timeoutNanos - elapsed);
                sleeping = false;
                if ((ready & Poller.SECOND) != 0) return consumeWakeup();
                // A socket error (ENETDOWN when the interface goes down) is collected by the next recvmsg;
                // one that stays after that is not something waiting can fix.
                if ((ready & Poller.FIRST_FAILED) != 0 && failedPolls++ > 0)
                    throw new IOException("AF_PACKET socket on '" + device.name() + "' keeps reporting an error: is the interface gone?");
                if ((ready & Poller.FIRST_FAILED) == 0) failedPolls = 0;
            }
        } finally {
            lifetime.release();
        }
    }

    private int consumeWakeup() throws IOException {
        wakeupPending = false;
        wakeFd.drain();
        return 0;
    }

    /** Checks the frame just received, puts a stripped VLAN tag back and copies it to {@code dst}; 0 if dropped. */
    private int deliver(ByteBuffer dst, int wireLength) {
        int type = socket.packetType();
        if (type == PacketSocket.PACKET_OUTGOING || type == PacketSocket.PACKET_OTHERHOST || wireLength < ETH_HEADER) {
            filtered++;
            return 0;
        }
        ByteBuffer rx = socket.rxView();
        int start = PacketSocket.RX_HEADROOM;
        int length = Math.min(wireLength, PacketSocket.RX_CAPACITY);
        int tci = socket.vlanTci();
        if (tci >= 0) {
            // The kernel took the tag out; move the two MAC addresses into the headroom and put it back.
            rx.put(0, rx, start, 12);
            rx.putShort(12, (short) socket.vlanTpid());
            rx.putShort(14, (short) tci);
            start = 0;
            length += VLAN_TAG;
            vlanTagsRestored++;
        }
        if (!filter.accepts(rx, start, Math.min(length, rx.capacity() - start))) {
            filtered++;
            return 0;
        }
        int copied = Math.min(length, dst.capacity());
        if (copied < length || wireLength > PacketSocket.RX_CAPACITY) truncated++;
        dst.put(0, rx, start, copied);
        framesReceived++;
        return copied;
    }

    @Override public void wakeup() {
        wakeupPending = true;
        if (sleeping) wakeFd.signal();
    }

    /** Closes the socket; a receive blocked in another thread returns 0 first, later calls throw. */
    @Override public void close() {
        if (lifetime.isClosed()) return;
        wakeupPending = true;
        wakeFd.signal();
        lifetime.close();
    }

    @Override public String toString() { return name(); }
}
