package dev.vpcie.protocol.transport;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;

/**
 * sendmmsg(2) and recvmmsg(2): many datagrams or frames per system call on a connected or bound
 * socket (no per-message address). A batch is a fixed array of {@code capacity} slots of
 * {@code slotBytes} each in native memory, set up once: sending copies each message into the
 * next slot ({@link #add}) and {@link #send} hands every slot to the kernel at once; receiving
 * fills the slots in one call ({@link #receive}) and the caller copies each out. Each slot may
 * start with {@code prefix} zero bytes that go out before the message (an AF_PACKET socket's
 * {@code virtio_net_hdr}). A receiving batch may also give each message room for the sender's
 * address ({@code msg_name}) and for control messages ({@code msg_control}, such as
 * {@code PACKET_AUXDATA}), read with {@link #nameOffset} and {@link #controlOffset}.
 *
 * <p>One thread uses a batch; a socket that sends and receives in batches has one of each.
 * Calls return {@code -errno} instead of throwing, so the socket class that owns the descriptor
 * decides which errors lose a message and which fail, and names its own call in the exception.
 */
public final class MessageBatch {
    /** struct mmsghdr on x86-64 / aarch64: struct msghdr (56 bytes), msg_len u32, padding. */
    private static final int MMSG_SIZE = 64, MSG_NAME = 0, MSG_NAMELEN = 8, MSG_IOV = 16, MSG_IOVLEN = 24, MSG_CONTROL = 32,
            MSG_CONTROLLEN = 40, MSG_FLAGS = 48, MMSG_LEN = 56;
    private static final int IOV_SIZE = 16;
    private static final int MSG_DONTWAIT = 0x40, MSG_TRUNC = 0x20, MSG_WAITFORONE = 0x10000;

    private static final MethodHandle SENDMMSG = Errno.downcall("sendmmsg",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle RECVMMSG = Errno.downcall("recvmmsg",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));

    // Freed by the garbage collector with the batch: no close to race with a call in progress.
    private final Arena arena = Arena.ofAuto();
    private final int capacity, slotBytes, prefix, nameBytes, controlBytes;
    private final MemorySegment messages, iovs, slots, names, controls, capture;
    private final ByteBuffer slotsView;
    private int size;
    /**
     * Leading messages whose lengths, flags, name and control lengths may differ from what a
     * receive needs (the kernel writes back those it filled, {@link #add} sets lengths); those
     * after them are still as a receive left them ready. A receive resets only these: a poll of an
     * empty socket, which changes nothing, then costs no resetting at all.
     */
    private int touched;

    /**
     * A batch of {@code capacity} messages of up to {@code slotBytes - prefix} bytes each, every
     * one sent after {@code prefix} zero bytes.
     */
    public MessageBatch(int capacity, int slotBytes, int prefix) { this(capacity, slotBytes, prefix, 0, 0); }

    /**
     * A batch as {@link #MessageBatch(int, int, int)} whose messages also receive up to
     * {@code nameBytes} of the sender's address and {@code controlBytes} of control messages each
     * (0: none).
     */
    public MessageBatch(int capacity, int slotBytes, int prefix, int nameBytes, int controlBytes) {
        if (capacity < 1 || capacity > 1024) throw new IllegalArgumentException("batch capacity must be 1..1024: " + capacity);
        if (prefix < 0 || slotBytes <= prefix) throw new IllegalArgumentException("slot of " + slotBytes + " bytes with a prefix of " + prefix);
        if (nameBytes < 0 || controlBytes < 0) throw new IllegalArgumentException("name and control room must be >= 0");
        this.capacity = capacity;
        this.slotBytes = slotBytes;
        this.prefix = prefix;
        this.nameBytes = align8(nameBytes);
        this.controlBytes = align8(controlBytes);
        this.messages = arena.allocate((long) MMSG_SIZE * capacity, 8);
        this.iovs = arena.allocate((long) IOV_SIZE * capacity, 8);
        this.slots = arena.allocate((long) slotBytes * capacity, 64);
        this.names = arena.allocate(Math.max(8, (long) this.nameBytes * capacity), 8);
        this.controls = arena.allocate(Math.max(8, (long) this.controlBytes * capacity), 8);
        this.slotsView = slots.asByteBuffer();
        this.capture = Errno.captureSegment(arena);
        for (int i = 0; i < capacity; i++) {
            iovs.set(ADDRESS, iov(i), slots.asSlice((long) slotBytes * i, slotBytes));
            iovs.set(JAVA_LONG, iov(i) + 8, slotBytes);
            messages.set(ADDRESS, message(i) + MSG_IOV, iovs.asSlice(iov(i), IOV_SIZE));
            messages.set(JAVA_LONG, message(i) + MSG_IOVLEN, 1);
            if (this.nameBytes > 0) messages.set(ADDRESS, message(i) + MSG_NAME, names.asSlice(nameOffset(i), this.nameBytes));
            if (this.controlBytes > 0) messages.set(ADDRESS, message(i) + MSG_CONTROL, controls.asSlice(controlOffset(i), this.controlBytes));
        }
        touched = capacity; // name and control lengths are not set yet
    }

    private static int align8(int n) { return (n + 7) & ~7; }

    public int capacity() { return capacity; }

    /** Largest message a slot holds (after its prefix). */
    public int maxMessage() { return slotBytes - prefix; }

    /** Messages added and not yet sent. */
    public int size() { return size; }

    public boolean isFull() { return size == capacity; }

    /**
     * Copies {@code src}'s bytes from position to limit into the next slot (position unchanged).
     * The caller checks {@link #isFull()} and {@link #maxMessage()} first.
     */
    public void add(ByteBuffer src) {
        int length = src.remaining();
        if (size == capacity) throw new IllegalStateException("batch full (" + capacity + " messages)");
        if (length > maxMessage()) throw new IllegalArgumentException("message of " + length + " bytes, a slot holds " + maxMessage());
        int at = slotBytes * size + prefix;
        slotsView.put(at, src, src.position(), length);
        iovs.set(JAVA_LONG, iov(size) + 8, prefix + length);
        size++;
        touched = Math.max(touched, size);
    }

    /**
     * Sends the added messages from index {@code from} with one {@code sendmmsg}. Returns how many
     * the kernel took (counting from {@code from}), or {@code -errno} when it took none: then the
     * message at {@code from} is the one that failed. Messages after a partial send are still
     * added; the caller calls again from the first not taken, or {@link #clear}s.
     */
    public int send(int fd, int from) {
        if (from < 0 || from >= size) throw new IllegalArgumentException("no message " + from + " of " + size);
        int rc;
        try {
            MemorySegment first = from == 0 ? messages : messages.asSlice(message(from));
            rc = (int) SENDMMSG.invokeExact(capture, fd, first, size - from, 0);
        } catch (Throwable t) {
            throw new AssertionError("sendmmsg downcall", t);
        }
        return rc >= 0 ? rc : -Errno.of(capture);
    }

    /** Length of added message {@code i} (without the prefix). */
    public int addedLength(int i) { return (int) iovs.get(JAVA_LONG, iov(i) + 8) - prefix; }

    /** Forgets every added message (after they were sent or dropped). */
    public void clear() { size = 0; }

    /**
     * Receives up to {@code max} messages (at most {@link #capacity()}) without waiting
     * ({@code recvmmsg} with {@code MSG_DONTWAIT}); returns how many, 0 when none is queued
     * (EAGAIN), or {@code -errno}. Message {@code i}'s bytes are then read with {@link #copy},
     * its length from {@link #length}.
     */
    public int receive(int fd, int max) { return receive(fd, max, MSG_DONTWAIT); }

    /**
     * As {@link #receive(int, int)}, but on a blocking socket it waits (up to the socket's receive
     * timeout) for the first message, then takes the ones queued behind it without waiting
     * ({@code MSG_WAITFORONE}); 0 when the time ran out.
     */
    public int receiveWaiting(int fd, int max) { return receive(fd, max, MSG_WAITFORONE); }

    private int receive(int fd, int max, int flags) {
        int n = Math.min(max, capacity);
        if (n < 1) throw new IllegalArgumentException("receive at least one message: " + max);
        for (int i = 0; i < touched; i++) {
            iovs.set(JAVA_LONG, iov(i) + 8, slotBytes);
            messages.set(JAVA_INT, message(i) + MSG_FLAGS, 0);
            messages.set(JAVA_INT, message(i) + MSG_NAMELEN, nameBytes);
            messages.set(JAVA_LONG, message(i) + MSG_CONTROLLEN, controlBytes);
        }
        int rc;
        try {
            rc = (int) RECVMMSG.invokeExact(capture, fd, messages, n, flags, MemorySegment.NULL);
        } catch (Throwable t) {
            throw new AssertionError("recvmmsg downcall", t);
        }
        touched = Math.min(capacity, Math.max(rc, 0) + 1); // the filled ones, and the one it stopped at
        if (rc >= 0) return rc;
        int errno = Errno.of(capture);
        return errno == Errno.EAGAIN ? 0 : -errno;
    }

    /** Length of received message {@code i} as the kernel had it (more than the slot when it was truncated). */
    public int length(int i) { return messages.get(JAVA_INT, message(i) + MMSG_LEN); }

    /** Whether received message {@code i} was longer than its slot. */
    public boolean truncated(int i) { return (messages.get(JAVA_INT, message(i) + MSG_FLAGS) & MSG_TRUNC) != 0; }

    /**
     * Received message {@code i} in place: its bytes are {@link #view()} from this offset, as many
     * as {@link #length} says (at most a slot), until the next receive.
     */
    public int offset(int i) { return slotBytes * i; }

    /** Every slot's bytes, for reading received messages in place ({@link #offset}). */
    public ByteBuffer view() { return slotsView; }

    /** Copies the bytes of received message {@code i} (at most {@code dst.length}) to {@code dst}; returns how many. */
    public int copy(int i, byte[] dst) {
        int n = Math.min(Math.min(length(i), slotBytes), dst.length);
        slotsView.get(slotBytes * i, dst, 0, n);
        return n;
    }

    /** Every slot's native memory (host byte order for native fields such as a {@code virtio_net_hdr}). */
    public MemorySegment memory() { return slots; }

    /** Every message's room for the sender's address: received message {@code i}'s is at {@link #nameOffset}. */
    public MemorySegment names() { return names; }

    /** Where message {@code i}'s address is in {@link #names()}. */
    public long nameOffset(int i) { return (long) nameBytes * i; }

    /** Bytes of address the kernel stored for received message {@code i} (0 without room for one). */
    public int nameLength(int i) { return nameBytes == 0 ? 0 : messages.get(JAVA_INT, message(i) + MSG_NAMELEN); }

    /** Every message's room for control messages: received message {@code i}'s are at {@link #controlOffset}. */
    public MemorySegment controls() { return controls; }

    /** Where message {@code i}'s control messages are in {@link #controls()}. */
    public long controlOffset(int i) { return (long) controlBytes * i; }

    /** Bytes of control messages the kernel stored for received message {@code i} (0 without room for them). */
    public long controlLength(int i) { return controlBytes == 0 ? 0 : messages.get(JAVA_LONG, message(i) + MSG_CONTROLLEN); }

    /** Offsets of struct mmsghdr {@code i} and struct iovec {@code i} in their arrays. */
    private static long message(int i) { return (long) MMSG_SIZE * i; }

    private static long iov(int i) { return (long) IOV_SIZE * i; }
}
