package dev.vpcie.vrc.lspci;

import static dev.vpcie.vrc.lspci.ConfigBytes.flag;

import dev.vpcie.protocol.tlp.Bdf;
import java.math.BigDecimal;
import java.math.MathContext;

/**
 * The PCI Express capability as lspci shows it: Device, Link (and, from version 2 on, Device 2
 * and Link 2) capabilities, control and status, decoded for the function types a VRC
 * enumerates (endpoints); ports' slot and root registers are not decoded.
 */
final class ExpressCapability {
    private ExpressCapability() {}

    static final int ENDPOINT = 0, LEGACY_ENDPOINT = 1, ROOT_PORT = 4, UPSTREAM = 5, DOWNSTREAM = 6, PCIE_TO_PCI = 7,
            PCI_TO_PCIE = 8, RC_INTEGRATED_ENDPOINT = 9, RC_EVENT_COLLECTOR = 10;

    private static final String[] L0S = {"<64ns", "<128ns", "<256ns", "<512ns", "<1us", "<2us", "<4us", "unlimited"};
    private static final String[] L1 = {"<1us", "<2us", "<4us", "<8us", "<16us", "<32us", "<64us", "unlimited"};
    private static final String[] ASPM_SUPPORT = {"not supported", "L0s", "L1", "L0s L1"};
    private static final String[] ASPM_ENABLED = {"Disabled", "L0s Enabled", "L1 Enabled", "L0s L1 Enabled"};
    private static final String[] PRESETS = {"-6dB de-emphasis, 0dB preshoot", "-3.5dB de-emphasis, 0dB preshoot",
            "-4.4dB de-emphasis, 0dB preshoot", "-2.5dB de-emphasis, 0dB preshoot", "0dB de-emphasis, 0dB preshoot",
            "0dB de-emphasis, 1.9dB preshoot", "0dB de-emphasis, 2.5dB preshoot", "-6.0dB de-emphasis, 3.5dB preshoot",
            "-3.5dB de-emphasis, 3.5dB preshoot", "0dB de-emphasis, 3.5dB preshoot"};

    /** Prints the capability and returns the port type (which the extended capabilities need). */
    static int render(StringBuilder out, ConfigBytes c, int where, int cap, int verbose, LspciFunction f) {
        int type = cap >> 4 & 0xF;
        boolean link = true;
        out.append("Express ");
        if (verbose >= 2) out.append("(v").append(cap & 0xF).append(") ");
        switch (type) {
            case ENDPOINT -> out.append("Endpoint");
            case LEGACY_ENDPOINT -> out.append("Legacy Endpoint");
            case ROOT_PORT -> out.append("Root Port (Slot").append(flag(cap, 0x100)).append(')');
            case UPSTREAM -> out.append("Upstream Port");
            case DOWNSTREAM -> out.append("Downstream Port (Slot").append(flag(cap, 0x100)).append(')');
            case PCIE_TO_PCI -> out.append("PCI-Express to PCI/PCI-X Bridge");
            case PCI_TO_PCIE -> out.append("PCI/PCI-X to PCI-Express Bridge (Slot").append(flag(cap, 0x100)).append(')');
            case RC_INTEGRATED_ENDPOINT -> { link = false; out.append("Root Complex Integrated Endpoint"); }
            case RC_EVENT_COLLECTOR -> { link = false; out.append("Root Complex Event Collector"); }
            default -> out.append("Unknown type ").append(type);
        }
        out.append(String.format(", MSI %02x%n", cap >> 9 & 0x1F));
        if (verbose < 2) return type;
        device(out, c, where, type);
        if (link) link(out, c, where, type);
        if ((cap & 0xF) < 2) return type;
        device2(out, c, where, type, hasMemoryBar(c));
        if (link) link2(out, c, where, type, f);
        return type;
    }

    private static boolean endpoint(int type) { return type == ENDPOINT || type == LEGACY_ENDPOINT; }

    private static void device(StringBuilder out, ConfigBytes c, int where, int type) {
        long t = c.u32l(where + 4);
        out.append(String.format("\t\tDevCap:\tMaxPayload %d bytes, PhantFunc %d", 128 << (t & 7), (1 << (t >> 3 & 3)) - 1));
        if (endpoint(type)) out.append(String.format(", Latency L0s %s, L1 %s", L0S[(int) (t >> 6 & 7)], L1[(int) (t >> 9 & 7)]));
        out.append("\n\t\t\tExtTag").append(flag(t, 1 << 5));
        if (endpoint(type) || type == UPSTREAM || type == PCIE_TO_PCI)
            out.append(String.format(" AttnBtn%c AttnInd%c PwrInd%c", flag(t, 1 << 12), flag(t, 1 << 13), flag(t, 1 << 14)));
        out.append(" RBE").append(flag(t, 1 << 15));
        if (endpoint(type)) out.append(" FLReset").append(flag(t, 1L << 28));
        if (type == ENDPOINT || type == UPSTREAM || type == PCIE_TO_PCI)
            out.append(" SlotPowerLimit ").append(powerLimit((int) (t >> 18 & 0xFF), (int) (t >> 26 & 3)));
        out.append('\n');

        int w = c.u16(where + 8);
        out.append(String.format("\t\tDevCtl:\tCorrErr%c NonFatalErr%c FatalErr%c UnsupReq%c%n", flag(w, 1), flag(w, 2), flag(w, 4), flag(w, 8)));
        out.append(String.format("\t\t\tRlxdOrd%c ExtTag%c PhantFunc%c AuxPwr%c NoSnoop%c", flag(w, 1 << 4), flag(w, 1 << 8),
                flag(w, 1 << 9), flag(w, 1 << 10), flag(w, 1 << 11)));
        if (type == PCIE_TO_PCI) out.append(" BrConfRtry").append(flag(w, 1 << 15));
        if (endpoint(type) && (t & 1L << 28) != 0) out.append(" FLReset").append(flag(w, 1 << 15));
        out.append(String.format("%n\t\t\tMaxPayload %d bytes, MaxReadReq %d bytes%n", 128 << (w >> 5 & 7), 128 << (w >> 12 & 7)));

        w = c.u16(where + 0xA);
        out.append(String.format("\t\tDevSta:\tCorrErr%c NonFatalErr%c FatalErr%c UnsupReq%c AuxPwr%c TransPend%c%n", flag(w, 1),
                flag(w, 2), flag(w, 4), flag(w, 8), flag(w, 0x10), flag(w, 0x20)));
    }

    /** lspci's power notation: the value times its scale, printed like C's {@code %g}, or >250W.. codes. */
    static String powerLimit(int value, int scale) {
        if (scale == 0 && value >= 0xF0) {
            return switch (value) {
                case 0xF0 -> ">250W";
                case 0xF1 -> ">275W";
                case 0xF2 -> ">300W";
                default -> ">600W";
            };
        }
        float[] scales = {1.0f, 0.1f, 0.01f, 0.001f};
        float watts = value * scales[scale];
        BigDecimal g = new BigDecimal(watts).round(new MathContext(6)).stripTrailingZeros();
        return (g.signum() == 0 ? "0" : g.toPlainString()) + "W";
    }

    private static String speed(int code) {
        return switch (code) {
            case 1 -> "2.5GT/s";
            case 2 -> "5GT/s";
            case 3 -> "8GT/s";
            case 4 -> "16GT/s";
            case 5 -> "32GT/s";
            case 6 -> "64GT/s";
            default -> "unknown";
        };
    }

    private static String compare(int status, int capability) {
        return status < capability ? " (downgraded)" : status > capability ? " (overdriven)" : "";
    }

    private static void link(StringBuilder out, ConfigBytes c, int where, int type) {
        long t = c.u32l(where + 0xC);
        int aspm = (int) (t >> 10 & 3), capSpeed = (int) (t & 0xF), capWidth = (int) (t >> 4 & 0x3F);
        out.append(String.format("\t\tLnkCap:\tPort #%d, Speed %s, Width x%d, ASPM %s", t >> 24, speed(capSpeed), capWidth, ASPM_SUPPORT[aspm]));
        if (aspm != 0) {
            out.append(", Exit Latency ");
            if ((aspm & 1) != 0) out.append("L0s ").append(L0S[(int) (t >> 12 & 7)]);
            if ((aspm & 2) != 0) out.append((aspm & 1) != 0 ? ", " : "").append("L1 ").append(L1[(int) (t >> 15 & 7)]);
        }
        out.append('\n');
        out.append(String.format("\t\t\tClockPM%c Surprise%c LLActRep%c BwNot%c ASPMOptComp%c%n", flag(t, 1 << 18), flag(t, 1 << 19),
                flag(t, 1 << 20), flag(t, 1 << 21), flag(t, 1 << 22)));
        int w = c.u16(where + 0x10);
        out.append("\t\tLnkCtl:\tASPM ").append(ASPM_ENABLED[w & 3]).append(';');
        if (type == ROOT_PORT || endpoint(type) || type == PCIE_TO_PCI) out.append(" RCB ").append((w & 8) != 0 ? 128 : 64).append(" bytes,");
        out.append(String.format(" Disabled%c CommClk%c%n\t\t\tExtSynch%c ClockPM%c AutWidDis%c BWInt%c AutBWInt%c%n", flag(w, 0x10),
                flag(w, 0x40), flag(w, 0x80), flag(w, 0x100), flag(w, 0x200), flag(w, 0x400), flag(w, 0x800)));
        w = c.u16(where + 0x12);
        int staSpeed = w & 0xF, staWidth = w >> 4 & 0x3F;
        out.append(String.format("\t\tLnkSta:\tSpeed %s%s, Width x%d%s%n", speed(staSpeed), compare(staSpeed, capSpeed), staWidth,
                compare(staWidth, capWidth)));
        out.append(String.format("\t\t\tTrErr%c Train%c SlotClk%c DLActive%c BWMgmt%c ABWMgmt%c%n", flag(w, 1 << 10), flag(w, 1 << 11),
                flag(w, 1 << 12), flag(w, 1 << 13), flag(w, 1 << 14), flag(w, 1 << 15)));
    }

    private static boolean hasMemoryBar(ConfigBytes c) {
        for (int i = 0; i < 6; i++) {
            long bar = c.u32l(0x10 + 4 * i);
            if (bar != 0 && bar != 0xFFFF_FFFFL && (bar & 1) == 0) return true;
        }
        return false;
    }

    private static String timeoutRanges(int v) {
        return switch (v) {
            case 0 -> "Not Supported";
            case 1 -> "Range A";
            case 2 -> "Range B";
            case 3 -> "Range AB";
            case 6 -> "Range BC";
            case 7 -> "Range ABC";
            case 14 -> "Range BCD";
            case 15 -> "Range ABCD";
            default -> "Unknown";
        };
    }

    private static String timeoutValue(int v) {
        return switch (v) {
            case 0 -> "50us to 50ms";
            case 1 -> "50us to 100us";
            case 2 -> "1ms to 10ms";
            case 5 -> "16ms to 55ms";
            case 6 -> "65ms to 210ms";
            case 9 -> "260ms to 900ms";
            case 10 -> "1s to 3.5s";
            case 13 -> "4s to 13s";
            case 14 -> "17s to 64s";
            default -> "Unknown";
        };
    }

    private static void device2(StringBuilder out, ConfigBytes c, int where, int type, boolean memoryBar) {
        long l = c.u32l(where + 0x24);
        out.append(String.format("\t\tDevCap2: Completion Timeout: %s, TimeoutDis%c NROPrPrP%c LTR%c", timeoutRanges((int) (l & 0xF)),
                flag(l, 1 << 4), flag(l, 1 << 10), flag(l, 1 << 11)));
        String obff = switch ((int) (l >> 18 & 3)) { case 1 -> "Via message"; case 2 -> "Via WAKE#"; case 3 -> "Via message/WAKE#"; default -> "Not Supported"; };
        out.append(String.format("%n\t\t\t 10BitTagComp%c 10BitTagReq%c OBFF %s, ExtFmt%c EETLPPrefix%c", flag(l, 1 << 16), flag(l, 1 << 17),
                obff, flag(l, 1 << 20), flag(l, 1 << 21)));
        if ((l & 1 << 21) != 0) {
            int max = (int) (l >> 22 & 3);
            out.append(", MaxEETLPPrefixes ").append(max != 0 ? max : 4);
        }
        String epr = switch ((int) (l >> 24 & 3)) { case 1 -> "Dev Specific"; case 2 -> "Form Factor Dev Specific"; case 3 -> "Reserved"; default -> "Not Supported"; };
        out.append(String.format("%n\t\t\t EmergencyPowerReduction %s, EmergencyPowerReductionInit%c", epr, flag(l, 1 << 26)));
        out.append("\n\t\t\t FRS").append(flag(l, 1L << 31));
        if (type == ROOT_PORT) {
            String cls = switch ((int) (l >> 14 & 3)) { case 1 -> "64byte cachelines"; case 2 -> "128byte cachelines"; case 3 -> "Reserved"; default -> "Not Supported"; };
            out.append(" LN System CLS ").append(cls).append(',');
        }
        if (type == ROOT_PORT || type == ENDPOINT) {
            out.append(' ').append(switch ((int) (l >> 12 & 3)) {
                case 1 -> "TPHComp+ ExtTPHComp-";
                case 2 -> "";
                case 3 -> "TPHComp+ ExtTPHComp+";
                default -> "TPHComp- ExtTPHComp-";
            });
        }
        if (type == ROOT_PORT || type == DOWNSTREAM) out.append(" ARIFwd").append(flag(l, 1 << 5));
        out.append('\n');
        boolean port = type == ROOT_PORT || type == UPSTREAM || type == DOWNSTREAM;
        if (port || memoryBar) {
            out.append("\t\t\t AtomicOpsCap:");
            if (port) out.append(" Routing").append(flag(l, 1 << 6));
            if (type == ROOT_PORT || memoryBar)
                out.append(String.format(" 32bit%c 64bit%c 128bitCAS%c", flag(l, 1 << 7), flag(l, 1 << 8), flag(l, 1 << 9)));
            out.append('\n');
        }
        int w = c.u16(where + 0x28);
        String obffCtl = switch (w >> 13 & 3) { case 0 -> "Disabled"; case 1 -> "Via message A"; case 2 -> "Via message B"; default -> "Via WAKE#"; };
        out.append(String.format("\t\tDevCtl2: Completion Timeout: %s, TimeoutDis%c LTR%c 10BitTagReq%c OBFF %s,", timeoutValue(w & 0xF),
                flag(w, 1 << 4), flag(w, 1 << 10), flag(w, 1 << 12), obffCtl));
        if (type == ROOT_PORT || type == DOWNSTREAM) out.append(" ARIFwd").append(flag(w, 1 << 5));
        out.append('\n');
        if (port || endpoint(type) || type == RC_INTEGRATED_ENDPOINT) {
            out.append("\t\t\t AtomicOpsCtl:");
            if (type == ROOT_PORT || endpoint(type) || type == RC_INTEGRATED_ENDPOINT) out.append(" ReqEn").append(flag(w, 1 << 6));
            if (port) out.append(" EgressBlck").append(flag(w, 1 << 7));
            out.append('\n');
        }
    }

    private static String speedVector(int v) {
        if ((v & 0x60) != 0) return "RsvdP";
        if ((v & 0x10) != 0) return "2.5-32GT/s";
        if ((v & 0x08) != 0) return "2.5-16GT/s";
        if ((v & 0x04) != 0) return "2.5-8GT/s";
        if ((v & 0x02) != 0) return "2.5-5GT/s";
        if ((v & 0x01) != 0) return "2.5GT/s";
        return "Unknown";
    }

    private static String deemphasis(int v) { return v == 0 ? "-6dB" : "-3.5dB"; }

    private static void link2(StringBuilder out, ConfigBytes c, int where, int type, LspciFunction f) {
        // Link Capabilities 2 and Link Control 2 are reserved for functions other than 0 of an endpoint.
        if (!(endpoint(type) && (Bdf.device(f.bdf()) != 0 || Bdf.function(f.bdf()) != 0))) {
            long l = c.u32l(where + 0x2C);
            if (l != 0) {
                out.append(String.format("\t\tLnkCap2: Supported Link Speeds: %s, Crosslink%c Retimer%c 2Retimers%c DRS%c%n",
                        speedVector((int) (l >> 1 & 0x7F)), flag(l, 1 << 8), flag(l, 1 << 23), flag(l, 1 << 24), flag(l, 1L << 31)));
            }
            int w = c.u16(where + 0x30);
            String target = switch (w & 0xF) {
                case 0, 1 -> "2.5GT/s";
                case 2 -> "5GT/s";
                case 3 -> "8GT/s";
                case 4 -> "16GT/s";
                case 5 -> "32GT/s";
                case 6 -> "64GT/s";
                default -> "Unknown";
            };
            out.append(String.format("\t\tLnkCtl2: Target Link Speed: %s, EnterCompliance%c SpeedDis%c", target, flag(w, 0x10), flag(w, 0x20)));
            if (type == DOWNSTREAM) out.append(", Selectable De-emphasis: ").append(deemphasis(w >> 6 & 1));
            String margin = switch (w >> 7 & 7) {
                case 0 -> "Normal Operating Range";
                case 1 -> "800-1200mV(full-swing)/400-700mV(half-swing)";
                case 2, 3, 4, 5 -> "200-400mV(full-swing)/100-200mV(half-swing)";
                default -> "Unknown";
            };
            int preset = w >> 12 & 0xF;
            out.append(String.format("%n\t\t\t Transmit Margin: %s, EnterModifiedCompliance%c ComplianceSOS%c%n", margin, flag(w, 0x400),
                    flag(w, 0x800)));
            out.append("\t\t\t Compliance Preset/De-emphasis: ").append(preset < PRESETS.length ? PRESETS[preset] : "Unknown").append('\n');
        }
        int w = c.u16(where + 0x32);
        String crosslink = switch (w >> 8 & 3) { case 0 -> "unsupported"; case 1 -> "Upstream Port"; case 2 -> "Downstream Port"; default -> "incomplete"; };
        out.append(String.format("\t\tLnkSta2: Current De-emphasis Level: %s, EqualizationComplete%c EqualizationPhase1%c%n", deemphasis(w & 1),
                flag(w, 2), flag(w, 4)));
        out.append(String.format("\t\t\t EqualizationPhase2%c EqualizationPhase3%c LinkEqualizationRequest%c%n", flag(w, 8), flag(w, 0x10),
                flag(w, 0x20)));
        out.append(String.format("\t\t\t Retimer%c 2Retimers%c CrosslinkRes: %s%n", flag(w, 0x40), flag(w, 0x80), crosslink));
    }
}
