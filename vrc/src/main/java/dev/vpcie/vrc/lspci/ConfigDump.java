package dev.vpcie.vrc.lspci;

/**
 * Configuration space in pciutils' hex dump layout (what {@code lspci -x}, {@code -xxx} and
 * {@code -xxxx} print and {@code lspci -F FILE} reads back): rows of 16 bytes, each prefixed by
 * its offset, {@code "%02x:"} in the first 256 bytes and {@code "%03x:"} in extended space.
 */
public final class ConfigDump {
    private ConfigDump() {}

    /** How much to dump: -x the standard header (64 bytes), -xxx all of PCI space, -xxxx all 4 KiB. */
    public enum Extent {
        HEADER(64), PCI(256), EXTENDED(4096);

        public final int bytes;

        Extent(int bytes) { this.bytes = bytes; }

        /** The extent for the number of {@code -x} flags given (1, 2 or 3 mean header; 4 or more extended). */
        public static Extent forCount(int xs) { return xs >= 4 ? EXTENDED : xs == 3 ? PCI : HEADER; }
    }

    public static void append(StringBuilder out, byte[] config, Extent extent) {
        int n = Math.min(extent.bytes, config.length);
        for (int row = 0; row < n; row += 16) {
            out.append(String.format(row < 256 ? "%02x:" : "%03x:", row));
            for (int i = row; i < row + 16 && i < n; i++) out.append(String.format(" %02x", config[i] & 0xFF));
            out.append('\n');
        }
    }
}
