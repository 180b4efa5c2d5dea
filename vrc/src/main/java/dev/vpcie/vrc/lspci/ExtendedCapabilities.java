package dev.vpcie.vrc.lspci;

import static dev.vpcie.vrc.lspci.ConfigBytes.flag;

/**
 * The PCI Express extended capability list (0x100 and up) as lspci prints it; Advanced Error
 * Reporting and Device Serial Number are decoded, others named by ID.
 */
final class ExtendedCapabilities {
    private ExtendedCapabilities() {}

    static void render(StringBuilder out, ConfigBytes c, int verbose, int expressType) {
        if (c.length() <= 0x100) return;
        boolean[] seen = new boolean[0x1000];
        int where = 0x100;
        do {
            long header = c.u32l(where);
            if (header == 0 || header == 0xFFFF_FFFFL) break;
            int id = (int) (header & 0xFFFF), version = (int) (header >> 16 & 0xF);
            out.append(String.format("\tCapabilities: [%03x", where));
            if (verbose > 1) out.append(" v").append(version);
            out.append("] ");
            if (seen[where]) {
                out.append("<chain looped>\n");
                break;
            }
            seen[where] = true;
            switch (id) {
                case 0x0000 -> out.append("Null\n");
                case 0x0001 -> aer(out, c, where, verbose, expressType);
                case 0x0003 -> out.append(String.format("Device Serial Number %02x-%02x-%02x-%02x-%02x-%02x-%02x-%02x%n",
                        c.u8(where + 11), c.u8(where + 10), c.u8(where + 9), c.u8(where + 8),
                        c.u8(where + 7), c.u8(where + 6), c.u8(where + 5), c.u8(where + 4)));
                default -> out.append(String.format("Extended Capability ID %#x%n", id));
            }
            where = (int) (header >> 20) & ~3;
        } while (where != 0 && where + 4 <= c.length());
    }

    private static final String UNCORRECTABLE = "DLP%c SDES%c TLP%c FCP%c CmpltTO%c CmpltAbrt%c UnxCmplt%c RxOF%c MalfTLP%c ECRC%c UnsupReq%c ACSViol%c%n";
    private static final int[] UNCORRECTABLE_BITS = {4, 5, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21};

    private static String uncorrectable(long l) {
        Object[] flags = new Object[UNCORRECTABLE_BITS.length];
        for (int i = 0; i < flags.length; i++) flags[i] = flag(l, 1L << UNCORRECTABLE_BITS[i]);
        return String.format(UNCORRECTABLE, flags);
    }

    private static String correctable(long l) {
        return String.format("RxErr%c BadTLP%c BadDLLP%c Rollover%c Timeout%c AdvNonFatalErr%c%n", flag(l, 1), flag(l, 1 << 6),
                flag(l, 1 << 7), flag(l, 1 << 8), flag(l, 1 << 12), flag(l, 1 << 13));
    }

    private static void aer(StringBuilder out, ConfigBytes c, int where, int verbose, int expressType) {
        out.append("Advanced Error Reporting\n");
        if (verbose < 2) return;
        out.append("\t\tUESta:\t").append(uncorrectable(c.u32l(where + 4)));
        out.append("\t\tUEMsk:\t").append(uncorrectable(c.u32l(where + 8)));
        out.append("\t\tUESvrt:\t").append(uncorrectable(c.u32l(where + 0xC)));
        out.append("\t\tCESta:\t").append(correctable(c.u32l(where + 0x10)));
        out.append("\t\tCEMsk:\t").append(correctable(c.u32l(where + 0x14)));
        long l = c.u32l(where + 0x18);
        out.append(String.format("\t\tAERCap:\tFirst Error Pointer: %02x, ECRCGenCap%c ECRCGenEn%c ECRCChkCap%c ECRCChkEn%c%n", l & 0x1F,
                flag(l, 1 << 5), flag(l, 1 << 6), flag(l, 1 << 7), flag(l, 1 << 8)));
        out.append(String.format("\t\t\tMultHdrRecCap%c MultHdrRecEn%c TLPPfxPres%c HdrLogCap%c%n", flag(l, 1 << 9), flag(l, 1 << 10),
                flag(l, 1 << 11), flag(l, 1 << 12)));
        out.append(String.format("\t\tHeaderLog: %08x %08x %08x %08x%n", c.u32l(where + 0x1C), c.u32l(where + 0x20), c.u32l(where + 0x24),
                c.u32l(where + 0x28)));
        if (expressType == ExpressCapability.ROOT_PORT || expressType == ExpressCapability.RC_EVENT_COLLECTOR) {
            long cmd = c.u32l(where + 0x2C), sta = c.u32l(where + 0x30);
            out.append(String.format("\t\tRootCmd: CERptEn%c NFERptEn%c FERptEn%c%n", flag(cmd, 1), flag(cmd, 2), flag(cmd, 4)));
            out.append(String.format("\t\tRootSta: CERcvd%c MultCERcvd%c UERcvd%c MultUERcvd%c%n", flag(sta, 1), flag(sta, 2), flag(sta, 4),
                    flag(sta, 8)));
            out.append(String.format("\t\t\t FirstFatal%c NonFatalMsg%c FatalMsg%c IntMsg %d%n", flag(sta, 0x10), flag(sta, 0x20),
                    flag(sta, 0x40), sta >> 27 & 0x1F));
            out.append(String.format("\t\tErrorSrc: ERR_COR: %04x ERR_FATAL/NONFATAL: %04x%n", c.u16(where + 0x34), c.u16(where + 0x36)));
        }
    }
}
