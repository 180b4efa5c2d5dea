package dev.vpcie.endpoint.wire;

import dev.vpcie.devices.nic.EthernetFrames;
import dev.vpcie.devices.nic.offload.OffloadException;
import dev.vpcie.devices.nic.offload.TxOffloadEngine;
import dev.vpcie.endpoint.FunctionHost;
import dev.vpcie.protocol.agent.AgentLoop;
import dev.vpcie.protocol.transport.AfPacketTransport;
import dev.vpcie.protocol.transport.FrameTransport;
import dev.vpcie.protocol.transport.PcapTransport;
import dev.vpcie.protocol.transport.ReceiveOffload;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A NIC's wire on an interface of the endpoint's host — a veth into another namespace, or a real
 * adapter — through a promiscuous transport: {@link AfPacketTransport#openPromiscuous} (the
 * default) or {@link PcapTransport#openPromiscuous}. The NIC's MAC address is its own, not the
 * interface's, so the interface must deliver every frame, as the cable would.
 *
 * <h2>Receive</h2>
 * Started with a function of an endpoint ({@link FunctionHost}), the wire is read on the
 * endpoint's agent loop ({@link LoopReader}): the loop watches the socket while idle, and a duty
 * cycle takes the frames off it, finishes what the sending host's stack left to hardware
 * ({@link OffloadCompletion}; AF_PACKET only, which can tell) and hands them to the device
 * directly. Through AF_PACKET one {@code recvmmsg} takes up to {@value AfPacketTransport#RX_BATCH}
 * frames, and the device reads each where the kernel put it (no copy on the way; a frame whose
 * offload cannot be completed is counted and dropped, the others still go).
 *
 * <h2>Flow control (AF_PACKET on the loop)</h2>
 * Before a frame goes, the device is asked whether it takes all of it now
 * ({@link dev.vpcie.devices.spi.EthernetPort.FrameReceiver#accepts}: for a GSO super-frame every
 * segment, {@link #burstBytes}). A NIC model with transmit flow control on says no while its
 * packet buffer and fetched descriptors cannot take it, as it would send XOFF; the wire then
 * pauses: the frame and the rest of its {@code recvmmsg} batch stay where the kernel put them
 * (the transport's next batched receive starts from them: nothing read is lost or reordered),
 * further frames wait in the socket, and the socket is not watched, so the loop blocks instead of
 * spinning on it. Every duty cycle asks again; room comes back with link traffic (descriptor
 * fetches, tail writes), which wakes the loop. Once the wire takes all it finds it watches the
 * socket again. Started with any
 * other executor (or over a transport without a descriptor), a platform thread reads and hands
 * batches of up to {@value #MAX_BATCH} frames over ({@link Inbound}); it never blocks on the device.
 *
 * <h2>Link</h2>
 * The wire has link while the interface is up and has carrier (AF_PACKET asks the kernel every
 * {@value #CARRIER_CHECK_MS} ms; with pcap the link is taken as up). A change reaches the device
 * on its thread, and the device's own link follows (its driver sees LSC).
 *
 * <h2>Transmit</h2>
 * {@link #send} runs on the function's thread. On the agent loop through AF_PACKET it queues the
 * frame, and the frames of one duty cycle leave together in one {@code sendmmsg} at its end
 * ({@link LoopReader#cycleEnded}): never held past the cycle, never reordered, and a full queue
 * (64 frames) is sent at once. Otherwise it writes the frame at once. A frame the kernel cannot
 * take (no buffer, interface down) is dropped and counted.
 */
public final class InterfaceWire implements Wire {
    private static final Logger log = LoggerFactory.getLogger(InterfaceWire.class);
    static final int MAX_BATCH = 64;
    static final int CARRIER_CHECK_MS = 250;
    /** Room for the largest frame a packet socket delivers (a GSO super-frame of 64 KiB) and a VLAN tag. */
    private static final int RX_BUFFER = 65536 + 4;
    private static final int ETH_HEADER_AND_TAG = 18;
    /** The fewest header bytes before a super-frame's payload (Ethernet, IPv4, UDP): it has no more segments than its bytes after them make. */
    private static final int MIN_GSO_HEADERS = 14 + 20 + 8;
    /** The most header bytes a segment repeats (Ethernet with a tag, IPv4 with options, TCP with options). */
    private static final int MAX_GSO_HEADERS = 18 + 60 + 60;

    private final FrameTransport transport;
    private final OffloadCompletion offloads = new OffloadCompletion();
    private final Thread reader;
    private volatile LoopReader loopReader;
    private final Inbound inbound = new Inbound();
    private final AtomicLong framesOut = new AtomicLong(), droppedOut = new AtomicLong(), offloadsDone = new AtomicLong();
    private volatile boolean carrier;
    private volatile boolean closed;
    private boolean sendErrorLogged; // function thread

    // Batched receive and send through AF_PACKET on the agent loop (loop thread only, set up once at start).
    private final AfPacketTransport.FrameSink arrivals = this::arrived;
    private final AfPacketTransport.Admission admission = this::admits;
    /** The last frame offered was refused for want of room in the device: the wire holds it back. */
    private boolean holding;
    private final TxOffloadEngine.FrameSink completed = this::completed;
    private final byte[] offloadBuffer = new byte[RX_BUFFER];
    private byte[] segmentArray;
    private ByteBuffer segmentView;
    /** The loop whose thread queues frames for the end of its cycle; null: every frame is sent at once. */
    private volatile AgentLoop sendLoop;
    private int queuedOut;
    private long sentMark;

    private InterfaceWire(FrameTransport transport) {
        this.transport = transport;
        this.carrier = readCarrier(true);
        this.reader = Thread.ofPlatform().daemon().name("vpcie-wire-" + transport.name()).unstarted(this::readLoop);
    }

    /** Opens {@code interfaceName} (in the calling thread's network namespace) through AF_PACKET. Needs root or CAP_NET_RAW. */
    public static InterfaceWire afPacket(String interfaceName) throws IOException {
        return new InterfaceWire(AfPacketTransport.openPromiscuous(interfaceName, AfPacketTransport.Options.DEFAULT));
    }

    /** A wire over any transport (tests hand frames to {@link #arrived} themselves). */
    static InterfaceWire over(FrameTransport transport) { return new InterfaceWire(transport); }

    /** Opens {@code interfaceName} (in the calling thread's network namespace) through libpcap. */
    public static InterfaceWire pcap(String interfaceName) throws IOException {
        return new InterfaceWire(PcapTransport.openPromiscuous(interfaceName));
    }

    @Override public void start(Executor functionThread) {
        inbound.start(functionThread, describe());
        int fd = transport.pollFd();
        if (functionThread instanceof FunctionHost host && fd >= 0 && transport instanceof AfPacketTransport af && af.promiscuous()) {
            sendLoop = host.loop();
            LoopReader.Drain drain = new LoopReader.Drain() {
                @Override public int drain(int max) throws IOException { return InterfaceWire.this.drain(af, max); }

                @Override public boolean holding() { return holding; }
            };
            loopReader = LoopReader.start(host, fd, drain, describe(), this::checkCarrier, CARRIER_CHECK_MS, this::flushQueued);
        } else if (functionThread instanceof FunctionHost host && fd >= 0) {
            ByteBuffer buffer = ByteBuffer.allocate(RX_BUFFER);
            loopReader = LoopReader.start(host, fd, (batch, max) -> {
                for (int n; batch.size() < max && (n = transport.receive(buffer, 0)) > 0; ) take(buffer.array(), n, batch);
            }, inbound, describe(), this::checkCarrier, CARRIER_CHECK_MS);
        } else {
            reader.start();
        }
    }

    @Override public String describe() { return transport.name() + " (promiscuous)"; }

    @Override public WireCounters counters() {
        return new WireCounters(inbound.delivered(), framesOut.get(), inbound.dropped(), droppedOut.get(), offloadsDone.get());
    }

    // ------------------------------------------------------------------ EthernetPort (function thread)

    @Override public boolean send(ByteBuffer frame) {
        try {
            if (closed) {
                droppedOut.incrementAndGet();
                return false;
            }
            AgentLoop loop = sendLoop;
            if (loop != null && loop.inLoop()) {
                queue((AfPacketTransport) transport, frame);
                return true;
            }
            transport.send(frame);
            framesOut.incrementAndGet();
            return true;
        } catch (IOException | IllegalArgumentException e) {
            droppedOut.incrementAndGet();
            sendFailed(e, frame.remaining());
            return false;
        } finally {
            frame.position(frame.limit());
        }
    }

    /** Queues the frame for the end of the cycle (the transport sends a full queue at once). */
    private void queue(AfPacketTransport af, ByteBuffer frame) throws IOException {
        if (queuedOut == 0) sentMark = af.framesSent();
        af.queue(frame);
        queuedOut++;
    }

    /**
     * End of the agent's duty cycle: the frames queued during it leave in one {@code sendmmsg}.
     * Each queued frame was either sent (the transport counted it) or lost: counted here by the
     * difference.
     */
    private void flushQueued() {
        if (queuedOut == 0) return;
        AfPacketTransport af = (AfPacketTransport) transport;
        try {
            af.flush();
        } catch (IOException | RuntimeException e) {
            sendFailed(e, -1);
        } finally {
            long sent = af.framesSent() - sentMark;
            framesOut.addAndGet(sent);
            droppedOut.addAndGet(queuedOut - sent);
            queuedOut = 0;
        }
    }

    private void sendFailed(Exception e, int length) {
        if (!sendErrorLogged && !(e instanceof ClosedChannelException)) {
            sendErrorLogged = true;
            log.warn("{}: {} could not be sent ({}); further failures are only counted", describe(),
                    length < 0 ? "queued frames" : "a frame of " + length + " bytes", e.getMessage());
        }
    }

    @Override public void setReceiver(FrameReceiver receiver) { inbound.receiver(receiver); }

    @Override public boolean linkUp() { return carrier && !closed; }

    @Override public void setLinkListener(LinkListener listener) { inbound.linkListener(listener); }

    @Override public int maxFrameSize() { return transport.mtu() + ETH_HEADER_AND_TAG; }

    // ------------------------------------------------------------------ the receive thread

    private void readLoop() {
        ByteBuffer buffer = ByteBuffer.allocate(RX_BUFFER);
        long nextCarrierCheck = System.nanoTime();
        try {
            while (!closed) {
                int n = transport.receive(buffer, TimeUnit.MILLISECONDS.toNanos(CARRIER_CHECK_MS));
                List<byte[]> batch = null;
                while (n > 0) {
                    if (batch == null) batch = new ArrayList<>();
                    take(buffer.array(), n, batch);
                    if (batch.size() >= MAX_BATCH) break;
                    n = transport.receive(buffer, 0);
                }
                if (batch != null && !batch.isEmpty()) inbound.handOver(batch);
                long now = System.nanoTime();
                if (now - nextCarrierCheck >= 0) {
                    nextCarrierCheck = now + TimeUnit.MILLISECONDS.toNanos(CARRIER_CHECK_MS);
                    checkCarrier();
                }
            }
        } catch (ClosedChannelException e) {
            // closed under us: done
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                log.error("{}: receiving failed, the wire is dead: {}", describe(), e.toString());
                setCarrier(false);
            }
        }
    }

    // ------------------------------------------------------------------ batched receive (agent loop)

    /**
     * Takes up to {@code max} frames off the socket, {@value AfPacketTransport#RX_BATCH} per
     * {@code recvmmsg}, those an earlier cycle held back first; stops at a frame the device has no
     * room for ({@link #admits}), which the transport keeps, with the rest of its batch, for the
     * next cycle.
     */
    private int drain(AfPacketTransport af, int max) throws IOException {
        int taken = 0;
        holding = false;
        while (taken < max) {
            boolean resumed = af.held() > 0;
            int asked = Math.min(max - taken, AfPacketTransport.RX_BATCH);
            int n = af.receive(arrivals, asked, admission);
            taken += n;
            if (holding) break;
            if (n < asked && !resumed) break; // the socket is empty: no call to find that out
        }
        return taken;
    }

    /** Whether the device takes the frame now: all of it, every segment of a super-frame (802.3x flow control in the model). */
    private boolean admits(int length, ReceiveOffload offload) {
        holding = !inbound.accepts(burstFrames(length, offload), burstBytes(length, offload));
        return !holding;
    }

    /**
     * The bytes a frame of {@code length} is on the device's wire: itself (padded to the minimum
     * frame), or for a super-frame every segment, each with the headers repeated. An upper bound
     * (the headers from {@code virtio_net_hdr}'s hint, which covers at least them, or the most
     * there can be), so the device is never offered more than it said it takes.
     */
    static int burstBytes(int length, ReceiveOffload offload) {
        int segments = burstFrames(length, offload);
        if (!offload.segmented() || offload.gsoSize() <= 0) return Math.max(length, EthernetFrames.MIN_FRAME);
        int hint = offload.headerLength();
        int headers = hint > 0 && hint <= MAX_GSO_HEADERS ? hint : MAX_GSO_HEADERS;
        return length + (segments - 1) * headers;
    }

    /** The frames a frame of {@code length} is on the device's wire: 1, or a super-frame's segments (at most one more than there are). */
    static int burstFrames(int length, ReceiveOffload offload) {
        int mss = offload.gsoSize();
        if (!offload.segmented() || mss <= 0) return 1;
        return Math.max(1, (length - MIN_GSO_HEADERS + mss - 1) / mss);
    }

    /** One frame of a batch, in place: to the device as it is, or through {@link OffloadCompletion} first. */
    void arrived(ByteBuffer frames, int start, int length, ReceiveOffload offload) {
        if (offload.complete()) {
            frames.limit(start + length).position(start);
            try {
                inbound.deliverNow(frames);
            } finally {
                frames.clear(); // the batch's other frames are read by index, up to the limit
            }
            return;
        }
        frames.get(start, offloadBuffer, 0, length);
        try {
            offloads.complete(offloadBuffer, length, offload, completed);
            offloadsDone.incrementAndGet();
        } catch (OffloadException e) {
            inbound.drop(1);
            log.debug("{}: dropped a frame whose offload cannot be completed: {}", describe(), e.getMessage());
        }
    }

    /** A frame {@link OffloadCompletion} finished (one segment of a super-frame, or the frame itself). */
    private void completed(byte[] frame, int length) {
        if (frame != segmentArray) { // the same array for every segment of a super-frame
            segmentArray = frame;
            segmentView = ByteBuffer.wrap(frame);
        }
        segmentView.clear().limit(length);
        inbound.deliverComputedNow(segmentView); // its checksums were just computed: the model need not sum it again
    }

    // ------------------------------------------------------------------ one frame at a time (threads, pcap)

    /** Adds the frame in {@code buffer[0..n)} to the batch, its offloads completed. */
    private void take(byte[] buffer, int n, List<byte[]> batch) {
        ReceiveOffload offload = transport instanceof AfPacketTransport af ? af.lastOffload() : ReceiveOffload.NONE;
        if (offload.complete()) {
            batch.add(Arrays.copyOf(buffer, n));
            return;
        }
        try {
            offloads.complete(buffer, n, offload, (frame, length) -> batch.add(Arrays.copyOf(frame, length)));
            offloadsDone.incrementAndGet();
        } catch (OffloadException e) {
            inbound.drop(1);
            log.debug("{}: dropped a frame whose offload cannot be completed: {}", describe(), e.getMessage());
        }
    }

    private void checkCarrier() { setCarrier(readCarrier(carrier)); }

    private boolean readCarrier(boolean otherwise) {
        if (!(transport instanceof AfPacketTransport af)) return true;
        try {
            return af.carrier();
        } catch (ClosedChannelException e) {
            return false;
        } catch (IOException e) {
            log.debug("{}: interface flags unavailable ({}); carrier taken as {}", describe(), e.getMessage(), otherwise ? "up" : "down");
            return otherwise;
        }
    }

    private void setCarrier(boolean up) {
        if (carrier == up) return;
        carrier = up;
        log.info("{}: carrier {}", describe(), up ? "up" : "down");
        inbound.linkChanged(up);
    }

    @Override public void close() {
        if (closed) return;
        closed = true;
        inbound.close();
        LoopReader r = loopReader;
        if (r != null) r.stop();
        transport.wakeup();
        if (reader.isAlive()) {
            try {
                reader.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        transport.close();
    }

    @Override public String toString() { return describe(); }
}
