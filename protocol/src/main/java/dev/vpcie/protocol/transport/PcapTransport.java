package dev.vpcie.protocol.transport;

import com.sun.jna.Pointer;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.Optional;
import java.util.OptionalInt;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;
import org.pcap4j.core.Pcaps;

/**
 * Frames on an interface through libpcap (pcap4j): immediate mode, inbound direction only, and a
 * kernel BPF filter on our MAC and EtherType, tagged or not. libpcap puts a VLAN tag the kernel
 * stripped back in line, so frames arrive as sent. Friendly to captures, and built on a library
 * that also exists for macOS and Windows (Npcap), though the MAC and MTU are looked up with Linux
 * ioctls ({@link NetDevice}); slower than {@link AfPacketTransport}, since pcap4j copies each
 * frame into a new array. The only class that uses pcap4j.
 *
 * <p>{@link #openPromiscuous} opens the interface in promiscuous mode without a filter, for an
 * emulated NIC's wire. libpcap cannot say what the local stack left unfinished in a frame (a
 * transport checksum to fill in, a GSO super-frame), so such a wire needs those offloads off on
 * the sending side of the interface; {@link AfPacketTransport#openPromiscuous} can tell.
 *
 * <p>The capture stays in non-blocking mode. To wait, this class polls libpcap's selectable
 * descriptor ({@link PcapDescriptor}) together with an {@link EventFd} for {@link #wakeup()},
 * with a nanosecond timeout. It never calls {@code pcap_breakloop}: on Linux that makes
 * {@code pcap_next_ex} report a break after it has already taken a frame off the ring, and the
 * frame is lost.
 */
public final class PcapTransport implements FrameTransport {
    private static final int PCAP_ERROR_PERM_DENIED = -8;
    /** libpcap's packet buffer timeout; immediate mode delivers each frame at once anyway. */
    private static final int READ_TIMEOUT_MILLIS = 1;
    /** Largest frame we ever send (the tx buffer). */
    private static final int MAX_FRAME = 65536;
    /**
     * Bytes captured per frame beyond the MTU: Ethernet header, two tags, and slack. libpcap sizes
     * the slots of its kernel ring by the snapshot length, so a 64 KiB snaplen would leave a 4 MiB
     * ring with 64 slots, fewer than a busy link has frames in flight.
     */
    private static final int SNAP_BEYOND_MTU = 64;
    private static final int RING_BYTES = 4 << 20;

    private final NetDevice device;
    private final FrameFilter filter;
    private final PcapHandle handle;
    private final String bpf;
    private final int pcapFd;
    private final ReceiveWait wait;
    private final Lifetime lifetime;
    private final byte[] txFrame = new byte[MAX_FRAME];

    private long framesSent, sendDrops, framesReceived, filtered, truncated;

    private PcapTransport(NetDevice device, FrameFilter filter, PcapHandle handle, String bpf, int pcapFd, ReceiveWait wait) {
        this.device = device;
        this.filter = filter;
        this.handle = handle;
        this.bpf = bpf;
        this.pcapFd = pcapFd;
        this.wait = wait;
        this.lifetime = new Lifetime(() -> {
            handle.close();
            wait.close();
        });
    }

    /** Opens {@code interfaceName} (in the calling thread's network namespace) for {@code etherType}. */
    public static PcapTransport open(String interfaceName, int etherType) throws IOException {
        FrameFilter.checkEtherType(etherType);
        NetDevice device = NetDevice.lookup(interfaceName);
        String type = String.format("0x%04x", etherType);
        String bpf = "(ether dst " + device.mac() + " or ether multicast) and (ether proto " + type + " or (vlan and ether proto " + type + "))";
        return open(device, new FrameFilter.Station(etherType, device.mac()), bpf, PcapNetworkInterface.PromiscuousMode.NONPROMISCUOUS);
    }

    /**
     * Opens {@code interfaceName} (in the calling thread's network namespace) for every frame it
     * receives, in promiscuous mode: all EtherTypes, all destinations.
     */
    public static PcapTransport openPromiscuous(String interfaceName) throws IOException {
        NetDevice device = NetDevice.lookup(interfaceName);
        return open(device, new FrameFilter.Promiscuous(), "", PcapNetworkInterface.PromiscuousMode.PROMISCUOUS);
    }

    private static PcapTransport open(NetDevice device, FrameFilter filter, String bpf, PcapNetworkInterface.PromiscuousMode mode)
            throws IOException {
        String interfaceName = device.name();
        PcapHandle handle;
        try {
            handle = new PcapHandle.Builder(interfaceName)
                    .snaplen(Math.max(256, device.mtu() + SNAP_BEYOND_MTU))
                    .promiscuousMode(mode)
                    .timeoutMillis(READ_TIMEOUT_MILLIS)
                    .immediateMode(true)
                    .bufferSize(RING_BYTES)
                    .build();
        } catch (PcapNativeException e) {
            String message = String.valueOf(e.getMessage());
            boolean denied = Integer.valueOf(PCAP_ERROR_PERM_DENIED).equals(e.getReturnCode())
                    || message.contains("ermission") || message.contains("not permitted");
            throw new IOException("pcap: cannot open '" + interfaceName + "': " + message
                    + (denied ? " (capturing needs root or CAP_NET_RAW)" : ""), e);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError | ExceptionInInitializerError e) {
            throw new IOException("pcap: libpcap is not installed (Debian: apt-get install -y libpcap0.8): " + e, e);
        }
        try {
            handle.setDirection(PcapHandle.PcapDirection.IN);
            if (!bpf.isEmpty()) handle.setFilter(bpf, BpfProgram.BpfCompileMode.OPTIMIZE);
            handle.setBlockingMode(PcapHandle.BlockingMode.NONBLOCKING);
            int pcapFd = PcapDescriptor.of(pcapPointer(handle));
            return new PcapTransport(device, filter, handle, bpf, pcapFd, new ReceiveWait(pcapFd, "pcap on '" + device.name() + "'"));
        } catch (PcapNativeException | NotOpenException e) {
            handle.close();
            throw new IOException("pcap: cannot set up '" + interfaceName + "' (direction in, filter \"" + bpf + "\", non-blocking): "
                    + e.getMessage(), e);
        } catch (IOException | RuntimeException | Error e) {
            handle.close();
            throw e;
        }
    }

    /**
     * The {@code pcap_t *} inside pcap4j's handle. pcap4j (1.8.2, its last release) keeps it in a
     * private field and offers no {@code pcap_get_selectable_fd}; see the class comment for why
     * this class needs the descriptor.
     */
    private static MemorySegment pcapPointer(PcapHandle handle) throws IOException {
        try {
            Field field = PcapHandle.class.getDeclaredField("handle");
            field.setAccessible(true);
            return MemorySegment.ofAddress(Pointer.nativeValue((Pointer) field.get(handle)));
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IOException("pcap: this pcap4j has no 'handle' field to reach libpcap's capture (vpcie is built against pcap4j 1.8.2): " + e, e);
        }
    }

    /** libpcap's version string, or empty when libpcap cannot be loaded. */
    public static Optional<String> libraryVersion() {
        try {
            return Optional.of(Pcaps.libVersion());
        } catch (UnsatisfiedLinkError | NoClassDefFoundError | ExceptionInInitializerError e) {
            return Optional.empty();
        }
    }

    @Override public MacAddress address() { return device.mac(); }

    @Override public int mtu() { return device.mtu(); }

    @Override public String name() { return "pcap:" + device.name(); }

    public NetDevice device() { return device; }

    /** The EtherType delivered; empty for a {@linkplain #openPromiscuous promiscuous} transport, which delivers all. */
    public OptionalInt etherType() {
        return switch (filter) {
            case FrameFilter.Station s -> OptionalInt.of(s.etherType());
            case FrameFilter.Promiscuous p -> OptionalInt.empty();
        };
    }

    /** The BPF filter expression given to libpcap (empty when promiscuous: no filter). */
    public String filterExpression() { return bpf; }

    public TransportCounters counters() {
        return new TransportCounters(framesSent, sendDrops, framesReceived, filtered, truncated);
    }

    @Override public void send(ByteBuffer frame) throws IOException {
        int length = frame.remaining();
        if (length < FrameFilter.ETH_HEADER)
            throw new IllegalArgumentException("an Ethernet frame has at least " + FrameFilter.ETH_HEADER + " bytes, got " + length);
        if (length > txFrame.length) throw new IOException("frame of " + length + " bytes is larger than any Ethernet frame");
        if (!lifetime.acquire()) throw new ClosedChannelException();
        try {
            frame.get(frame.position(), txFrame, 0, length);
            handle.sendPacket(txFrame, length);
            framesSent++;
        } catch (NotOpenException e) {
            throw new ClosedChannelException();
        } catch (PcapNativeException e) {
            String message = String.valueOf(e.getMessage());
            if (message.contains("Network is down") || message.contains("No buffer space")) {
                sendDrops++; // a pulled cable or a full queue: the frame is lost, the link above copes
                return;
            }
            throw new IOException("pcap_sendpacket on '" + device.name() + "' (" + length + " bytes): " + message, e);
        } finally {
            lifetime.release();
        }
    }

    /** libpcap's selectable descriptor: readable when the capture has frames. */
    @Override public int pollFd() { return pcapFd; }

    @Override public int receive(ByteBuffer dst, long timeoutNanos) throws IOException {
        if (!lifetime.acquire()) throw new ClosedChannelException();
        try {
            long start = System.nanoTime();
            // One pcap4j read costs microseconds even when nothing is there (JNA, a header object,
            // libpcap's own poll), so look at the descriptor first: a ppoll with no timeout is far cheaper.
            boolean readable = wait.readableNow();
            while (true) {
                byte[] frame = null;
                if (readable) {
                    try {
                        frame = handle.getNextRawPacket(); // non-blocking: null when nothing is waiting
                    } catch (NotOpenException e) {
                        throw new ClosedChannelException();
                    }
                }
                if (frame != null) {
                    int delivered = deliver(dst, frame);
                    if (delivered > 0) return delivered;
                    continue;
                }
                long remaining = timeoutNanos == Long.MAX_VALUE ? Long.MAX_VALUE : timeoutNanos - (System.nanoTime() - start);
                if (remaining <= 0) return 0;
                int ready = wait.await(remaining);
                if (ready == ReceiveWait.WOKEN) return 0;
                if ((ready & Poller.FIRST_FAILED) != 0 && (ready & Poller.FIRST) == 0) surfaceError();
                readable = (ready & Poller.FIRST) != 0;
            }
        } finally {
            lifetime.release();
        }
    }

    /** The capture's descriptor reports an error: let libpcap say which (it handles an interface going down itself). */
    private void surfaceError() throws IOException {
        try {
            handle.getNextRawPacketEx();
        } catch (PcapNativeException e) {
            throw new IOException("pcap_next_ex on '" + device.name() + "': " + e.getMessage(), e);
        } catch (NotOpenException e) {
            throw new ClosedChannelException();
        } catch (java.util.concurrent.TimeoutException | java.io.EOFException e) {
            // Nothing to report after all.
        }
    }

    private int deliver(ByteBuffer dst, byte[] frame) {
        Integer wireLength = handle.getOriginalLength();
        if (wireLength != null && wireLength > frame.length) {
            truncated++; // longer than the snapshot length (the MTU grew since open): not delivered in part
            return 0;
        }
        if (!filter.accepts(ByteBuffer.wrap(frame), 0, frame.length)) {
            filtered++;
            return 0;
        }
        int copied = Math.min(frame.length, dst.capacity());
        if (copied < frame.length) truncated++;
        dst.put(0, frame, 0, copied);
        framesReceived++;
        return copied;
    }

    @Override public void wakeup() { wait.wakeup(); }

    /** Closes the capture; a receive blocked in another thread returns 0 first, later calls throw. */
    @Override public void close() {
        if (lifetime.isClosed()) return;
        wait.closing();
        lifetime.close();
    }

    @Override public String toString() { return name(); }
}
