package dev.vpcie.protocol.transport;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A Linux AF_PACKET raw socket (packet(7)) through the FFM API: socket, options, socket filter,
 * bind, recvmsg with {@code PACKET_AUXDATA}, and send. All native memory it needs is allocated
 * once; receive and send allocate nothing. Waiting is {@link Poller}'s job.
 *
 * <p>The receive side (receive and its accessors) belongs to one thread, the send side to one
 * thread. Closing while a call is in progress is the owner's business (see
 * {@link AfPacketTransport}).
 */
final class PacketSocket implements AutoCloseable {
    static final int PACKET_HOST = 0, PACKET_BROADCAST = 1, PACKET_MULTICAST = 2, PACKET_OTHERHOST = 3, PACKET_OUTGOING = 4;
    /** Room left in front of a received frame so a stripped 4-byte VLAN tag can be put back without a copy. */
    static final int RX_HEADROOM = 4;
    static final int RX_CAPACITY = 65536;
    static final int TX_CAPACITY = 65536;

    private static final int AF_PACKET = 17, SOCK_RAW = 3, SOCK_CLOEXEC = 0x80000;
    private static final short ETH_P_ALL = 0x0003;
    static final int SOL_SOCKET = 1, SO_RCVBUF = 8, SO_SNDBUF = 7, SO_RCVBUFFORCE = 33, SO_SNDBUFFORCE = 32,
            SO_ATTACH_FILTER = 26, SO_BUSY_POLL = 46;
    static final int SOL_PACKET = 263, PACKET_AUXDATA = 8, PACKET_QDISC_BYPASS = 20, PACKET_IGNORE_OUTGOING = 23;
    private static final int MSG_DONTWAIT = 0x40, MSG_TRUNC = 0x20;
    private static final int TP_STATUS_VLAN_VALID = 1 << 4, TP_STATUS_VLAN_TPID_VALID = 1 << 6;

    /** struct sockaddr_ll: family u16, protocol be16, ifindex i32, hatype u16, pkttype u8, halen u8, addr[8]. */
    private static final int SLL_SIZE = 20, SLL_PROTOCOL = 2, SLL_IFINDEX = 4, SLL_PKTTYPE = 10;
    /** struct msghdr on x86-64 / aarch64. */
    private static final int MSG_SIZE = 56, MSG_NAME = 0, MSG_NAMELEN = 8, MSG_IOV = 16, MSG_IOVLEN = 24,
            MSG_CONTROL = 32, MSG_CONTROLLEN = 40;
    /** struct cmsghdr: len size_t, level i32, type i32, then data; struct tpacket_auxdata inside it. */
    private static final int CMSG_LEVEL = 8, CMSG_TYPE = 12, CMSG_DATA = 16, CONTROL_SIZE = 64,
            AUX_STATUS = 0, AUX_VLAN_TCI = 16, AUX_VLAN_TPID = 18;

    private static final MethodHandle SOCKET = Errno.downcall("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle SETSOCKOPT = Errno.downcall("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle BIND = Errno.downcall("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle RECVMSG = Errno.downcall("recvmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SEND = Errno.downcall("send", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle CLOSE = Errno.downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment setupErrno = Errno.captureSegment(arena);

    private final MemorySegment rxBuffer = arena.allocate(RX_HEADROOM + RX_CAPACITY, 64);
    private final ByteBuffer rxView = rxBuffer.asByteBuffer().order(ByteOrder.BIG_ENDIAN);
    private final MemorySegment rxMsg = arena.allocate(MSG_SIZE, 8);
    private final MemorySegment rxIov = arena.allocate(16, 8);
    private final MemorySegment rxName = arena.allocate(SLL_SIZE, 8);
    private final MemorySegment rxControl = arena.allocate(CONTROL_SIZE, 8);
    private final MemorySegment rxErrno = Errno.captureSegment(arena);

    private final MemorySegment txBuffer = arena.allocate(TX_CAPACITY, 64);
    private final ByteBuffer txView = txBuffer.asByteBuffer();
    private final MemorySegment txErrno = Errno.captureSegment(arena);

    private int rxPacketType;
    private int rxVlanTci;
    private int rxVlanTpid;

    private PacketSocket(int fd) {
        this.fd = fd;
        rxIov.set(ADDRESS, 0, rxBuffer.asSlice(RX_HEADROOM));
        rxIov.set(JAVA_LONG, 8, RX_CAPACITY);
        rxMsg.set(ADDRESS, MSG_NAME, rxName);
        rxMsg.set(ADDRESS, MSG_IOV, rxIov);
        rxMsg.set(JAVA_LONG, MSG_IOVLEN, 1);
        rxMsg.set(ADDRESS, MSG_CONTROL, rxControl);
    }

    /**
     * Opens a raw packet socket that receives nothing until {@link #bind}: protocol 0 at creation,
     * so no frame can slip in before the socket filter is attached.
     */
    static PacketSocket open() throws IOException {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment capture = Errno.captureSegment(scratch);
            int fd = (int) SOCKET.invokeExact(capture, AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
            if (fd < 0) {
                int errno = Errno.of(capture);
                String hint = errno == Errno.EPERM || errno == Errno.EACCES ? "AF_PACKET socket needs root (CAP_NET_RAW)" : null;
                throw new ErrnoException(hint, "socket(AF_PACKET, SOCK_RAW)", errno);
            }
            return new PacketSocket(fd);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("socket downcall", t);
        }
    }

    void setOption(int level, int option, int value, String name) throws IOException {
        MemorySegment v = arena.allocate(JAVA_INT);
        v.set(JAVA_INT, 0, value);
        setOption(level, option, v, name);
    }

    /** Sets an option; returns false instead of throwing when the kernel does not know it (ENOPROTOOPT). */
    boolean trySetOption(int level, int option, int value, String name) throws IOException {
        try {
            setOption(level, option, value, name);
            return true;
        } catch (ErrnoException e) {
            if (e.errno() == 92 /* ENOPROTOOPT */ || e.errno() == Errno.EINVAL || e.errno() == Errno.EPERM) return false;
            throw e;
        }
    }

    void attachFilter(long[] program) throws IOException {
        MemorySegment insns = arena.allocate(8L * program.length, 8);
        for (int i = 0; i < program.length; i++) insns.set(JAVA_LONG, 8L * i, program[i]);
        MemorySegment fprog = arena.allocate(16, 8); // struct sock_fprog { u16 len; pad; struct sock_filter *filter; }
        fprog.set(JAVA_SHORT, 0, (short) program.length);
        fprog.set(ADDRESS, 8, insns);
        setOption(SOL_SOCKET, SO_ATTACH_FILTER, fprog, "SO_ATTACH_FILTER");
    }

    private void setOption(int level, int option, MemorySegment value, String name) throws IOException {
        try {
            int rc = (int) SETSOCKOPT.invokeExact(setupErrno, fd, level, option, value, (int) value.byteSize());
            if (rc < 0) throw new ErrnoException("setsockopt(" + name + ")", Errno.of(setupErrno));
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("setsockopt downcall", t);
        }
    }

    /** Binds to one interface for all protocols ({@code ETH_P_ALL}): the kernel starts queueing frames now. */
    void bind(NetDevice device) throws IOException {
        MemorySegment sll = arena.allocate(SLL_SIZE, 8);
        sll.set(JAVA_SHORT, 0, (short) AF_PACKET);
        sll.set(JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN), SLL_PROTOCOL, ETH_P_ALL);
        sll.set(JAVA_INT, SLL_IFINDEX, device.index());
        try {
            int rc = (int) BIND.invokeExact(setupErrno, fd, sll, SLL_SIZE);
            if (rc < 0) throw new ErrnoException("bind(AF_PACKET, '" + device.name() + "')", Errno.of(setupErrno));
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("bind downcall", t);
        }
    }

    /**
     * Takes one queued frame without waiting. Returns its length on the wire as the kernel
     * delivered it (possibly more than {@link #RX_CAPACITY}, then truncated), or -1 when none is
     * queued. The frame starts at {@link #RX_HEADROOM} in {@link #rxView()}.
     */
    int receive() throws IOException {
        rxMsg.set(JAVA_INT, MSG_NAMELEN, SLL_SIZE);
        rxMsg.set(JAVA_LONG, MSG_CONTROLLEN, CONTROL_SIZE);
        long n;
        try {
            n = (long) RECVMSG.invokeExact(rxErrno, fd, rxMsg, MSG_DONTWAIT | MSG_TRUNC);
        } catch (Throwable t) {
            throw new AssertionError("recvmsg downcall", t);
        }
        if (n < 0) {
            int errno = Errno.of(rxErrno);
            // ENETDOWN is reported once when the interface goes down; the socket works again when it comes up.
            if (errno == Errno.EAGAIN || errno == Errno.EINTR || errno == Errno.ENETDOWN) return -1;
            throw new ErrnoException("recvmsg(AF_PACKET)", errno);
        }
        rxPacketType = rxName.get(JAVA_BYTE, SLL_PKTTYPE) & 0xFF;
        rxVlanTci = -1;
        long controlLength = rxMsg.get(JAVA_LONG, MSG_CONTROLLEN);
        if (controlLength >= CMSG_DATA + 20 && rxControl.get(JAVA_INT, CMSG_LEVEL) == SOL_PACKET
                && rxControl.get(JAVA_INT, CMSG_TYPE) == PACKET_AUXDATA) {
            int status = rxControl.get(JAVA_INT, CMSG_DATA + AUX_STATUS);
            if ((status & TP_STATUS_VLAN_VALID) != 0) {
                rxVlanTci = rxControl.get(JAVA_SHORT, CMSG_DATA + AUX_VLAN_TCI) & 0xFFFF;
                rxVlanTpid = (status & TP_STATUS_VLAN_TPID_VALID) != 0
                        ? rxControl.get(JAVA_SHORT, CMSG_DATA + AUX_VLAN_TPID) & 0xFFFF : SocketFilter.ETHERTYPE_8021Q;
            }
        }
        return (int) Math.min(n, Integer.MAX_VALUE);
    }

    int fd() { return fd; }

    /** sll_pkttype of the last received frame ({@link #PACKET_HOST} ...). */
    int packetType() { return rxPacketType; }

    /** The 802.1Q TCI the kernel stripped from the last received frame, or -1 when it carried none. */
    int vlanTci() { return rxVlanTci; }

    /** The TPID of that tag (0x8100 unless the kernel reports another). */
    int vlanTpid() { return rxVlanTpid; }

    /** The receive buffer, big-endian; a received frame starts at {@link #RX_HEADROOM}. */
    ByteBuffer rxView() { return rxView; }

    /**
     * Sends {@code frame}'s bytes from position to limit (position unchanged). Returns false when
     * the kernel had no buffer for it (ENOBUFS, EAGAIN) or the interface is down (ENETDOWN): the
     * frame is lost, as on a congested or unplugged wire.
     */
    boolean send(ByteBuffer frame, String deviceName) throws IOException {
        int length = frame.remaining();
        if (length > TX_CAPACITY) throw new IOException("frame of " + length + " bytes is larger than any Ethernet frame");
        txView.put(0, frame, frame.position(), length);
        long n;
        try {
            n = (long) SEND.invokeExact(txErrno, fd, txBuffer, (long) length, 0);
        } catch (Throwable t) {
            throw new AssertionError("send downcall", t);
        }
        if (n >= 0) return true;
        int errno = Errno.of(txErrno);
        return switch (errno) {
            // No buffer, or the interface is down (a pulled cable): the frame is lost, the link above copes.
            case Errno.ENOBUFS, Errno.EAGAIN, Errno.EINTR, Errno.ENETDOWN -> false;
            case Errno.EMSGSIZE -> throw new ErrnoException("frame of " + length + " bytes does not fit the MTU of '" + deviceName + "'",
                    "send(AF_PACKET)", errno);
            case Errno.ENXIO, Errno.ENODEV -> throw new ErrnoException("interface '" + deviceName + "' is gone", "send(AF_PACKET)", errno);
            default -> throw new ErrnoException("send(AF_PACKET, '" + deviceName + "')", errno);
        };
    }

    /** Closes the socket and frees its memory; no other call may be in progress. */
    @Override public void close() {
        try {
            int ignored = (int) CLOSE.invokeExact(setupErrno, fd);
        } catch (Throwable t) {
            throw new AssertionError("close downcall", t);
        }
        arena.close();
    }
}
