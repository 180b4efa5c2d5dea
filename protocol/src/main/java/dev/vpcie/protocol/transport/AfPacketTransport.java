package dev.vpcie.protocol.transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.OptionalInt;

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
 * <p>{@link #openPromiscuous} makes the other kind: a tap on everything the interface carries,
 * for an emulated NIC's wire, whose own MAC address is not the interface's. It puts the interface
 * into promiscuous mode, delivers every EtherType and every destination, and reads a
 * {@code virtio_net_hdr} with each frame so frames the local stack left unfinished (a transport
 * checksum to fill in, a GSO super-frame) are reported by {@link #lastOffload()} instead of
 * passing as broken frames.
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
    private final FrameFilter filter;
    private final Options options;
    private final PacketSocket socket;
    private final EventFd wakeFd;
    private final Lifetime lifetime;

    private volatile boolean wakeupPending;
    private volatile boolean sleeping;

    private long framesSent, sendDrops, framesReceived, filtered, truncated, vlanTagsRestored;

    private long othersFrames, offloadedFrames;
    private ReceiveOffload lastOffload = ReceiveOffload.NONE;

    private AfPacketTransport(NetDevice device, FrameFilter filter, Options options, PacketSocket socket, EventFd wakeFd) {
        this.device = device;
        this.filter = filter;
        this.options = options;
        this.socket = socket;
        this.wakeFd = wakeFd;
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
        long[] program = SocketFilter.forEtherType(etherType);
        NetDevice device = NetDevice.lookup(interfaceName);
        return open(device, new FrameFilter.Station(etherType, device.mac()), options, socket -> socket.attachFilter(program));
    }

    /**
     * Opens {@code interfaceName} (in the calling thread's network namespace) for every frame it
     * carries, as a NIC in promiscuous mode receives them: all EtherTypes, all destinations (the
     * interface is put into promiscuous mode while the transport is open), only our own
     * transmissions left out. Each frame's {@link #lastOffload()} says what the kernel left unfinished.
     */
    public static AfPacketTransport openPromiscuous(String interfaceName, Options options) throws IOException {
        NetDevice device = NetDevice.lookup(interfaceName);
        return open(device, new FrameFilter.Promiscuous(), options, socket -> {
            socket.enableVnetHeader();
            socket.joinPromiscuous(device);
        });
    }

    /** Socket set-up that differs between the two kinds; runs before bind. */
    @FunctionalInterface
    private interface Setup {
        void apply(PacketSocket socket) throws IOException;
    }

    private static AfPacketTransport open(NetDevice device, FrameFilter filter, Options options, Setup setup) throws IOException {
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
            setup.apply(socket);
            socket.bind(device);
            wakeFd = EventFd.open();
            return new AfPacketTransport(device, filter, options, socket, wakeFd);
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

    /** The EtherType delivered; empty for a {@linkplain #openPromiscuous promiscuous} transport, which delivers all. */
    public OptionalInt etherType() {
        return switch (filter) {
            case FrameFilter.Station s -> OptionalInt.of(s.etherType());
            case FrameFilter.Promiscuous p -> OptionalInt.empty();
        };
    }

    /** Whether this transport delivers every frame ({@link #openPromiscuous}). */
    public boolean promiscuous() { return filter instanceof FrameFilter.Promiscuous; }

    /**
     * What the kernel left unfinished in the frame the last {@link #receive} returned (always
     * {@link ReceiveOffload#NONE} unless promiscuous). Receive thread only.
     */
    public ReceiveOffload lastOffload() { return lastOffload; }

    /** Frames received that were addressed to other stations (promiscuous only). */
    public long othersFrames() { return othersFrames; }

    /** Frames received with work left for the receiver ({@link #lastOffload()} not complete). */
    public long offloadedFrames() { return offloadedFrames; }

    /**
     * Whether the interface is up and has carrier ({@code IFF_UP} and {@code IFF_RUNNING}), asked
     * in the namespace the transport was opened in, from any thread.
     */
    public boolean carrier() throws IOException {
        if (!lifetime.acquire()) throw new ClosedChannelException();
        try {
            int flags = socket.interfaceFlags(device);
            int both = InterfaceIoctl.IFF_UP | InterfaceIoctl.IFF_RUNNING;
            return (flags & both) == both;
        } finally {
            lifetime.release();
        }
    }

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
                int ready = socket.await(wakeFd.fd(), timeoutNanos == Long.MAX_VALUE ? Long.MAX_VALUE : timeoutNanos - elapsed);
                sleeping = false;
                if ((ready & PacketSocket.OTHER_READABLE) != 0) return consumeWakeup();
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
        boolean otherHost = type == PacketSocket.PACKET_OTHERHOST;
        if (type == PacketSocket.PACKET_OUTGOING || otherHost && !promiscuous() || wireLength < ETH_HEADER) {
            filtered++;
            return 0;
        }
        ByteBuffer rx = socket.rxView();
        int start = socket.frameOffset();
        ReceiveOffload offload = socket.offload();
        int length = Math.min(wireLength, PacketSocket.RX_CAPACITY);
        int tci = socket.vlanTci();
        if (tci >= 0) {
            // The kernel took the tag out; move the two MAC addresses into the headroom and put it back.
            int tagged = start - VLAN_TAG;
            rx.put(tagged, rx, start, 12);
            rx.putShort(tagged + 12, (short) socket.vlanTpid());
            rx.putShort(tagged + 14, (short) tci);
            start = tagged;
            length += VLAN_TAG;
            vlanTagsRestored++;
            if (!offload.complete()) offload = offload.shifted(VLAN_TAG);
        }
        if (!filter.accepts(rx, start, Math.min(length, rx.capacity() - start))) {
            filtered++;
            return 0;
        }
        int copied = Math.min(length, dst.capacity());
        if (copied < length || wireLength > PacketSocket.RX_CAPACITY) truncated++;
        dst.put(0, rx, start, copied);
        framesReceived++;
        if (otherHost) othersFrames++;
        if (!offload.complete()) offloadedFrames++;
        lastOffload = offload;
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
