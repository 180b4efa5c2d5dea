package dev.vpcie.protocol.tlp;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a posted write of any length at any byte address into memory write requests of at
 * most Max_Payload_Size that never cross a 4 KiB boundary. Bytes of the first and last DW
 * outside the range are sent as zero with their byte enables off.
 */
public final class WriteSplitter {
    private WriteSplitter() {}

    /**
     * The MWrs writing {@code data[offset, offset + length)} to {@code address}, in address
     * order, tag 0 (posted requests are not tracked). 3DW below 4 GiB, 4DW above.
     */
    public static List<MemWrite> split(int requester, long address, byte[] data, int offset, int length, int maxPayloadSize,
                                       Attributes attributes) {
        java.util.Objects.checkFromIndexSize(offset, length, data.length);
        List<MemWrite> out = new ArrayList<>();
        for (ReadSplitter.Chunk c : ReadSplitter.chunks(address, length, maxPayloadSize, "Max_Payload_Size")) {
            ByteEnables.Span s = c.span();
            byte[] payload = new byte[s.length() * 4];
            System.arraycopy(data, offset + (int) (c.address() - address), payload, (int) (c.address() & 3), c.byteCount());
            out.add(new MemWrite(requester, 0, s.dwAddress(), s.firstBe(), s.lastBe(), (s.dwAddress() >>> 32) != 0, attributes, payload));
        }
        return out;
    }

    public static List<MemWrite> split(int requester, long address, byte[] data, int maxPayloadSize) {
        return split(requester, address, data, 0, data.length, maxPayloadSize, Attributes.DEFAULT);
    }
}
