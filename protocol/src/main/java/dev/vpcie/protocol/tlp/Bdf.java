package dev.vpcie.protocol.tlp;

/** Routing IDs: {@code bus[15:8] device[7:3] function[2:0]}, printed as {@code bb:dd.f}. */
public final class Bdf {
    private Bdf() {}

    public static int of(int bus, int device, int function) {
        if (bus < 0 || bus > 255 || device < 0 || device > 31 || function < 0 || function > 7)
            throw new IllegalArgumentException("bad bus/device/function " + bus + "/" + device + "/" + function);
        return bus << 8 | device << 3 | function;
    }

    public static int bus(int id) { return id >>> 8 & 0xFF; }
    public static int device(int id) { return id >>> 3 & 0x1F; }
    public static int function(int id) { return id & 7; }

    public static String toString(int id) {
        return String.format("%02x:%02x.%x", bus(id), device(id), function(id));
    }

    /** Parses {@code bb:dd.f} (hex bus and device, as lspci prints them); a leading {@code dddd:} domain is allowed. */
    public static int parse(String text) {
        String s = text.trim();
        int colon = s.indexOf(':');
        if (colon >= 0 && s.indexOf(':', colon + 1) > 0) s = s.substring(colon + 1); // strip domain
        int c = s.indexOf(':'), dot = s.indexOf('.');
        if (c <= 0 || dot <= c + 1 || dot == s.length() - 1)
            throw new IllegalArgumentException("not a bus:device.function: '" + text + "' (expected e.g. 01:00.0)");
        try {
            return of(Integer.parseInt(s.substring(0, c), 16), Integer.parseInt(s.substring(c + 1, dot), 16),
                    Integer.parseInt(s.substring(dot + 1), 16));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a bus:device.function: '" + text + "' (expected e.g. 01:00.0)");
        }
    }
}
