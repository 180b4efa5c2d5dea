package dev.vpcie.endpoint.wire;

import dev.vpcie.devices.nic.offload.OffloadException;
import dev.vpcie.endpoint.FunctionHost;
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
 * directly. Started with any other executor (or over a transport without a descriptor), a
 * platform thread reads and hands batches of up to {@value #MAX_BATCH} frames over
 * ({@link Inbound}); it never blocks on the device.
 *
 * <h2>Link</h2>
 * The wire has link while the interface is up and has carrier (AF_PACKET asks the kernel every
 * {@value #CARRIER_CHECK_MS} ms; with pcap the link is taken as up). A change reaches the device
 * on its thread, and the device's own link follows (its driver sees LSC).
 *
 * <h2>Transmit</h2>
 * {@link #send} runs on the function's thread and writes the frame to the interface at once; a
 * frame the kernel cannot take (no buffer, interface down) is dropped and counted.
 */
public final class InterfaceWire implements Wire {
    private static final Logger log = LoggerFactory.getLogger(InterfaceWire.class);
    static final int MAX_BATCH = 64;
    static final int CARRIER_CHECK_MS = 250;
    /** Room for the largest frame a packet socket delivers (a GSO super-frame of 64 KiB) and a VLAN tag. */
    private static final int RX_BUFFER = 65536 + 4;
    private static final int ETH_HEADER_AND_TAG = 18;

    private final FrameTransport transport;
    private final OffloadCompletion offloads = new OffloadCompletion();
    private final Thread reader;
    private volatile LoopReader loopReader;
    private final Inbound inbound = new Inbound();
    private final AtomicLong framesOut = new AtomicLong(), droppedOut = new AtomicLong(), offloadsDone = new AtomicLong();
    private volatile boolean carrier;
    private volatile boolean closed;
    private boolean sendErrorLogged; // function thread

    private InterfaceWire(FrameTransport transport) {
        this.transport = transport;
        this.carrier = readCarrier(true);
        this.reader = Thread.ofPlatform().daemon().name("vpcie-wire-" + transport.name()).unstarted(this::readLoop);
    }

    /** Opens {@code interfaceName} (in the calling thread's network namespace) through AF_PACKET. Needs root or CAP_NET_RAW. */
    public static InterfaceWire afPacket(String interfaceName) throws IOException {
        return new InterfaceWire(AfPacketTransport.openPromiscuous(interfaceName, AfPacketTransport.Options.DEFAULT));
    }

    /** Opens {@code interfaceName} (in the calling thread's network namespace) through libpcap. */
    public static InterfaceWire pcap(String interfaceName) throws IOException {
        return new InterfaceWire(PcapTransport.openPromiscuous(interfaceName));
    }

    @Override public void start(Executor functionThread) {
        inbound.start(functionThread, describe());
        int fd = transport.pollFd();
        if (functionThread instanceof FunctionHost host && fd >= 0) {
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
            transport.send(frame);
            framesOut.incrementAndGet();
            return true;
        } catch (IOException | IllegalArgumentException e) {
            droppedOut.incrementAndGet();
            if (!sendErrorLogged && !(e instanceof ClosedChannelException)) {
                sendErrorLogged = true;
                log.warn("{}: a frame of {} bytes could not be sent ({}); further failures are only counted", describe(), frame.remaining(),
                        e.getMessage());
            }
            return false;
        } finally {
            frame.position(frame.limit());
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
