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
 * <p>Frames arrive in a memory-mapped {@code TPACKET_V2} ring by default, so a poll
 * ({@code receive(dst, 0)}) is a read of the next slot's status word, no system call; with
 * {@link Options#rxRing()} off it is one non-blocking {@code recvmsg}. A receive that may wait goes
 * to {@code ppoll} on the socket and an {@link EventFd} (for {@link #wakeup()}). Nothing is
 * allocated per frame: the native memory is set up once and frames are copied into the caller's
 * buffer.
 */
public final class AfPacketTransport implements FrameTransport {

    /**
     * Tuning.
     *
     * @param qdiscBypass        send with {@code PACKET_QDISC_BYPASS} (skips the queueing discipline,
     *                           but also hides our frames from tcpdump on this interface)
     * @param busyPollNanos      before blocking, keep polling the socket this long (0: block at once)
     * @param receiveBufferBytes receive ring size, or without a ring the socket receive buffer
     *                           ({@code SO_RCVBUFFORCE} as root, else capped by rmem_max)
     * @param sendBufferBytes    socket send buffer
     * @param rxRing             receive through a memory-mapped {@code TPACKET_V2} ring (no system call
     *                           per frame) rather than {@code recvmsg}
     */
    public record Options(boolean qdiscBypass, long busyPollNanos, int receiveBufferBytes, int sendBufferBytes, boolean rxRing) {
        public static final Options DEFAULT = new Options(false, 0, 4 << 20, 1 << 20, true);

        public Options {
            if (busyPollNanos < 0) throw new IllegalArgumentException("busyPollNanos must be >= 0");
            if (receiveBufferBytes < 0 || sendBufferBytes < 0) throw new IllegalArgumentException("buffer sizes must be >= 0 (0: kernel default)");
        }

        public Options withBusyPollNanos(long nanos) { return new Options(qdiscBypass, nanos, receiveBufferBytes, sendBufferBytes, rxRing); }

        public Options withQdiscBypass(boolean bypass) { return new Options(bypass, busyPollNanos, receiveBufferBytes, sendBufferBytes, rxRing); }

        public Options withRxRing(boolean ring) { return new Options(qdiscBypass, busyPollNanos, receiveBufferBytes, sendBufferBytes, ring); }
    }

    private static final int ETH_HEADER = 14, VLAN_TAG = 4;
    /** Frames one {@code sendmmsg} sends at most: a duty cycle's worth (the link reads 64 frames per cycle). */
    static final int TX_BATCH = 64;
    /**
     * Frames one {@link #receive(FrameSink, int)} takes at most. Each slot holds a 64 KiB
     * super-frame, so this bounds the native memory a promiscuous transport holds (2 MiB).
     */
    public static final int RX_BATCH = 32;

    /** Where {@link #receive(FrameSink, int)} hands each frame. */
    @FunctionalInterface
    public interface FrameSink {
        /**
         * Frame {@code frames[start..start+length)}, an 802.1Q tag the kernel stripped back in line,
         * with what its sender's stack left undone. The bytes are valid, and may be changed, only
         * during the call; the sink may move {@code frames}' position and limit.
         */
        void frame(ByteBuffer frames, int start, int length, ReceiveOffload offload);
    }

    /** Asked by {@link #receive(FrameSink, int, Admission)} before a frame goes to the sink. */
    @FunctionalInterface
    public interface Admission {
        /** Every frame goes. */
        Admission ALL = (length, offload) -> true;

        /**
         * Whether the sink takes a frame of {@code length} bytes (an 802.1Q tag the kernel stripped
         * counted) with {@code offload} now; false leaves it, and the batch's frames after it, for
         * a later receive.
         */
        boolean admits(int length, ReceiveOffload offload);
    }

    private final NetDevice device;
    private final FrameFilter filter;
    private final Options options;
    private final PacketSocket socket;
    private final ReceiveWait wait;
    private final Lifetime lifetime;

    private long framesSent, sendDrops, framesReceived, filtered, truncated, vlanTagsRestored;
    private long othersFrames, offloadedFrames, batches, malformed;
    /** Messages of the last {@code recvmmsg}, and the first one not yet handed on (held back by an {@link Admission}). */
    private int batchSize, batchNext;
    private ReceiveOffload lastOffload = ReceiveOffload.NONE;

    private AfPacketTransport(NetDevice device, FrameFilter filter, Options options, PacketSocket socket, ReceiveWait wait) {
        this.device = device;
        this.filter = filter;
        this.options = options;
        this.socket = socket;
        this.wait = wait;
        this.lifetime = new Lifetime(() -> {
            socket.close();
            wait.close();
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
     * transmissions left out. Each frame's {@link #lastOffload()} says what the kernel left
     * unfinished. Receives with {@code recvmsg} (whatever {@link Options#rxRing()} says), since a
     * super-frame of 64 KiB must fit.
     */
    public static AfPacketTransport openPromiscuous(String interfaceName, Options options) throws IOException {
        return openPromiscuous(interfaceName, options, PacketSocket.RX_CAPACITY);
    }

    /** As {@link #openPromiscuous(String, Options)}, with batch slots for frames of {@code rxFrameBytes} (tests make them small). */
    static AfPacketTransport openPromiscuous(String interfaceName, Options options, int rxFrameBytes) throws IOException {
        NetDevice device = NetDevice.lookup(interfaceName);
        return open(device, new FrameFilter.Promiscuous(), options.withRxRing(false), socket -> {
            socket.enableVnetHeader();
            socket.useRxBatch(RX_BATCH, rxFrameBytes);
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
        try {
            socket.setOption(PacketSocket.SOL_PACKET, PacketSocket.PACKET_AUXDATA, 1, "PACKET_AUXDATA");
            // Older kernels (< 4.20) lack it; the filter and the pkttype check below still drop our own frames.
            socket.trySetOption(PacketSocket.SOL_PACKET, PacketSocket.PACKET_IGNORE_OUTGOING, 1, "PACKET_IGNORE_OUTGOING");
            if (options.qdiscBypass())
                socket.setOption(PacketSocket.SOL_PACKET, PacketSocket.PACKET_QDISC_BYPASS, 1, "PACKET_QDISC_BYPASS");
            if (options.rxRing()) {
                int frameSize = ringFrameSize(device.mtu());
                socket.useRxRing(frameSize, Math.max(64, (options.receiveBufferBytes() > 0 ? options.receiveBufferBytes() : 4 << 20) / frameSize));
            } else if (options.receiveBufferBytes() > 0
                    && !socket.trySetOption(PacketSocket.SOL_SOCKET, PacketSocket.SO_RCVBUFFORCE, options.receiveBufferBytes(), "SO_RCVBUFFORCE")) {
                socket.setOption(PacketSocket.SOL_SOCKET, PacketSocket.SO_RCVBUF, options.receiveBufferBytes(), "SO_RCVBUF");
            }
            if (options.sendBufferBytes() > 0
                    && !socket.trySetOption(PacketSocket.SOL_SOCKET, PacketSocket.SO_SNDBUFFORCE, options.sendBufferBytes(), "SO_SNDBUFFORCE"))
                socket.setOption(PacketSocket.SOL_SOCKET, PacketSocket.SO_SNDBUF, options.sendBufferBytes(), "SO_SNDBUF");
            setup.apply(socket);
            // Slots as large as a frame of the MTU with two tags (a larger one leaves alone, see queue).
            socket.useTxBatch(TX_BATCH, device.mtu() + ETH_HEADER + 2 * VLAN_TAG);
            socket.bind(device);
            return new AfPacketTransport(device, filter, options, socket, new ReceiveWait(socket.fd(), "AF_PACKET socket on '" + device.name() + "'"));
        } catch (IOException | RuntimeException | Error e) {
            socket.close();
            throw e;
        }
    }

    /**
     * A ring slot holds the TPACKET_V2 header and address (the kernel puts the frame at offset 66
     * or so), then a frame of the MTU plus Ethernet header and up to two tags; slots are powers of two.
     */
    static int ringFrameSize(int mtu) {
        int needed = 128 + mtu + ETH_HEADER + 2 * VLAN_TAG;
        return Math.max(256, Integer.highestOneBit(needed - 1) << 1);
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
        checkFrame(frame);
        if (!lifetime.acquire()) throw new ClosedChannelException();
        try {
            flushQueued(); // frames queued before this one leave first
            if (socket.send(frame, device.name())) framesSent++;
            else sendDrops++;
        } finally {
            lifetime.release();
        }
    }

    /**
     * Copies the frame into the socket's send batch ({@value #TX_BATCH} frames, flushed first when
     * full) for one {@code sendmmsg} at {@link #flush}; a frame larger than a batch slot (the MTU
     * grew since open) leaves at once, behind the queued ones.
     */
    @Override public void queue(ByteBuffer frame) throws IOException {
        checkFrame(frame);
        if (!lifetime.acquire()) throw new ClosedChannelException();
        try {
            if (!socket.canQueue(frame.remaining())) {
                flushQueued();
                if (!socket.canQueue(frame.remaining())) {
                    if (socket.send(frame, device.name())) framesSent++;
                    else sendDrops++;
                    return;
                }
            }
            socket.queue(frame);
        } finally {
            lifetime.release();
        }
    }

    @Override public void flush() throws IOException {
        if (socket.queued() == 0) return; // the common idle case: no system call, no lock
        lifetime.use(flushQueued);
    }

    /** Built once: {@link #flush} runs once per duty cycle and must not allocate. */
    private final Lifetime.Use flushQueued = this::flushQueued;

    private void flushQueued() throws IOException {
        int queued = socket.queued();
        if (queued == 0) return;
        int lost = socket.flush(device.name());
        framesSent += queued - lost;
        sendDrops += lost;
        batches++;
    }

    private static void checkFrame(ByteBuffer frame) {
        if (frame.remaining() < ETH_HEADER)
            throw new IllegalArgumentException("an Ethernet frame has at least " + ETH_HEADER + " bytes, got " + frame.remaining());
    }

    /** Frames sent so far, queued or not (sending thread). */
    public long framesSent() { return framesSent; }

    /** {@code sendmmsg} calls that sent {@linkplain #queue queued} frames (frames sent over batches: frames per call). */
    public long sendBatches() { return batches; }

    /** The packet socket: readable when a frame waits (also with the receive ring). */
    @Override public int pollFd() { return socket.fd(); }

    @Override public int receive(ByteBuffer dst, long timeoutNanos) throws IOException {
        if (!lifetime.acquire()) throw new ClosedChannelException();
        try {
            long start = 0, busyUntil = 0;
            boolean started = false;
            // A caller prepared to wait has usually just polled: without a ring (where looking is free),
            // wait first and read when readable.
            boolean skipRead = !socket.usesRing() && timeoutNanos > 0 && options.busyPollNanos() == 0;
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
                    if (wait.takeWakeup()) return 0;
                    Thread.onSpinWait();
                    continue;
                }
                int ready = wait.await(timeoutNanos == Long.MAX_VALUE ? Long.MAX_VALUE : timeoutNanos - elapsed);
                if (ready == ReceiveWait.WOKEN) return 0;
                if ((ready & Poller.FIRST_FAILED) != 0) {
                    // ENETDOWN when the interface goes down (a pulled cable): collect it and keep waiting,
                    // the socket receives again once the interface is up.
                    int error = socket.takeError();
                    if (error != 0 && error != Errno.ENETDOWN)
                        throw new ErrnoException("AF_PACKET socket on '" + device.name() + "'", "SO_ERROR", error);
                }
            }
        } finally {
            lifetime.release();
        }
    }

    /**
     * Takes up to {@code max} (at most {@value #RX_BATCH}) queued frames with one {@code recvmmsg}
     * without waiting and hands each one this transport delivers to {@code sink}, in order, in
     * place (no copy); returns how many frames were taken off the socket, delivered or not (0:
     * none was queued). A frame that cannot be used — filtered, longer than its slot, or a message
     * too short for its {@code virtio_net_hdr} — is counted and skipped; the others still go.
     * Promiscuous transports only; receive thread.
     */
    public int receive(FrameSink sink, int max) throws IOException { return receive(sink, max, Admission.ALL); }

    /**
     * {@link #receive(FrameSink, int)}, asking {@code admission} before each usable frame goes to
     * the sink: a frame it does not admit stays where the kernel put it, with the rest of the
     * batch, and the next call starts from it (without a {@code recvmmsg}) — nothing read is lost
     * or reordered. {@link #held()} tells how many wait so.
     */
    public int receive(FrameSink sink, int max, Admission admission) throws IOException {
        if (socket.rxBatchCapacity() == 0) throw new IllegalStateException(name() + ": batched receive is for promiscuous transports");
        if (!lifetime.acquire()) throw new ClosedChannelException();
        try {
            if (batchNext == batchSize) {
                batchSize = socket.receiveBatch(Math.min(max, RX_BATCH));
                batchNext = 0;
            }
            int end = Math.min(batchSize, batchNext + Math.min(max, RX_BATCH));
            int first = batchNext;
            for (; batchNext < end; batchNext++) {
                int wireLength = socket.select(batchNext);
                if (wireLength == PacketSocket.MALFORMED) {
                    malformed++;
                    continue;
                }
                if (!accepted(wireLength)) continue;
                boolean tagged = socket.vlanTci() >= 0;
                ReceiveOffload offload = offload();
                if (!admission.admits(socket.capturedLength() + (tagged ? VLAN_TAG : 0), offload)) break; // selected again when resumed
                if (tagged) {
                    socket.restoreVlanTagInPlace();
                    vlanTagsRestored++;
                }
                ByteBuffer view = socket.rxView();
                try {
                    sink.frame(view, socket.rxStart(), socket.capturedLength(), received(offload));
                } finally {
                    view.clear(); // the sink may have moved them; the next frames are read by index
                }
            }
            return batchNext - first;
        } finally {
            lifetime.release();
        }
    }

    /** Frames of the last {@code recvmmsg} that an {@link Admission} held back: the next batched receive starts with them. */
    public int held() { return batchSize - batchNext; }

    /** Messages {@link #receive(FrameSink, int)} dropped for being shorter than their {@code virtio_net_hdr}. */
    public long malformed() { return malformed; }

    /**
     * Whether the frame just received goes to the caller: not one of ours, not for another station
     * (unless promiscuous), whole, and past the filter. Counts it as filtered or truncated if not.
     */
    private boolean accepted(int wireLength) {
        int type = socket.packetType();
        if (type == PacketSocket.PACKET_OUTGOING || type == PacketSocket.PACKET_OTHERHOST && !promiscuous() || wireLength < ETH_HEADER) {
            filtered++;
            return false;
        }
        if (socket.capturedLength() < wireLength) {
            truncated++; // longer than our receive buffer or ring slot (the MTU grew since open): not delivered in part
            return false;
        }
        // With the tag taken out, the inner EtherType sits at offset 12 where the filter looks.
        if (!filter.accepts(socket.rxView(), socket.rxStart(), wireLength)) {
            filtered++;
            return false;
        }
        return true;
    }

    /** Counts the accepted frame just received, whose offload ({@link #offload()}) is {@code offload}; returns it. */
    private ReceiveOffload received(ReceiveOffload offload) {
        framesReceived++;
        if (socket.packetType() == PacketSocket.PACKET_OTHERHOST) othersFrames++;
        if (!offload.complete()) offloadedFrames++;
        lastOffload = offload;
        return offload;
    }

    /** The offload of the frame just received, moved past its 802.1Q tag when that is (or will be) put back in line. */
    private ReceiveOffload offload() {
        ReceiveOffload offload = socket.offload();
        return !offload.complete() && socket.vlanTci() >= 0 ? offload.shifted(VLAN_TAG) : offload;
    }

    /** Checks the frame just received and copies it to {@code dst}, a stripped VLAN tag put back; 0 if dropped. */
    private int deliver(ByteBuffer dst, int wireLength) {
        try {
            if (!accepted(wireLength)) return 0;
            ByteBuffer rx = socket.rxView();
            int start = socket.rxStart();
            int tci = socket.vlanTci();
            int length = tci < 0 ? wireLength : wireLength + VLAN_TAG;
            int capacity = dst.capacity();
            if (length > capacity) truncated++;
            if (tci < 0) {
                dst.put(0, rx, start, Math.min(wireLength, capacity));
            } else {
                vlanTagsRestored++;
                dst.put(0, rx, start, Math.min(12, capacity));
                if (capacity >= 14) dst.putShort(12, (short) socket.vlanTpid());
                if (capacity >= 16) dst.putShort(14, (short) tci);
                if (capacity > 16) dst.put(16, rx, start + 12, Math.min(wireLength - 12, capacity - 16));
            }
            received(offload());
            return Math.min(length, capacity);
        } finally {
            socket.release();
        }
    }

    @Override public void wakeup() { wait.wakeup(); }

    /** Closes the socket; a receive blocked in another thread returns 0 first, later calls throw. */
    @Override public void close() {
        if (lifetime.isClosed()) return;
        wait.closing();
        lifetime.close();
    }

    @Override public String toString() { return name(); }
}
