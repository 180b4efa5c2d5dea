package dev.vpcie.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * setpci's operation syntax, parsed without a device: {@code REG[.W][=VALUE[:MASK][,VALUE[:MASK]...]]},
 * where REG is a hex offset, a register name from pciutils' table ({@code COMMAND},
 * {@code BASE_ADDRESS_0}, ...), or {@code CAP_xxx}/{@code ECAP_xxx} with an optional
 * {@code +offset} inside that capability, and W is B, W or L. A name brings its own width; a hex
 * offset or a capability needs the suffix. Without {@code =} the register is read; with it the
 * values are written to consecutive registers, each under its mask (bits outside the mask keep
 * their value).
 */
final class Setpci {
    private Setpci() {}

    /** Where a register is: {@code capabilityId} -1 for the header; else inside that (extended) capability. */
    record Register(String text, int capabilityId, boolean extended, int offset, int width) {}

    /** One value to write under a mask (all ones of the width without {@code :MASK}). */
    record Write(long value, long mask) {}

    /** One operation: a read when {@code writes} is empty. */
    record Op(Register register, List<Write> writes) {
        boolean isRead() { return writes.isEmpty(); }
    }

    private record Name(int offset, int width) {}

    /** pciutils' setpci register names (type 0 and type 1 headers) with their offsets and widths. */
    static final Map<String, Name> NAMES = Map.ofEntries(
            Map.entry("VENDOR_ID", new Name(0x00, 2)), Map.entry("DEVICE_ID", new Name(0x02, 2)),
            Map.entry("COMMAND", new Name(0x04, 2)), Map.entry("STATUS", new Name(0x06, 2)),
            Map.entry("REVISION", new Name(0x08, 1)), Map.entry("CLASS_PROG", new Name(0x09, 1)),
            Map.entry("CLASS_DEVICE", new Name(0x0a, 2)), Map.entry("CACHE_LINE_SIZE", new Name(0x0c, 1)),
            Map.entry("LATENCY_TIMER", new Name(0x0d, 1)), Map.entry("HEADER_TYPE", new Name(0x0e, 1)),
            Map.entry("BIST", new Name(0x0f, 1)),
            Map.entry("BASE_ADDRESS_0", new Name(0x10, 4)), Map.entry("BASE_ADDRESS_1", new Name(0x14, 4)),
            Map.entry("BASE_ADDRESS_2", new Name(0x18, 4)), Map.entry("BASE_ADDRESS_3", new Name(0x1c, 4)),
            Map.entry("BASE_ADDRESS_4", new Name(0x20, 4)), Map.entry("BASE_ADDRESS_5", new Name(0x24, 4)),
            Map.entry("CARDBUS_CIS", new Name(0x28, 4)), Map.entry("SUBSYSTEM_VENDOR_ID", new Name(0x2c, 2)),
            Map.entry("SUBSYSTEM_ID", new Name(0x2e, 2)), Map.entry("ROM_ADDRESS", new Name(0x30, 4)),
            Map.entry("CAPABILITIES", new Name(0x34, 1)), Map.entry("INTERRUPT_LINE", new Name(0x3c, 1)),
            Map.entry("INTERRUPT_PIN", new Name(0x3d, 1)), Map.entry("MIN_GNT", new Name(0x3e, 1)),
            Map.entry("MAX_LAT", new Name(0x3f, 1)),
            Map.entry("PRIMARY_BUS", new Name(0x18, 1)), Map.entry("SECONDARY_BUS", new Name(0x19, 1)),
            Map.entry("SUBORDINATE_BUS", new Name(0x1a, 1)), Map.entry("SEC_LATENCY_TIMER", new Name(0x1b, 1)),
            Map.entry("IO_BASE", new Name(0x1c, 1)), Map.entry("IO_LIMIT", new Name(0x1d, 1)),
            Map.entry("SEC_STATUS", new Name(0x1e, 2)), Map.entry("MEMORY_BASE", new Name(0x20, 2)),
            Map.entry("MEMORY_LIMIT", new Name(0x22, 2)), Map.entry("PREF_MEMORY_BASE", new Name(0x24, 2)),
            Map.entry("PREF_MEMORY_LIMIT", new Name(0x26, 2)), Map.entry("PREF_BASE_UPPER32", new Name(0x28, 4)),
            Map.entry("PREF_LIMIT_UPPER32", new Name(0x2c, 4)), Map.entry("IO_BASE_UPPER16", new Name(0x30, 2)),
            Map.entry("IO_LIMIT_UPPER16", new Name(0x32, 2)), Map.entry("BRIDGE_ROM_ADDRESS", new Name(0x38, 4)),
            Map.entry("BRIDGE_CONTROL", new Name(0x3e, 2)));

    /** pciutils' capability names (PCI_CAP_ID_xxx). */
    static final Map<String, Integer> CAPS = Map.ofEntries(
            Map.entry("PM", 0x01), Map.entry("AGP", 0x02), Map.entry("VPD", 0x03), Map.entry("SLOTID", 0x04),
            Map.entry("MSI", 0x05), Map.entry("CHSWP", 0x06), Map.entry("PCIX", 0x07), Map.entry("HT", 0x08),
            Map.entry("VNDR", 0x09), Map.entry("DBG", 0x0a), Map.entry("CCRC", 0x0b), Map.entry("HOTPLUG", 0x0c),
            Map.entry("SSVID", 0x0d), Map.entry("AGP3", 0x0e), Map.entry("SECURE", 0x0f), Map.entry("EXP", 0x10),
            Map.entry("MSIX", 0x11), Map.entry("SATA", 0x12), Map.entry("AF", 0x13), Map.entry("EA", 0x14));

    /** pciutils' extended capability names (PCI_EXT_CAP_ID_xxx). */
    static final Map<String, Integer> ECAPS = Map.ofEntries(
            Map.entry("AER", 0x01), Map.entry("VC", 0x02), Map.entry("DSN", 0x03), Map.entry("PB", 0x04),
            Map.entry("RCLINK", 0x05), Map.entry("RCILINK", 0x06), Map.entry("RCEC", 0x07), Map.entry("MFVC", 0x08),
            Map.entry("VC2", 0x09), Map.entry("RBCB", 0x0a), Map.entry("VNDR", 0x0b), Map.entry("ACS", 0x0d),
            Map.entry("ARI", 0x0e), Map.entry("ATS", 0x0f), Map.entry("SRIOV", 0x10), Map.entry("MRIOV", 0x11),
            Map.entry("MCAST", 0x12), Map.entry("PRI", 0x13), Map.entry("REBAR", 0x15), Map.entry("DPA", 0x16),
            Map.entry("TPH", 0x17), Map.entry("LTR", 0x18), Map.entry("SECPCI", 0x19), Map.entry("PMUX", 0x1a),
            Map.entry("PASID", 0x1b), Map.entry("LNR", 0x1c), Map.entry("DPC", 0x1d), Map.entry("L1PM", 0x1e),
            Map.entry("PTM", 0x1f), Map.entry("M_PCIE", 0x20), Map.entry("FRS", 0x21), Map.entry("RTR", 0x22),
            Map.entry("DVSEC", 0x23), Map.entry("VF_REBAR", 0x24), Map.entry("DLNK", 0x25), Map.entry("16GT", 0x26),
            Map.entry("LMR", 0x27), Map.entry("HIER_ID", 0x28), Map.entry("NPEM", 0x29), Map.entry("32GT", 0x2a),
            Map.entry("DOE", 0x2e), Map.entry("IDE", 0x30));

    private static final Pattern OP = Pattern.compile("([^.=+]+)(?:\\+([0-9a-fA-Fx]+))?(?:\\.([bBwWlL]))?(?:=(.*))?");

    /** Parses one operation; a bad one is an IllegalArgumentException that names it and says why. */
    static Op parse(String text) {
        Matcher m = OP.matcher(text.trim());
        if (!m.matches()) throw new IllegalArgumentException("'" + text + "' is not REG[.W][=VALUE[:MASK]...] (setpci syntax)");
        String base = m.group(1).toUpperCase(Locale.ROOT);
        int plus = m.group(2) == null ? 0 : (int) hex(m.group(2), "offset", text, 0xFFF);
        Integer width = m.group(3) == null ? null : switch (m.group(3).toLowerCase(Locale.ROOT)) {
            case "b" -> 1;
            case "w" -> 2;
            default -> 4;
        };
        Register reg;
        if (base.startsWith("CAP_") || base.startsWith("ECAP_")) {
            boolean extended = base.startsWith("ECAP_");
            String cap = base.substring(extended ? 5 : 4);
            Integer id = (extended ? ECAPS : CAPS).get(cap);
            if (id == null && cap.matches("[0-9A-F]{1,4}")) id = Integer.parseInt(cap, 16);
            if (id == null) throw new IllegalArgumentException("unknown capability '" + m.group(1) + "' in '" + text + "' (e.g. CAP_EXP, CAP_MSI, ECAP_AER)");
            reg = new Register(text, id, extended, plus, need(width, text));
        } else if (NAMES.containsKey(base)) {
            Name n = NAMES.get(base);
            reg = new Register(text, -1, false, n.offset() + plus, width != null ? width : n.width());
        } else {
            if (m.group(2) != null) throw new IllegalArgumentException("'+offset' follows a register name or capability, not a number: '" + text + "'");
            reg = new Register(text, -1, false, (int) hex(m.group(1), "register", text, 0xFFF), need(width, text));
        }
        if (reg.capabilityId() < 0 && reg.offset() % reg.width() != 0)
            throw new IllegalArgumentException("'" + text + "': offset 0x" + Integer.toHexString(reg.offset()) + " is not aligned to " + reg.width() + " bytes");
        List<Write> writes = new ArrayList<>();
        if (m.group(4) != null) {
            if (m.group(4).isEmpty()) throw new IllegalArgumentException("'" + text + "': no value after '='");
            long all = reg.width() == 4 ? 0xFFFF_FFFFL : (1L << 8 * reg.width()) - 1;
            for (String v : m.group(4).split(",", -1)) {
                int colon = v.indexOf(':');
                long value = hex(colon < 0 ? v : v.substring(0, colon), "value", text, all);
                long mask = colon < 0 ? all : hex(v.substring(colon + 1), "mask", text, all);
                writes.add(new Write(value, mask));
            }
        }
        return new Op(reg, List.copyOf(writes));
    }

    private static int need(Integer width, String text) {
        if (width == null) throw new IllegalArgumentException("'" + text + "' needs a width: add .b, .w or .l (as setpci)");
        return width;
    }

    private static long hex(String s, String what, String text, long max) {
        String t = s.toLowerCase(Locale.ROOT).startsWith("0x") ? s.substring(2) : s;
        try {
            long v = Long.parseLong(t, 16);
            if (v >= 0 && v <= max) return v;
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException("bad " + what + " '" + s + "' in '" + text + "' (hex, at most 0x" + Long.toHexString(max) + ")");
    }
}
