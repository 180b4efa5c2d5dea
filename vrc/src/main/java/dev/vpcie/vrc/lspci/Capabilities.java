package dev.vpcie.vrc.lspci;

import static dev.vpcie.vrc.lspci.ConfigBytes.flag;

/**
 * The capability list as lspci prints it: one {@code Capabilities: [xx] ...} line each, with
 * the decoded registers at {@code -vv}. Decoded: Power Management, MSI, MSI-X, PCI Express
 * (see {@link ExpressCapability}) and, behind it, the extended list; others by name or ID.
 */
final class Capabilities {
    private Capabilities() {}

    private static final int[] AUX_CURRENT_MA = {0, 55, 100, 160, 220, 270, 320, 375};

    static void render(StringBuilder out, ConfigBytes c, int verbose, LspciFunction f, PciIds ids) {
        int expressType = -1;
        if ((c.u16(0x06) & 0x10) != 0) {
            boolean[] seen = new boolean[256];
            int where = c.u8(0x34) & ~3;
            while (where != 0) {
                out.append("\tCapabilities: ");
                if (where + 4 > c.length()) {
                    out.append("<access denied>\n");
                    break;
                }
                int id = c.u8(where), next = c.u8(where + 1) & ~3, cap = c.u16(where + 2);
                out.append(String.format("[%02x] ", where));
                if (seen[where]) {
                    out.append("<chain looped>\n");
                    break;
                }
                seen[where] = true;
                if (id == 0xFF) {
                    out.append("<chain broken>\n");
                    break;
                }
                switch (id) {
                    case 0x00 -> out.append("Null\n");
                    case 0x01 -> powerManagement(out, c, where, cap, verbose);
                    case 0x05 -> msi(out, c, where, cap, verbose);
                    case 0x09 -> out.append(String.format("Vendor Specific Information: Len=%02x <?>%n", c.u8(where + 2)));
                    case 0x10 -> expressType = ExpressCapability.render(out, c, where, cap, verbose, f);
                    case 0x11 -> msix(out, c, where, cap, verbose);
                    default -> out.append(String.format("#%02x [%04x]%n", id, cap));
                }
                where = next;
            }
        }
        if (expressType >= 0) ExtendedCapabilities.render(out, c, verbose, expressType);
    }

    private static void powerManagement(StringBuilder out, ConfigBytes c, int where, int cap, int verbose) {
        out.append("Power Management version ").append(cap & 7).append('\n');
        if (verbose < 2) return;
        out.append(String.format("\t\tFlags: PMEClk%c DSI%c D1%c D2%c AuxCurrent=%dmA PME(D0%c,D1%c,D2%c,D3hot%c,D3cold%c)%n",
                flag(cap, 1 << 3), flag(cap, 1 << 5), flag(cap, 1 << 9), flag(cap, 1 << 10), AUX_CURRENT_MA[cap >> 6 & 7],
                flag(cap, 1 << 11), flag(cap, 1 << 12), flag(cap, 1 << 13), flag(cap, 1 << 14), flag(cap, 1 << 15)));
        int t = c.u16(where + 4);
        out.append(String.format("\t\tStatus: D%d NoSoftRst%c PME-Enable%c DSel=%d DScale=%d PME%c%n", t & 3, flag(t, 1 << 3),
                flag(t, 1 << 8), t >> 9 & 0xF, t >> 13 & 3, flag(t, 1 << 15)));
        int b = c.u8(where + 6);
        if (b != 0) out.append(String.format("\t\tBridge: PM%c B3%c%n", flag(b, 0x80), flag(~b, 0x40)));
    }

    private static void msi(StringBuilder out, ConfigBytes c, int where, int cap, int verbose) {
        boolean is64 = (cap & 0x80) != 0;
        out.append(String.format("MSI: Enable%c Count=%d/%d Maskable%c 64bit%c%n", flag(cap, 1), 1 << (cap >> 4 & 7),
                1 << (cap >> 1 & 7), flag(cap, 0x100), flag(cap, 0x80)));
        if (verbose < 2) return;
        out.append("\t\tAddress: ");
        int data;
        if (is64) {
            out.append(String.format("%08x", c.u32l(where + 8)));
            data = c.u16(where + 12);
        } else {
            data = c.u16(where + 8);
        }
        out.append(String.format("%08x  Data: %04x%n", c.u32l(where + 4), data));
        if ((cap & 0x100) != 0) {
            int maskAt = is64 ? where + 0x10 : where + 0x0C;
            out.append(String.format("\t\tMasking: %08x  Pending: %08x%n", c.u32l(maskAt), c.u32l(maskAt + 4)));
        }
    }

    private static void msix(StringBuilder out, ConfigBytes c, int where, int cap, int verbose) {
        out.append(String.format("MSI-X: Enable%c Count=%d Masked%c%n", flag(cap, 0x8000), (cap & 0x7FF) + 1, flag(cap, 0x4000)));
        if (verbose < 2) return;
        long table = c.u32l(where + 4), pba = c.u32l(where + 8);
        out.append(String.format("\t\tVector table: BAR=%d offset=%08x%n", table & 7, table & ~7L));
        out.append(String.format("\t\tPBA: BAR=%d offset=%08x%n", pba & 7, pba & ~7L));
    }
}
