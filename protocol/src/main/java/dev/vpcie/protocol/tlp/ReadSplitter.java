package dev.vpcie.protocol.tlp;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a read of any length at any byte address into memory read requests that respect
 * Max_Read_Request_Size and never cross a 4 KiB boundary (PCIe base spec 2.2.7). After the
 * first, every request starts on a Max_Read_Request_Size boundary, which keeps completions on
 * their natural RCB pieces.
 */
public final class ReadSplitter {
    private ReadSplitter() {}

    /** One request's share: {@code byteCount} (1..4096) bytes from the byte address {@code address}. */
    public record Chunk(long address, int byteCount) {
        public ByteEnables.Span span() { return ByteEnables.of(address, byteCount); }

        /** The MRd for this chunk, 3DW below 4 GiB and 4DW above. */
        public MemRead toRequest(int requester, int tag, Attributes attributes) {
            ByteEnables.Span s = span();
            return new MemRead(requester, tag, s.dwAddress(), s.length(), s.firstBe(), s.lastBe(), (s.dwAddress() >>> 32) != 0, attributes);
        }
    }

    /**
     * The chunks of a read of {@code byteCount} bytes (at least 1) from {@code address}, in
     * address order. {@code maxReadRequestSize} is in bytes: a power of two in 128..4096.
     */
    public static List<Chunk> split(long address, long byteCount, int maxReadRequestSize) {
        return chunks(address, byteCount, maxReadRequestSize, "Max_Read_Request_Size");
    }

    /** Chunks bounded by the naturally aligned {@code limit}-byte blocks (each inside one 4 KiB page, as limit divides 4096). */
    static List<Chunk> chunks(long address, long byteCount, int limit, String limitName) {
        if (limit < 128 || limit > 4096 || Integer.bitCount(limit) != 1)
            throw new IllegalArgumentException(limitName + " must be a power of two in 128..4096: " + limit);
        if (byteCount < 1) throw new IllegalArgumentException("byte count must be at least 1: " + byteCount);
        if (address < 0 || address + byteCount < 0 || address + byteCount - 1 < address)
            throw new IllegalArgumentException("range past the 64-bit address space: 0x" + Long.toHexString(address) + " + " + byteCount);
        List<Chunk> chunks = new ArrayList<>((int) Math.min(1 + byteCount / limit, 1 << 16));
        long end = address + byteCount;
        for (long from = address; from < end; ) {
            long to = Math.min(end, (from & -limit) + limit);
            chunks.add(new Chunk(from, (int) (to - from)));
            from = to;
        }
        return chunks;
    }
}
