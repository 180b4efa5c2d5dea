package dev.vpcie.protocol.nettlp;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;

/**
 * NetTLP's messaging API on host port {@link NetTlpPorts#MESSAGING}: the device sends a 4-byte
 * little-endian request code and the host answers from that port to the sender.
 *
 * <table>
 * <caption>Requests and replies (all little-endian)</caption>
 * <tr><th>code</th><th>reply</th></tr>
 * <tr><td>1 BAR4 address</td><td>u64</td></tr>
 * <tr><td>2 device ID</td><td>u16 {@code bus << 8 | devfn}</td></tr>
 * <tr><td>3 MSI-X table</td><td>16 x {u64 address, u32 data}, packed: 192 bytes</td></tr>
 * </table>
 * Unknown codes get no reply.
 */
public final class MessagingApi {
    public static final int BAR4_ADDRESS = 1, DEVICE_ID = 2, MSIX_TABLE = 3;
    public static final int REQUEST_BYTES = 4, MSIX_ENTRIES = 16, MSIX_ENTRY_BYTES = 12;

    /** One MSI-X table entry as the API reports it. */
    public record MsixEntry(long address, int data) {}

    /** What the host tells the device; {@code msix} holds at most 16 entries, the rest are reported as zeros. */
    public record Facts(long bar4, int deviceId, List<MsixEntry> msix) {
        public Facts {
            if ((deviceId & ~0xFFFF) != 0) throw new IllegalArgumentException("device ID is 16 bits: " + deviceId);
            msix = List.copyOf(msix);
            if (msix.size() > MSIX_ENTRIES) throw new IllegalArgumentException("at most 16 MSI-X entries: " + msix.size());
        }
    }

    private MessagingApi() {}

    /** The request for {@code code}. */
    public static byte[] request(int code) {
        return ByteBuffer.allocate(REQUEST_BYTES).order(ByteOrder.LITTLE_ENDIAN).putInt(code).array();
    }

    /** The reply to {@code request}, or empty for a request that is not 4 bytes or has an unknown code. */
    public static Optional<byte[]> reply(byte[] request, int length, Facts facts) {
        if (length != REQUEST_BYTES) return Optional.empty();
        int code = ByteBuffer.wrap(request, 0, REQUEST_BYTES).order(ByteOrder.LITTLE_ENDIAN).getInt();
        ByteBuffer out;
        switch (code) {
            case BAR4_ADDRESS -> out = le(8).putLong(facts.bar4());
            case DEVICE_ID -> out = le(2).putShort((short) facts.deviceId());
            case MSIX_TABLE -> {
                out = le(MSIX_ENTRIES * MSIX_ENTRY_BYTES);
                for (int i = 0; i < MSIX_ENTRIES; i++) {
                    MsixEntry e = i < facts.msix().size() ? facts.msix().get(i) : new MsixEntry(0, 0);
                    out.putLong(e.address()).putInt(e.data());
                }
            }
            default -> {
                return Optional.empty();
            }
        }
        return Optional.of(out.array());
    }

    /** Reads a BAR4 reply. */
    public static long bar4(byte[] reply) { return le(reply, 8).getLong(); }

    /** Reads a device ID reply. */
    public static int deviceId(byte[] reply) { return le(reply, 2).getShort() & 0xFFFF; }

    /** Reads an MSI-X table reply. */
    public static List<MsixEntry> msix(byte[] reply) {
        ByteBuffer b = le(reply, MSIX_ENTRIES * MSIX_ENTRY_BYTES);
        MsixEntry[] entries = new MsixEntry[MSIX_ENTRIES];
        for (int i = 0; i < MSIX_ENTRIES; i++) entries[i] = new MsixEntry(b.getLong(), b.getInt());
        return List.of(entries);
    }

    private static ByteBuffer le(int bytes) { return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN); }

    private static ByteBuffer le(byte[] reply, int bytes) {
        if (reply.length != bytes) throw new IllegalArgumentException("reply must be " + bytes + " bytes, is " + reply.length);
        return ByteBuffer.wrap(reply).order(ByteOrder.LITTLE_ENDIAN);
    }
}
