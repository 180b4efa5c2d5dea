package dev.vpcie.protocol.transport;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeoutException;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;

/**
 * Frames on an interface through libpcap (pcap4j): immediate mode, inbound direction only, and a
 * kernel BPF filter on our MAC and EtherType, tagged or not. libpcap puts a VLAN tag the kernel
 * stripped back in line, so frames arrive as sent. Portable where libpcap is (macOS,
 * Windows/Npcap) and friendly to captures; slower than {@link AfPacketTransport}, since pcap4j
 * copies each frame into a new array. The only class that uses pcap4j.
 *
 * <p>A blocking {@code pcap_next_ex} on Linux returns only for a frame or {@code pcap_breakloop}
 * (libpcap keeps polling past its own timeout), and pcap4j does not expose the descriptor to
 * poll ourselves. So {@link #wakeup()} is {@code pcap_breakloop}, and a receive timeout is an
 * {@link Alarm} thread that calls it at the deadline. A receive with no timeout switches libpcap
 * to non-blocking mode instead.
 */
public final class PcapTransport implements FrameTransport {
    /** libpcap's packet buffer timeout; immediate mode delivers each frame at once anyway. */
    private static final int READ_TIMEOUT_MILLIS = 1;
    private static final long NO_ALARM = Long.MAX_VALUE;
    private static final int PCAP_ERROR_PERM_DENIED = -8;
    private static final int SNAPLEN = 65536;

    private final NetDevice device;
    private final int etherType;
    private final FrameFilter filter;
    private final PcapHandle handle;
    private final String bpf;
    private final byte[] txFrame = new byte[SNAPLEN];

    private volatile boolean wakeupPending;
    private volatile boolean receiving;
    private volatile boolean closed;
    /** Whether libpcap is in non-blocking mode, used for receives with no timeout (a flag in libpcap, no system call). */
    private boolean nonBlocking;

    private final Alarm alarm;

    private long framesSent, framesReceived, filtered, truncated;

    private PcapTransport(NetDevice device, int etherType, PcapHandle handle, String bpf) {
        this.device = device;
        this.etherType = etherType;
        this.filter = new FrameFilter(etherType, device.mac());
        this.handle = handle;
        this.bpf = bpf;
        this.alarm = new Alarm("pcap-alarm-" + device.name(), this::breakLoop);
    }

    /** Opens {@code interfaceName} (in the calling thread's network namespace) for {@code etherType}. */
    public static PcapTransport open(String interfaceName, int etherType) throws IOException {
        if (etherType < 0x600 || etherType > 0xFFFF)
            throw new IllegalArgumentException("EtherType must be 0x0600..0xFFFF (an Ethernet II type): 0x" + Integer.toHexString(etherType));
        NetDevice device = NetDevice.lookup(interfaceName);
        String type = String.format("0x%04x", etherType);
        String bpf = "(ether dst " + device.mac() + " or ether multicast) and (ether proto " + type + " or (vlan and ether proto " + type + "))";
        PcapHandle handle;
        try {
            handle = new PcapHandle.Builder(interfaceName)
                    .snaplen(SNAPLEN)
                    .promiscuousMode(PcapNetworkInterface.PromiscuousMode.NONPROMISCUOUS)
                    .timeoutMillis(READ_TIMEOUT_MILLIS)
                    .immediateMode(true)
                    .bufferSize(4 << 20)
                    .build();
        } catch (PcapNativeException e) {
            String message = String.valueOf(e.getMessage());
            boolean denied = Integer.valueOf(PCAP_ERROR_PERM_DENIED).equals(e.getReturnCode())
                    || message.contains("ermission") || message.contains("not permitted");
            throw new IOException("pcap: cannot open '" + interfaceName + "': " + message
                    + (denied ? " (capturing needs root or CAP_NET_RAW)" : ""), e);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new IOException("pcap: libpcap is not installed (Debian: apt-get install -y libpcap0.8): " + e.getMessage(), e);
        }
        try {
            handle.setDirection(PcapHandle.PcapDirection.IN);
            handle.setFilter(bpf, BpfProgram.BpfCompileMode.OPTIMIZE);
        } catch (PcapNativeException | NotOpenException e) {
            handle.close();
            throw new IOException("pcap: cannot set up '" + interfaceName + "' (direction in, filter \"" + bpf + "\"): " + e.getMessage(), e);
        }
        return new PcapTransport(device, etherType, handle, bpf);
    }

    @Override public MacAddress address() { return device.mac(); }

    @Override public int mtu() { return device.mtu(); }

    @Override public String name() { return "pcap:" + device.name(); }

    public NetDevice device() { return device; }

    public int etherType() { return etherType; }

    /** The BPF filter expression given to libpcap. */
    public String filterExpression() { return bpf; }

    public TransportCounters counters() {
        return new TransportCounters(framesSent, 0, framesReceived, filtered, truncated);
    }

    @Override public void send(ByteBuffer frame) throws IOException {
        int length = frame.remaining();
        if (length < FrameFilter.ETH_HEADER)
            throw new IllegalArgumentException("an Ethernet frame has at least " + FrameFilter.ETH_HEADER + " bytes, got " + length);
        if (length > txFrame.length) throw new IOException("frame of " + length + " bytes is larger than any Ethernet frame");
        if (closed) throw new ClosedChannelException();
        frame.get(frame.position(), txFrame, 0, length);
        try {
            handle.sendPacket(txFrame, length);
            framesSent++;
        } catch (NotOpenException e) {
            throw new ClosedChannelException();
        } catch (PcapNativeException e) {
            throw new IOException("pcap_sendpacket on '" + device.name() + "' (" + length + " bytes): " + e.getMessage(), e);
        }
    }

    @Override public int receive(ByteBuffer dst, long timeoutNanos) throws IOException {
        if (closed) throw new ClosedChannelException();
        long deadline = timeoutNanos == Long.MAX_VALUE ? NO_ALARM : System.nanoTime() + Math.max(0, timeoutNanos);
        setNonBlocking(timeoutNanos <= 0);
        receiving = true;
        try {
            while (true) {
                if (wakeupPending && timeoutNanos > 0) {
                    // Sticky: a wakeup that came while no receive was blocked ends the next blocking one.
                    wakeupPending = false;
                    return 0;
                }
                if (timeoutNanos > 0 && deadline != NO_ALARM) {
                    if (System.nanoTime() - deadline >= 0) return 0;
                    alarm.set(deadline);
                }
                byte[] frame;
                try {
                    if (nonBlocking) {
                        // pcap_next: null when nothing is waiting, without pcap4j's exception per empty poll.
                        frame = handle.getNextRawPacket();
                        if (frame == null) return 0;
                    } else {
                        frame = handle.getNextRawPacketEx();
                    }
                } catch (TimeoutException e) {
                    continue; // libpcap's own timeout (not on Linux, where it keeps polling): check ours
                } catch (EOFException e) {
                    // pcap_breakloop: wakeup(), close(), the alarm, or a late alarm from an earlier call.
                    if (closed) throw new ClosedChannelException();
                    continue;
                } catch (NotOpenException e) {
                    throw new ClosedChannelException();
                } catch (PcapNativeException e) {
                    throw new IOException("pcap_next_ex on '" + device.name() + "': " + e.getMessage(), e);
                }
                if (!filter.accepts(ByteBuffer.wrap(frame), 0, frame.length)) {
                    filtered++;
                    continue;
                }
                int copied = Math.min(frame.length, dst.capacity());
                if (copied < frame.length) truncated++;
                dst.put(0, frame, 0, copied);
                framesReceived++;
                return copied;
            }
        } finally {
            receiving = false;
            alarm.clear();
        }
    }

    private void setNonBlocking(boolean on) throws IOException {
        if (on == nonBlocking) return;
        try {
            handle.setBlockingMode(on ? PcapHandle.BlockingMode.NONBLOCKING : PcapHandle.BlockingMode.BLOCKING);
            nonBlocking = on;
        } catch (NotOpenException e) {
            throw new ClosedChannelException();
        } catch (PcapNativeException e) {
            throw new IOException("pcap_setnonblock on '" + device.name() + "': " + e.getMessage(), e);
        }
    }

    @Override public void wakeup() {
        wakeupPending = true;
        if (receiving) breakLoop();
    }

    private void breakLoop() {
        try {
            handle.breakLoop();
        } catch (NotOpenException e) {
            // Already closed: nothing is waiting.
        }
    }

    /** Closes the handle; waits for a receive in another thread to notice (it is interrupted at once). */
    @Override public void close() {
        if (closed) return;
        closed = true;
        alarm.close();
        breakLoop();
        handle.close();
    }

    @Override public String toString() { return name(); }
}
