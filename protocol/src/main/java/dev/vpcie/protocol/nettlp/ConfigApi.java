package dev.vpcie.protocol.nettlp;

/**
 * The adapter's configuration API on port {@link NetTlpPorts#CONFIG}: 6-byte packets without the
 * NetTLP header.
 *
 * <pre>
 *  byte 0: cmd[7:6] | byte-mask[5:2] | dwaddr[9:8]
 *  byte 1: dwaddr[7:0]
 *  bytes 2-5: data, a big-endian u32 whose little-endian bytes are the config bytes
 * </pre>
 * cmd 0 reads (the reply has the same format, data filled in), cmd 1 writes (no reply).
 */
public final class ConfigApi {
    public static final int PACKET_BYTES = 6;
    public static final int READ = 0, WRITE = 1;

    /**
     * One packet. {@code dwAddress} is the config-space DW (0..1023); {@code value} is the DW as
     * config space holds it (byte 0 of the DW in bits 7:0).
     */
    public record Packet(int command, int byteMask, int dwAddress, int value) {
        public Packet {
            if (command != READ && command != WRITE) throw new IllegalArgumentException("command must be 0 (read) or 1 (write): " + command);
            if ((byteMask & ~0xF) != 0) throw new IllegalArgumentException("byte mask is 4 bits: " + byteMask);
            if ((dwAddress & ~0x3FF) != 0) throw new IllegalArgumentException("DW address is 10 bits: " + dwAddress);
        }

        public Packet withValue(int v) { return new Packet(command, byteMask, dwAddress, v); }
    }

    private ConfigApi() {}

    public static byte[] encode(Packet p) {
        int data = Integer.reverseBytes(p.value());
        return new byte[] {(byte) (p.command() << 6 | p.byteMask() << 2 | p.dwAddress() >>> 8), (byte) p.dwAddress(),
                (byte) (data >>> 24), (byte) (data >>> 16), (byte) (data >>> 8), (byte) data};
    }

    /** Decodes the first {@code length} bytes of {@code bytes}; throws {@link IllegalArgumentException} unless 6 bytes with cmd 0 or 1. */
    public static Packet decode(byte[] bytes, int length) {
        if (length != PACKET_BYTES) throw new IllegalArgumentException("config API packet must be 6 bytes, is " + length);
        int b0 = bytes[0] & 0xFF;
        int data = (bytes[2] & 0xFF) << 24 | (bytes[3] & 0xFF) << 16 | (bytes[4] & 0xFF) << 8 | bytes[5] & 0xFF;
        int command = b0 >>> 6;
        if (command > WRITE) throw new IllegalArgumentException("config API command " + command + " is neither read (0) nor write (1)");
        return new Packet(command, b0 >>> 2 & 0xF, (b0 & 3) << 8 | bytes[1] & 0xFF, Integer.reverseBytes(data));
    }
}
