package dev.vpcie.devices.spi;

import java.nio.ByteBuffer;

/**
 * Bus-master access to host memory, in the issue/complete shape of SimBricks' nicbm
 * ({@code IssueDma} → {@code DmaComplete}): a read is issued and its handler is called later, a
 * write is posted. The host turns each call into Memory Read/Write requests with the function's
 * requester ID, split by Max Read Request Size, Max Payload Size and 4 KiB boundaries; the model
 * sees only whole calls.
 *
 * <ul>
 *   <li><b>Reads</b> never block and never call their handler from inside {@link #read}: the
 *       handler runs later on the function's thread, once every byte is in {@code dst} or the read
 *       failed (UR, CA, completion timeout, Bus Master Enable clear, link down). A failed read never
 *       yields zeros; on failure the destination's contents are unspecified. Until its handler runs
 *       the model must not touch {@code dst}'s range.</li>
 *   <li><b>Many reads in flight.</b> A function may issue any number of reads; the host keeps as
 *       many on the link as its tags and the link's window allow and queues the rest, in order.</li>
 *   <li><b>Streams.</b> Every read belongs to a stream, a small number from 0 to
 *       {@link #STREAMS}{@code - 1} that the model picks for each of its independent consumers of
 *       reads (a transmit ring, a receive descriptor cache, a DMA engine). Ordering and failure are
 *       per stream: streams never wait for nor fail each other.</li>
 *   <li><b>Handlers in issue order per stream.</b> The handlers of one stream are called in the
 *       order their reads were issued, even when completions arrive out of order; so a model that
 *       issues the reads of a batch and then the next fetch on one stream hears of the batch first.
 *       Handlers of different streams run in whatever order their reads end.</li>
 *   <li><b>A failure ends the batch, in its stream.</b> When a read fails, its handler gets the
 *       failure and every read issued after it on the same stream that is still in flight fails
 *       too (its handler gets a failure): nothing issued after a failure is delivered as data on
 *       that stream. Reads of other streams are not touched, so a transmit descriptor fetch that
 *       times out does not drop a receive descriptor refill.</li>
 *   <li><b>Reset drops handlers.</b> A hot reset, a Function Level Reset or the end of the session
 *       drops the reads in flight without calling their handlers: the model's reset forgets the
 *       state they would have continued.</li>
 *   <li><b>Writes</b> are posted, as on PCIe: they return once the requests are queued for the link,
 *       in order behind everything the function sent before. A host that refuses a posted write
 *       tells nobody (that is PCIe); only failures known locally — Bus Master Enable clear, link
 *       down — throw.</li>
 *   <li><b>Ordering.</b> Requests leave in call order and a read does not pass an earlier write,
 *       so a read after a write sees the written data, and an interrupt raised after a write
 *       arrives after the data (producer/consumer ordering).</li>
 * </ul>
 * Called only from the function's thread.
 */
public interface DmaPort {

    /** How many streams a function may use: stream numbers are 0 to {@code STREAMS - 1}. */
    int STREAMS = 64;

    /** Called on the function's thread when a read is over. */
    @FunctionalInterface
    interface ReadHandler {
        /** @param failure why the read failed, or null when every byte has arrived */
        void readDone(DmaException failure);
    }

    /**
     * Issues a read of {@code len} bytes at host address {@code address} into
     * {@code dst[off..off+len)} on {@code stream}; {@code handler} is called later (see the class
     * comment).
     *
     * @throws IndexOutOfBoundsException when {@code stream} is not in {@code [0, STREAMS)} (a model's bug)
     */
    void read(int stream, long address, byte[] dst, int off, int len, ReadHandler handler);

    /** Writes {@code src[off..off+len)} to host address {@code address} (posted). */
    void write(long address, byte[] src, int off, int len) throws DmaException;

    /** Writes {@code src.remaining()} bytes from {@code src}, advancing its position. */
    default void write(long address, ByteBuffer src) throws DmaException {
        int len = src.remaining();
        if (src.hasArray()) {
            write(address, src.array(), src.arrayOffset() + src.position(), len);
        } else {
            byte[] tmp = new byte[len];
            src.get(src.position(), tmp);
            write(address, tmp, 0, len);
        }
        src.position(src.position() + len);
    }

    /** Writes a little-endian 32-bit value (a descriptor status write-back). */
    default void writeInt(long address, int value) throws DmaException {
        write(address, new byte[] {(byte) value, (byte) (value >>> 8), (byte) (value >>> 16), (byte) (value >>> 24)}, 0, 4);
    }

    /** Writes a little-endian 64-bit value. */
    default void writeLong(long address, long value) throws DmaException {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) b[i] = (byte) (value >>> (8 * i));
        write(address, b, 0, 8);
    }

    /** Little-endian 32-bit value at {@code at} of {@code b} (for what a read brought in). */
    static int le32(byte[] b, int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF) << 16 | (b[at + 3] & 0xFF) << 24;
    }

    /** Little-endian 64-bit value at {@code at} of {@code b}. */
    static long le64(byte[] b, int at) {
        return (le32(b, at) & 0xFFFF_FFFFL) | (long) le32(b, at + 4) << 32;
    }
}
