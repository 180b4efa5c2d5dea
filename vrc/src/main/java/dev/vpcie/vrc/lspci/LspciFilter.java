package dev.vpcie.vrc.lspci;

import dev.vpcie.protocol.tlp.Bdf;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * lspci's {@code -s [[[[domain]:]bus]:][device][.[func]]} and {@code -d [vendor]:[device][:class]}
 * selections: every part may be left out (or be {@code *}) to match anything, so {@code -s 01:00}
 * is every function of device 0 on bus 1 and {@code -d 8086:} every Intel function.
 */
public record LspciFilter(int domain, int bus, int device, int function, int vendorId, int deviceId, int classCode) {
    private static final int ANY = -1;
    public static final LspciFilter ALL = new LspciFilter(ANY, ANY, ANY, ANY, ANY, ANY, ANY);
    private static final Pattern SLOT = Pattern.compile("(?:(?:([0-9a-fA-F*]*):)?([0-9a-fA-F*]*):)?([0-9a-fA-F*]*)(?:\\.([0-7*]?))?");

    /** With a {@code -s} selection; a bad one is an IllegalArgumentException saying what lspci accepts. */
    public LspciFilter slot(String text) {
        Matcher m = SLOT.matcher(text.trim());
        if (!m.matches()) throw new IllegalArgumentException("-s takes [[[[domain]:]bus]:][device][.[func]], e.g. 01:00 or 01:00.1: '" + text + "'");
        return new LspciFilter(part(m.group(1), 0xFFFF, "domain", text), part(m.group(2), 0xFF, "bus", text),
                part(m.group(3), 0x1F, "device", text), part(m.group(4), 7, "function", text), vendorId, deviceId, classCode);
    }

    /** With a {@code -d} selection. */
    public LspciFilter ids(String text) {
        String[] parts = text.trim().split(":", -1);
        if (parts.length < 2 || parts.length > 3)
            throw new IllegalArgumentException("-d takes [vendor]:[device][:class], e.g. 8086:10c9 or 8086: '" + text + "'");
        return new LspciFilter(domain, bus, device, function, part(parts[0], 0xFFFF, "vendor", text), part(parts[1], 0xFFFF, "device", text),
                parts.length == 3 ? part(parts[2], 0xFFFF, "class", text) : ANY);
    }

    private static int part(String s, int max, String what, String text) {
        if (s == null || s.isEmpty() || s.equals("*")) return ANY;
        try {
            int v = Integer.parseInt(s, 16);
            if (v <= max) return v;
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException("invalid " + what + " '" + s + "' in '" + text + "' (hex, at most " + Integer.toHexString(max) + ")");
    }

    public boolean matches(LspciFunction f) {
        ConfigBytes c = new ConfigBytes(f.config());
        return (domain == ANY || domain == 0) && is(bus, Bdf.bus(f.bdf())) && is(device, Bdf.device(f.bdf())) && is(function, Bdf.function(f.bdf()))
                && is(vendorId, c.u16(0x00)) && is(deviceId, c.u16(0x02)) && is(classCode, c.u8(0x0B) << 8 | c.u8(0x0A));
    }

    private static boolean is(int want, int value) { return want == ANY || want == value; }
}
