package dev.vpcie.devices.spi;

import java.nio.ByteBuffer;

/**
 * Blocking bus-master access to host memory. The host turns each call into Memory Read/Write
 * requests with the function's requester ID, split by Max Read Request Size, Max Payload Size and
 * 4 KiB boundaries; the model sees only whole calls.
 *
 * <ul>
 *   <li><b>Reads</b> return when every byte has arrived, or throw {@link DmaException} (UR, CA,
 *       completion timeout, Bus Master Enable clear, link down). A failed read never yields zeros.
 *       On failure the destination's contents are unspecified.</li>
 *   <li><b>Writes</b> are posted, as on PCIe: they return once the requests are queued for the link,
 *       in order behind everything the function sent before. A host that refuses a posted write
 *       tells nobody (that is PCIe); only failures known locally — Bus Master Enable clear, link
 *       down — throw.</li>
 *   <li><b>Ordering.</b> Requests leave in call order and a read does not pass an earlier write,
 *       so a read after a write sees the written data, and an interrupt raised after a write
 *       arrives after the data (producer/consumer ordering).</li>
 *   <li>Calls may be of any length; models conventionally move at most 64 KiB per call so that
 *       MMIO accesses interleave with long transfers.</li>
 * </ul>
 * Called only from the function's thread.
 */
public interface DmaPort {

    /** Reads {@code len} bytes at host address {@code address} into {@code dst[off..off+len)}. */
    void read(long address, byte[] dst, int off, int len) throws DmaException;

    /** Writes {@code src[off..off+len)} to host address {@code address}. */
    void write(long address, byte[] src, int off, int len) throws DmaException;

    /** Reads {@code dst.remaining()} bytes into {@code dst}, advancing its position. */
    default void read(long address, ByteBuffer dst) throws DmaException {
        int len = dst.remaining();
        if (dst.hasArray()) {
            read(address, dst.array(), dst.arrayOffset() + dst.position(), len);
        } else {
            byte[] tmp = new byte[len];
            read(address, tmp, 0, len);
            dst.put(dst.position(), tmp);
        }
        dst.position(dst.position() + len);
    }

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

    /** Reads a little-endian 32-bit value (a status word, a head pointer). */
    default int readInt(long address) throws DmaException {
        byte[] b = new byte[4];
        read(address, b, 0, 4);
        return (b[0] & 0xFF) | (b[1] & 0xFF) << 8 | (b[2] & 0xFF) << 16 | (b[3] & 0xFF) << 24;
    }

    /** Reads a little-endian 64-bit value. */
    default long readLong(long address) throws DmaException {
        byte[] b = new byte[8];
        read(address, b, 0, 8);
        long v = 0;
        for (int i = 7; i >= 0; i--) v = v << 8 | (b[i] & 0xFF);
        return v;
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
}
