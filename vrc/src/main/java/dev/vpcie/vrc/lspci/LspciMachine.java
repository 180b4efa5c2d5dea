package dev.vpcie.vrc.lspci;

import java.util.List;

/**
 * lspci's machine-readable forms: {@code -m}/{@code -mm} (one line per function, quoted fields
 * for scripts) and {@code -vm}/{@code -vmm} (a "Tag:\tvalue" record per function, blank line
 * after each), as pciutils prints them, IDs shown as {@link PciIds.Naming} says ({@code -n},
 * {@code -nn}).
 */
public final class LspciMachine {
    private final PciIds ids;
    private final boolean domains;

    public LspciMachine(PciIds ids, boolean domains) {
        this.ids = ids;
        this.domains = domains;
    }

    /**
     * @param level   1 for {@code -m}, 2 for {@code -mm} (the same fields; {@code -vmm} names the slot "Slot")
     * @param verbose the record form ({@code -vm}, {@code -vmm})
     */
    public String render(List<LspciFunction> functions, int level, boolean verbose) {
        StringBuilder out = new StringBuilder();
        for (LspciFunction f : functions) {
            ConfigBytes c = new ConfigBytes(f.config());
            int vendor = c.u16(0x00), device = c.u16(0x02), rev = c.u8(0x08), progIf = c.u8(0x09);
            int sv = c.u16(0x2C), sd = c.u16(0x2E);
            boolean subsystem = (sv != 0 || sd != 0) && sv != 0xFFFF;
            String cls = ids.className(c.u8(0x0B), c.u8(0x0A));
            String vendorText = name(ids.vendorName(vendor), vendor, "Vendor");
            String deviceText = name(ids.deviceName(vendor, device), device, "Device");
            String svText = name(ids.vendorName(sv), sv, "Unknown vendor");
            String sdText = name(ids.subsystemName(vendor, device, sv, sd), sd, "Device");
            String slot = Lspci.slot(f.bdf(), domains);
            if (verbose) {
                out.append(level >= 2 ? "Slot:\t" : "Device:\t").append(slot).append('\n');
                out.append("Class:\t").append(cls).append('\n');
                out.append("Vendor:\t").append(vendorText).append('\n');
                out.append("Device:\t").append(deviceText).append('\n');
                if (subsystem) out.append("SVendor:\t").append(svText).append('\n').append("SDevice:\t").append(sdText).append('\n');
                if (rev != 0) out.append(String.format("Rev:\t%02x%n", rev));
                out.append(String.format("ProgIf:\t%02x%n", progIf));
                out.append('\n');
            } else {
                out.append(slot);
                quoted(out, cls);
                quoted(out, vendorText);
                quoted(out, deviceText);
                if (rev != 0) out.append(String.format(" -r%02x", rev));
                out.append(String.format(" -p%02x", progIf));
                if (subsystem) {
                    quoted(out, svText);
                    quoted(out, sdText);
                } else {
                    out.append(" \"\" \"\"");
                }
                out.append('\n');
            }
        }
        return out.toString();
    }

    /** A single name as pciutils' format_name writes it: the name, the number, or both. */
    private String name(String name, int id, String unknown) {
        String num = String.format("%04x", id);
        return switch (ids.naming()) {
            case NUMERIC -> num;
            case BOTH -> (name != null ? name : unknown) + " [" + num + "]";
            case NAMES -> name != null ? name : unknown + " " + num;
        };
    }

    /** {@code "text"} with quotes and backslashes escaped, after a space. */
    private static void quoted(StringBuilder out, String text) {
        out.append(" \"");
        for (char ch : text.toCharArray()) {
            if (ch == '"' || ch == '\\') out.append('\\');
            out.append(ch);
        }
        out.append('"');
    }
}
