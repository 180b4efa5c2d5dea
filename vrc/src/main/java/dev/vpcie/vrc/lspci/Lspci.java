package dev.vpcie.vrc.lspci;

import static dev.vpcie.vrc.lspci.ConfigBytes.flag;

import dev.vpcie.protocol.tlp.Bdf;
import java.util.List;

/**
 * Renders functions in pciutils' {@code lspci} layout, so people read the VRC's view with the
 * format they know: the one-line form, {@code -v} and {@code -vv} with BARs and decoded
 * capabilities, and {@code -x}/{@code -xxx}/{@code -xxxx} hex dumps that {@code lspci -F} reads
 * back. Everything is decoded from the configuration space snapshot, as lspci does; only BAR
 * sizes come from enumeration (lspci gets them from sysfs).
 */
public final class Lspci {
    private final PciIds ids;
    private final boolean domains, kernel;

    public Lspci(PciIds ids) { this(ids, false, false); }

    /**
     * @param domains show the PCI domain in front of every slot ({@code -D})
     * @param kernel  {@code -k}: the Subsystem line even without {@code -v} (a VRC function has no kernel driver to name)
     */
    public Lspci(PciIds ids, boolean domains, boolean kernel) {
        this.ids = ids;
        this.domains = domains;
        this.kernel = kernel;
    }

    /** The slot as lspci prints it: {@code 01:00.0}, or {@code 0000:01:00.0} with {@code -D}. */
    public static String slot(int bdf, boolean domains) { return (domains ? "0000:" : "") + Bdf.toString(bdf); }

    /**
     * @param verbose 0, 1 ({@code -v}) or 2 ({@code -vv})
     * @param hex     null for no dump, else how much configuration space to dump
     */
    public String render(List<LspciFunction> functions, int verbose, ConfigDump.Extent hex) {
        StringBuilder out = new StringBuilder();
        for (LspciFunction f : functions) {
            ConfigBytes c = new ConfigBytes(f.config());
            if (verbose > 0) verbose(out, f, c, verbose);
            else terse(out, f, c, 0);
            if (hex != null) ConfigDump.append(out, f.config(), hex);
            if (verbose > 0 || hex != null) out.append('\n');
        }
        return out.toString();
    }

    private void terse(StringBuilder out, LspciFunction f, ConfigBytes c, int verbose) {
        int cls = c.u8(0x0B), sub = c.u8(0x0A), progIf = c.u8(0x09), rev = c.u8(0x08);
        out.append(slot(f.bdf(), domains)).append(' ').append(ids.className(cls, sub)).append(": ")
                .append(ids.device(c.u16(0x00), c.u16(0x02)));
        if (rev != 0) out.append(String.format(" (rev %02x)", rev));
        if (verbose > 0) {
            String name = ids.progIf(cls, sub, progIf);
            if (progIf != 0 || name != null) {
                out.append(String.format(" (prog-if %02x", progIf));
                if (name != null) out.append(" [").append(name).append(']');
                out.append(')');
            }
        }
        out.append('\n');
        if (verbose > 0 || kernel) {
            int sv = c.u16(0x2C), sd = c.u16(0x2E);
            if (sv != 0 && sv != 0xFFFF)
                out.append("\tSubsystem: ").append(ids.subsystem(c.u16(0x00), c.u16(0x02), sv, sd)).append('\n');
        }
    }

    private void verbose(StringBuilder out, LspciFunction f, ConfigBytes c, int verbose) {
        terse(out, f, c, verbose);
        int status = c.u16(0x06), cmd = c.u16(0x04), htype = c.u8(0x0E) & 0x7F;
        int latency = c.u8(0x0D), cacheLine = c.u8(0x0C), bist = c.u8(0x0F), pin = c.u8(0x3D), irq = c.u8(0x3C);
        if (htype != 0) {
            out.append(String.format("\t!!! Header type %02x is not shown by the VRC (endpoints only)%n", htype));
            return;
        }
        int minGnt = c.u8(0x3E), maxLat = c.u8(0x3F);
        String devsel = switch (status & 0x600) { case 0x400 -> "slow"; case 0x200 -> "medium"; case 0 -> "fast"; default -> "??"; };
        if (verbose > 1) {
            out.append(String.format("\tControl: I/O%c Mem%c BusMaster%c SpecCycle%c MemWINV%c VGASnoop%c ParErr%c Stepping%c SERR%c FastB2B%c DisINTx%c%n",
                    flag(cmd, 1), flag(cmd, 2), flag(cmd, 4), flag(cmd, 8), flag(cmd, 0x10), flag(cmd, 0x20), flag(cmd, 0x40),
                    flag(cmd, 0x80), flag(cmd, 0x100), flag(cmd, 0x200), flag(cmd, 0x400)));
            out.append(String.format("\tStatus: Cap%c 66MHz%c UDF%c FastB2B%c ParErr%c DEVSEL=%s >TAbort%c <TAbort%c <MAbort%c >SERR%c <PERR%c INTx%c%n",
                    flag(status, 0x10), flag(status, 0x20), flag(status, 0x40), flag(status, 0x80), flag(status, 0x100), devsel,
                    flag(status, 0x800), flag(status, 0x1000), flag(status, 0x2000), flag(status, 0x4000), flag(status, 0x8000),
                    flag(status, 0x8)));
            if ((cmd & 4) != 0) {
                out.append("\tLatency: ").append(latency);
                if (minGnt != 0 || maxLat != 0) {
                    out.append(" (");
                    if (minGnt != 0) out.append(minGnt * 250).append("ns min");
                    if (minGnt != 0 && maxLat != 0) out.append(", ");
                    if (maxLat != 0) out.append(maxLat * 250).append("ns max");
                    out.append(')');
                }
                if (cacheLine != 0) out.append(", Cache Line Size: ").append(cacheLine * 4).append(" bytes");
                out.append('\n');
            }
            if (pin != 0 || irq != 0)
                out.append(String.format("\tInterrupt: pin %c routed to IRQ %d%n", pin != 0 ? (char) ('A' + pin - 1) : '?', irq));
        } else {
            out.append("\tFlags: ");
            if ((cmd & 4) != 0) out.append("bus master, ");
            if ((cmd & 0x20) != 0) out.append("VGA palette snoop, ");
            if ((cmd & 0x80) != 0) out.append("stepping, ");
            if ((cmd & 0x200) != 0) out.append("fast Back2Back, ");
            if ((status & 0x20) != 0) out.append("66MHz, ");
            if ((status & 0x40) != 0) out.append("user-definable features, ");
            out.append(devsel).append(" devsel");
            if ((cmd & 4) != 0) out.append(", latency ").append(latency);
            if (irq != 0) out.append(", IRQ ").append(irq);
            out.append('\n');
        }
        if ((bist & 0x80) != 0) {
            if ((bist & 0x40) != 0) out.append("\tBIST is running\n");
            else out.append(String.format("\tBIST result: %02x%n", bist & 0x0F));
        }
        bases(out, f, c, verbose);
        rom(out, c);
        Capabilities.render(out, c, verbose, f, ids);
    }

    private static void bases(StringBuilder out, LspciFunction f, ConfigBytes c, int verbose) {
        int cmd = c.u16(0x04);
        for (int i = 0; i < 6; i++) {
            long flg = c.u32l(0x10 + 4 * i);
            long len = f.barSizes()[i];
            if (flg == 0xFFFF_FFFFL) flg = 0;
            boolean io = (flg & 1) != 0;
            int type = (int) (flg & 6);
            long pos = io ? flg & ~3L : flg & ~0xFL;
            if (!io && type == 4 && i < 5) pos |= c.u32l(0x14 + 4 * i) << 32;
            if (pos == 0 && flg == 0 && len == 0) continue;
            out.append(verbose > 1 ? "\tRegion " + i + ": " : "\t");
            if (io) {
                out.append("I/O ports at ");
                if (pos != 0 || (cmd & 1) != 0) out.append(String.format("%04x", pos));
                else out.append("<unassigned>");
                if ((cmd & 1) == 0) out.append(" [disabled]");
            } else {
                out.append("Memory at ");
                long high = 0;
                if (type == 4) {
                    if (i == 5) out.append("<invalid-64bit-slot>");
                    else high = c.u32l(0x14 + 4 * i);
                }
                if (!(type == 4 && i == 5)) {
                    if (pos != 0) out.append(String.format("%08x", pos));
                    else out.append((flg & ~0xFL) != 0 || high != 0 ? "<ignored>" : "<unassigned>");
                }
                out.append(" (").append(switch (type) { case 0 -> "32-bit"; case 4 -> "64-bit"; case 2 -> "low-1M"; default -> "type 3"; })
                        .append(", ").append((flg & 8) != 0 ? "" : "non-").append("prefetchable)");
                if ((cmd & 2) == 0) out.append(" [disabled]");
                // The upper half of a 64-bit BAR is not a region of its own (lspci learns so from sysfs).
                if (type == 4) i++;
            }
            size(out, len);
            out.append('\n');
        }
    }

    private static void rom(StringBuilder out, ConfigBytes c) {
        long flg = c.u32l(0x30);
        if (flg == 0 || flg == 0xFFFF_FFFFL) return;
        out.append("\tExpansion ROM at ");
        if ((flg & ~0x7FFL) != 0) out.append(String.format("%08x", flg & ~0x7FFL));
        else out.append("<unassigned>");
        if ((flg & 1) == 0) out.append(" [disabled]");
        else if ((c.u16(0x04) & 2) == 0) out.append(" [disabled by cmd]");
        out.append('\n');
    }

    /** pciutils' size notation: the largest unit (K, M, G, T) that divides the size exactly. */
    static void size(StringBuilder out, long len) {
        if (len == 0) return;
        String[] suffix = {"", "K", "M", "G", "T"};
        int i = 0;
        while (i < suffix.length - 1 && len % 1024 == 0) {
            len /= 1024;
            i++;
        }
        out.append(" [size=").append(len).append(suffix[i]).append(']');
    }
}
