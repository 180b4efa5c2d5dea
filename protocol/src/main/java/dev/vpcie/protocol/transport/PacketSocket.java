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
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A Linux AF_PACKET raw socket (packet(7)) through the FFM API: socket, options, socket filter,
 * bind, receive and send. Frames are received either from a memory-mapped {@code TPACKET_V2}
 * ring shared with the kernel ({@link #useRxRing}: no system call per frame) or with
 * {@code recvmsg} and {@code PACKET_AUXDATA}. All native memory is set up once; receive and send
 * allocate nothing. Waiting is {@link Poller}'s job.
 *
 * <p>With {@link #enableVnetHeader} (recvmsg only) every frame read or written comes with a
 * {@code struct virtio_net_hdr}: on receive it says whether the kernel left the frame's transport
 * checksum to be completed (the local stack's checksum offload) or handed over a GSO/GRO
 * super-frame ({@link #offload()}); on send this class writes an empty one.
 *
 * <p>The receive side (receive and its accessors) belongs to one thread, the send side to one
 * thread. Closing while a call is in progress is the owner's business (see
 * {@link AfPacketTransport}).
 */
final class PacketSocket implements AutoCloseable {
    static final int PACKET_HOST = 0, PACKET_BROADCAST = 1, PACKET_MULTICAST = 2, PACKET_OTHERHOST = 3, PACKET_OUTGOING = 4;
    static final int RX_CAPACITY = 65536;
    /** {@link #select} of a message too short to be a frame behind its {@code virtio_net_hdr}. */
    static final int MALFORMED = -2;
    private static final int MAC_ADDRESSES = 12, VLAN_TAG = 4;
    static final int TX_CAPACITY = 65536;

    private static final int AF_PACKET = 17, SOCK_RAW = 3, SOCK_CLOEXEC = 0x80000;
    private static final short ETH_P_ALL = 0x0003;
    static final int SOL_SOCKET = 1, SO_RCVBUF = 8, SO_SNDBUF = 7, SO_RCVBUFFORCE = 33, SO_SNDBUFFORCE = 32,
            SO_ATTACH_FILTER = 26, SO_ERROR = 4;
    static final int SOL_PACKET = 263, PACKET_ADD_MEMBERSHIP = 1, PACKET_RX_RING = 5, PACKET_AUXDATA = 8, PACKET_VERSION = 10,
            PACKET_VNET_HDR = 15, PACKET_QDISC_BYPASS = 20, PACKET_IGNORE_OUTGOING = 23;
    /** struct packet_mreq: ifindex i32, type u16, alen u16, address[8]; PACKET_MR_PROMISC as its type. */
    private static final int MREQ_SIZE = 16, MREQ_TYPE = 4, PACKET_MR_PROMISC = 1;
    /** struct virtio_net_hdr (without num_buffers), host byte order. */
    static final int VNET_HEADER = 10;
    private static final int VNET_FLAGS = 0, VNET_GSO_TYPE = 1, VNET_HDR_LEN = 2, VNET_GSO_SIZE = 4, VNET_CSUM_START = 6,
            VNET_CSUM_OFFSET = 8;
    private static final int TPACKET_V2 = 1;
    private static final int TP_STATUS_KERNEL = 0, TP_STATUS_USER = 1;
    /** struct tpacket2_hdr, then struct sockaddr_ll at TPACKET_ALIGN(32). */
    private static final int TP_STATUS = 0, TP_LEN = 4, TP_SNAPLEN = 8, TP_MAC = 12, TP_VLAN_TCI = 24, TP_VLAN_TPID = 26,
            TP_SLL = 32;
    private static final int PROT_READ = 1, PROT_WRITE = 2, MAP_SHARED = 1;
    private static final VarHandle RING_INT = JAVA_INT.varHandle();
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
    private static final MethodHandle GETSOCKOPT = Errno.downcall("getsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle BIND = Errno.downcall("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle RECVMSG = Errno.downcall("recvmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SEND = Errno.downcall("send", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle CLOSE = Errno.downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle MMAP = Errno.downcall("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = Errno.downcall("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));

    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment setupErrno = Errno.captureSegment(arena);

    private final MemorySegment rxBuffer = arena.allocate(RX_CAPACITY, 64);
    private final ByteBuffer rxBufferView = rxBuffer.asByteBuffer().order(ByteOrder.BIG_ENDIAN);
    private final MemorySegment rxMsg = arena.allocate(MSG_SIZE, 8);
    private final MemorySegment rxIov = arena.allocate(32, 8); // room for two: the virtio_net_hdr, then the frame
    private final MemorySegment rxVnetHeader = arena.allocate(VNET_HEADER, 8);
    private final MemorySegment rxName = arena.allocate(SLL_SIZE, 8);
    private final MemorySegment rxControl = arena.allocate(CONTROL_SIZE, 8);
    private final MemorySegment rxErrno = Errno.captureSegment(arena);
    private final MemorySegment errorValue = arena.allocate(JAVA_INT);
    private final MemorySegment errorLength = arena.allocate(JAVA_INT);

    private final MemorySegment txBuffer = arena.allocate(VNET_HEADER + TX_CAPACITY, 64);
    private final ByteBuffer txView = txBuffer.asByteBuffer();
    private final MemorySegment txErrno = Errno.captureSegment(arena);
    /** Frames queued for one sendmmsg, when {@link #useTxBatch} set it up. */
    private MessageBatch txBatch;
    /** Frames taken with one recvmmsg, when {@link #useRxBatch} set it up. */
    private MessageBatch rxBatch;

    private int rxPacketType;
    private int rxVlanTci;
    private int rxVlanTpid;
    private ByteBuffer rxView = rxBufferView;
    private int rxStart;
    private int rxCaptured;
    /** Bytes of virtio_net_hdr before each frame read and written: 0, or {@link #VNET_HEADER}. */
    private int vnetLength;
    private ReceiveOffload rxOffload = ReceiveOffload.NONE;

    /** The receive ring, when {@link #useRxRing} set one up. */
    private MemorySegment ring;
    private ByteBuffer ringView;
    private int frameSize, frameCount, ringIndex;
    private boolean holdingSlot;

    private PacketSocket(int fd) {
        this.fd = fd;
        rxIov.set(ADDRESS, 0, rxBuffer);
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

    /**
     * Puts the interface into promiscuous mode for as long as this socket is open
     * ({@code PACKET_ADD_MEMBERSHIP} with {@code PACKET_MR_PROMISC}; the kernel counts such
     * memberships, so closing the socket undoes exactly this one).
     */
    void joinPromiscuous(NetDevice device) throws IOException {
        MemorySegment mreq = arena.allocate(MREQ_SIZE, 8);
        mreq.set(JAVA_INT, 0, device.index());
        mreq.set(JAVA_SHORT, MREQ_TYPE, (short) PACKET_MR_PROMISC);
        setOption(SOL_PACKET, PACKET_ADD_MEMBERSHIP, mreq, "PACKET_ADD_MEMBERSHIP(PACKET_MR_PROMISC, '" + device.name() + "')");
    }

    /**
     * Reads and writes a {@code struct virtio_net_hdr} with each frame from now on; before
     * {@link #bind}, and only with {@code recvmsg} (a ring slot could not hold the 64 KiB
     * super-frames the header is there to describe).
     */
    void enableVnetHeader() throws IOException {
        if (ring != null) throw new IllegalStateException("virtio_net_hdr is read with recvmsg, not from the receive ring");
        setOption(SOL_PACKET, PACKET_VNET_HDR, 1, "PACKET_VNET_HDR");
        vnetLength = VNET_HEADER;
        rxIov.set(ADDRESS, 0, rxVnetHeader);
        rxIov.set(JAVA_LONG, 8, VNET_HEADER);
        rxIov.set(ADDRESS, 16, rxBuffer);
        rxIov.set(JAVA_LONG, 24, RX_CAPACITY);
        rxMsg.set(JAVA_LONG, MSG_IOVLEN, 2);
        txBuffer.asSlice(0, VNET_HEADER).fill((byte) 0); // nothing asked of the kernel: the frame is final
    }

    /** The interface flags ({@code SIOCGIFFLAGS}) of {@code device}, asked through this socket, hence in its namespace. */
    int interfaceFlags(NetDevice device) throws IOException {
        return InterfaceIoctl.flags(fd, device.name());
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

    /**
     * Receives through a {@code TPACKET_V2} ring of {@code frameCount} slots of {@code frameSize}
     * bytes (a power of two, at least a page or dividing one) mapped into our memory, instead of
     * {@code recvmsg}. Call before {@link #bind}.
     */
    void useRxRing(int frameSize, int frameCount) throws IOException {
        if (Integer.bitCount(frameSize) != 1 || frameSize < 256) throw new IllegalArgumentException("ring frame size must be a power of two >= 256: " + frameSize);
        int blockSize = Math.max(frameSize, 4096);
        int framesPerBlock = blockSize / frameSize;
        int blocks = Math.max(1, frameCount / framesPerBlock);
        setOption(SOL_PACKET, PACKET_VERSION, TPACKET_V2, "PACKET_VERSION");
        MemorySegment req = arena.allocate(16, 4); // struct tpacket_req: block size, block nr, frame size, frame nr
        req.set(JAVA_INT, 0, blockSize);
        req.set(JAVA_INT, 4, blocks);
        req.set(JAVA_INT, 8, frameSize);
        req.set(JAVA_INT, 12, blocks * framesPerBlock);
        setOption(SOL_PACKET, PACKET_RX_RING, req, "PACKET_RX_RING");
        long bytes = (long) blockSize * blocks;
        MemorySegment mapped;
        try {
            mapped = (MemorySegment) MMAP.invokeExact(setupErrno, MemorySegment.NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0L);
        } catch (Throwable t) {
            throw new AssertionError("mmap downcall", t);
        }
        if (mapped.address() == -1L) throw new ErrnoException("mmap(PACKET_RX_RING, " + bytes + " bytes)", Errno.of(setupErrno));
        // Unmapped when the arena closes, so a late access fails in Java instead of touching unmapped memory.
        ring = mapped.reinterpret(bytes, arena, PacketSocket::unmap);
        ringView = ring.asByteBuffer().order(ByteOrder.BIG_ENDIAN);
        this.frameSize = frameSize;
        this.frameCount = blocks * framesPerBlock;
    }

    private static void unmap(MemorySegment ring) {
        try (Arena scratch = Arena.ofConfined()) {
            int ignored = (int) MUNMAP.invokeExact(Errno.captureSegment(scratch), ring, ring.byteSize());
        } catch (Throwable t) {
            throw new AssertionError("munmap downcall", t);
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
     * Takes one queued frame without waiting. Returns its length on the wire (after the kernel
     * took out a VLAN tag, see {@link #vlanTci()}), or -1 when none is queued. Its first
     * {@link #capturedLength()} bytes are in {@link #rxView()} from {@link #rxStart()}, until
     * {@link #release()}.
     */
    int receive() throws IOException {
        return ring != null ? receiveFromRing() : receiveWithRecvmsg();
    }

    private int receiveFromRing() {
        int slot = ringIndex * frameSize;
        if (((int) RING_INT.getAcquire(ring, (long) slot + TP_STATUS) & TP_STATUS_USER) == 0) return -1;
        int status = nativeInt(slot + TP_STATUS);
        int length = nativeInt(slot + TP_LEN), captured = nativeInt(slot + TP_SNAPLEN);
        rxPacketType = ringView.get(slot + TP_SLL + SLL_PKTTYPE) & 0xFF;
        rxVlanTci = -1;
        if ((status & TP_STATUS_VLAN_VALID) != 0) {
            rxVlanTci = nativeShort(slot + TP_VLAN_TCI);
            rxVlanTpid = (status & TP_STATUS_VLAN_TPID_VALID) != 0 ? nativeShort(slot + TP_VLAN_TPID) : SocketFilter.ETHERTYPE_8021Q;
        }
        rxView = ringView;
        rxStart = slot + nativeShort(slot + TP_MAC);
        rxCaptured = captured;
        holdingSlot = true;
        return length;
    }

    private int receiveWithRecvmsg() throws IOException {
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
        if (vnetLength > 0) {
            if (n < vnetLength) throw new IOException("recvmsg(AF_PACKET): " + n + " bytes, shorter than the virtio_net_hdr");
            rxOffload = readVnetHeader(rxVnetHeader, 0);
            n -= vnetLength;
        }
        readAuxdata(rxControl, 0, rxMsg.get(JAVA_LONG, MSG_CONTROLLEN));
        int length = (int) Math.min(n, Integer.MAX_VALUE);
        rxView = rxBufferView;
        rxStart = 0;
        rxCaptured = Math.min(length, RX_CAPACITY);
        return length;
    }

    /** The 802.1Q tag a {@code PACKET_AUXDATA} control message in {@code control[at..at+length)} reports, into rxVlanTci/Tpid. */
    private void readAuxdata(MemorySegment control, long at, long length) {
        if (length >= CMSG_DATA + 20 && control.get(JAVA_INT, at + CMSG_LEVEL) == SOL_PACKET
                && control.get(JAVA_INT, at + CMSG_TYPE) == PACKET_AUXDATA) {
            int status = control.get(JAVA_INT, at + CMSG_DATA + AUX_STATUS);
            if ((status & TP_STATUS_VLAN_VALID) != 0) {
                rxVlanTci = control.get(JAVA_SHORT, at + CMSG_DATA + AUX_VLAN_TCI) & 0xFFFF;
                rxVlanTpid = (status & TP_STATUS_VLAN_TPID_VALID) != 0
                        ? control.get(JAVA_SHORT, at + CMSG_DATA + AUX_VLAN_TPID) & 0xFFFF : SocketFilter.ETHERTYPE_8021Q;
            }
        }
    }

    /** The {@code virtio_net_hdr} at {@code h[at..]} (host byte order). */
    private static ReceiveOffload readVnetHeader(MemorySegment h, long at) {
        int flags = h.get(JAVA_BYTE, at + VNET_FLAGS) & 0xFF, gsoType = h.get(JAVA_BYTE, at + VNET_GSO_TYPE) & 0xFF;
        if (flags == 0 && gsoType == 0) return ReceiveOffload.NONE;
        return new ReceiveOffload(flags, gsoType, h.get(JAVA_SHORT, at + VNET_HDR_LEN) & 0xFFFF, h.get(JAVA_SHORT, at + VNET_GSO_SIZE) & 0xFFFF,
                h.get(JAVA_SHORT, at + VNET_CSUM_START) & 0xFFFF, h.get(JAVA_SHORT, at + VNET_CSUM_OFFSET) & 0xFFFF);
    }

    /**
     * Receives through a {@link MessageBatch} of {@code capacity} messages from now on
     * ({@link #receiveBatch}): one {@code recvmmsg} takes that many frames, each with its
     * {@code virtio_net_hdr}, address and {@code PACKET_AUXDATA}. Call after {@link #enableVnetHeader}:
     * a slot holds a super-frame of {@code frameBytes} (normally {@link #RX_CAPACITY}) behind its
     * header, and the header's room is where a stripped VLAN tag is put back in line.
     */
    void useRxBatch(int capacity, int frameBytes) {
        if (vnetLength == 0) throw new IllegalStateException("the receive batch carries a virtio_net_hdr: enable it first");
        if (rxBatch != null) throw new IllegalStateException("the receive batch is set up already");
        rxBatch = new MessageBatch(capacity, vnetLength + frameBytes, vnetLength, SLL_SIZE, CONTROL_SIZE);
    }

    /** Messages one {@link #receiveBatch} takes at most (0: no batch set up). */
    int rxBatchCapacity() { return rxBatch == null ? 0 : rxBatch.capacity(); }

    /**
     * Takes up to {@code max} queued frames with one {@code recvmmsg}, without waiting; returns
     * how many (0: none). Frame {@code i} is then looked at with {@link #select}.
     */
    int receiveBatch(int max) throws IOException {
        int n = rxBatch.receive(fd, max);
        if (n >= 0) return n;
        int errno = -n;
        // ENETDOWN is reported once when the interface goes down; the socket works again when it comes up.
        if (errno == Errno.EINTR || errno == Errno.ENETDOWN) return 0;
        throw new ErrnoException("recvmmsg(AF_PACKET)", errno);
    }

    /**
     * Makes frame {@code i} of the last {@link #receiveBatch} the current one, as {@link #receive}
     * does: returns its length on the wire, with {@link #packetType()}, {@link #vlanTci()},
     * {@link #offload()}, {@link #rxView()}, {@link #rxStart()} and {@link #capturedLength()} set
     * for it; a frame longer than its slot returns more than it captured; {@link #MALFORMED} for a
     * message shorter than its {@code virtio_net_hdr}. The frame stays in place until the next
     * {@link #receiveBatch}, and the {@code vnetLength} bytes before {@link #rxStart()} are free.
     */
    int select(int i) {
        MessageBatch b = rxBatch;
        int received = b.length(i);
        long slot = b.offset(i);
        if (received < vnetLength) return MALFORMED;
        rxPacketType = b.nameLength(i) > SLL_PKTTYPE ? b.names().get(JAVA_BYTE, b.nameOffset(i) + SLL_PKTTYPE) & 0xFF : PACKET_HOST;
        rxVlanTci = -1;
        readAuxdata(b.controls(), b.controlOffset(i), b.controlLength(i));
        rxOffload = readVnetHeader(b.memory(), slot);
        rxView = b.view();
        rxStart = (int) slot + vnetLength;
        rxCaptured = received - vnetLength;
        return b.truncated(i) ? rxCaptured + 1 : rxCaptured;
    }

    /**
     * Puts the 802.1Q tag the kernel stripped from the frame {@link #select} chose back in line,
     * where it stands: the MAC addresses move 4 bytes into the header's room and the tag follows
     * them, so the frame is whole without a copy. {@link #rxStart()} and {@link #capturedLength()}
     * then count the tag.
     */
    void restoreVlanTagInPlace() {
        MemorySegment m = rxBatch.memory();
        MemorySegment.copy(m, rxStart, m, rxStart - VLAN_TAG, MAC_ADDRESSES);
        rxStart -= VLAN_TAG;
        rxCaptured += VLAN_TAG;
        rxView.putShort(rxStart + MAC_ADDRESSES, (short) rxVlanTpid);
        rxView.putShort(rxStart + MAC_ADDRESSES + 2, (short) rxVlanTci);
    }

    /** What the virtio_net_hdr said about the last received frame ({@link ReceiveOffload#NONE} without one). */
    ReceiveOffload offload() { return rxOffload; }

    /** Hands the last received frame's ring slot back to the kernel (nothing to do without a ring). */
    void release() {
        if (!holdingSlot) return;
        holdingSlot = false;
        RING_INT.setRelease(ring, (long) ringIndex * frameSize + TP_STATUS, TP_STATUS_KERNEL);
        if (++ringIndex == frameCount) ringIndex = 0;
    }

    private int nativeInt(int at) { return ring.get(JAVA_INT, at); }

    private int nativeShort(int at) { return ring.get(JAVA_SHORT, at) & 0xFFFF; }

    /** Bytes of the last received frame available in {@link #rxView()}: less than its length when it did not fit. */
    int capturedLength() { return rxCaptured; }

    /** Where the last received frame starts in {@link #rxView()}. */
    int rxStart() { return rxStart; }

    boolean usesRing() { return ring != null; }

    int fd() { return fd; }

    /**
     * Reads and clears the socket's pending error ({@code SO_ERROR}); 0 if none. The kernel sets
     * one (ENETDOWN) when the interface goes down, and poll reports it until it is collected.
     */
    int takeError() throws IOException {
        errorLength.set(JAVA_INT, 0, 4);
        int rc;
        try {
            rc = (int) GETSOCKOPT.invokeExact(rxErrno, fd, SOL_SOCKET, SO_ERROR, errorValue, errorLength);
        } catch (Throwable t) {
            throw new AssertionError("getsockopt downcall", t);
        }
        if (rc < 0) throw new ErrnoException("getsockopt(SO_ERROR)", Errno.of(rxErrno));
        return errorValue.get(JAVA_INT, 0);
    }

    /** sll_pkttype of the last received frame ({@link #PACKET_HOST} ...). */
    int packetType() { return rxPacketType; }

    /** The 802.1Q TCI the kernel stripped from the last received frame, or -1 when it carried none. */
    int vlanTci() { return rxVlanTci; }

    /** The TPID of that tag (0x8100 unless the kernel reports another). */
    int vlanTpid() { return rxVlanTpid; }

    /** Where the last received frame is: the ring or the receive buffer (big-endian). */
    ByteBuffer rxView() { return rxView; }

    /**
     * Sends {@code frame}'s bytes from position to limit (position unchanged). Returns false when
     * the kernel had no buffer for it (ENOBUFS, EAGAIN) or the interface is down (ENETDOWN): the
     * frame is lost, as on a congested or unplugged wire.
     */
    boolean send(ByteBuffer frame, String deviceName) throws IOException {
        int length = frame.remaining();
        if (length > TX_CAPACITY) throw new IOException("frame of " + length + " bytes is larger than any Ethernet frame");
        txView.put(vnetLength, frame, frame.position(), length);
        long n;
        try {
            n = (long) SEND.invokeExact(txErrno, fd, txBuffer, (long) (vnetLength + length), 0);
        } catch (Throwable t) {
            throw new AssertionError("send downcall", t);
        }
        if (n >= 0) return true;
        return lostOrThrow(Errno.of(txErrno), "send(AF_PACKET)", length, deviceName);
    }

    /** Returns false for an errno that loses the frame (as on a congested or unplugged wire); throws for the others. */
    private static boolean lostOrThrow(int errno, String call, int length, String deviceName) throws ErrnoException {
        return switch (errno) {
            // No buffer, or the interface is down (a pulled cable): the frame is lost, the link above copes.
            case Errno.ENOBUFS, Errno.EAGAIN, Errno.EINTR, Errno.ENETDOWN -> false;
            case Errno.EMSGSIZE -> throw new ErrnoException("frame of " + length + " bytes does not fit the MTU of '" + deviceName + "'",
                    call, errno);
            case Errno.ENXIO, Errno.ENODEV -> throw new ErrnoException("interface '" + deviceName + "' is gone", call, errno);
            default -> throw new ErrnoException(call.replace(")", ", '" + deviceName + "')"), errno);
        };
    }

    /**
     * Sends through a {@link MessageBatch} from now on: {@link #queue} collects up to
     * {@code capacity} frames of up to {@code maxFrame} bytes, {@link #flush} sends them with one
     * {@code sendmmsg}. Call after {@link #enableVnetHeader} (each slot carries its empty header).
     */
    void useTxBatch(int capacity, int maxFrame) {
        if (txBatch != null) throw new IllegalStateException("the send batch is set up already");
        txBatch = new MessageBatch(capacity, vnetLength + maxFrame, vnetLength);
    }

    /** Whether {@link #queue} takes a frame of {@code length} bytes (a batch is set up, not full, and its slots fit it). */
    boolean canQueue(int length) {
        return txBatch != null && !txBatch.isFull() && length <= txBatch.maxMessage();
    }

    /** Copies {@code frame} (position to limit, position unchanged) into the send batch; check {@link #canQueue} first. */
    void queue(ByteBuffer frame) { txBatch.add(frame); }

    /** Frames queued and not yet flushed. */
    int queued() { return txBatch == null ? 0 : txBatch.size(); }

    /**
     * Sends every queued frame, in order, with as few {@code sendmmsg} calls as the kernel allows
     * (one, unless it refuses a frame). A frame refused with an errno that {@link #send} counts as a
     * loss is skipped and the rest still go; returns how many were lost. Another errno throws, and
     * the frames not sent yet are dropped with the batch.
     */
    int flush(String deviceName) throws IOException {
        if (txBatch == null || txBatch.size() == 0) return 0;
        int lost = 0;
        try {
            for (int next = 0; next < txBatch.size(); ) {
                int rc = txBatch.send(fd, next);
                if (rc > 0) {
                    next += rc;
                } else {
                    lostOrThrow(rc == 0 ? Errno.EAGAIN : -rc, "sendmmsg(AF_PACKET)", txBatch.addedLength(next), deviceName);
                    lost++;
                    next++; // lost like a frame sent alone; the rest still go
                }
            }
        } finally {
            txBatch.clear();
        }
        return lost;
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
