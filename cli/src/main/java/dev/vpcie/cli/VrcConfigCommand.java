package dev.vpcie.cli;

import dev.vpcie.protocol.pci.Capability;
import dev.vpcie.vrc.Access;
import dev.vpcie.vrc.Outcome;
import dev.vpcie.vrc.PcieDevice;
import dev.vpcie.vrc.RootComplex;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code vpcie vrc config}: configuration space peek and poke, with setpci's syntax
 * ({@code config 01:00.0 COMMAND=0x6:0x6 CAP_EXP+8.w}, see {@link Setpci}) or the original
 * {@code config read|write BDF OFFSET[.b|.w|.l|.q] [VALUE]}.
 */
@Command(name = "config", mixinStandardHelpOptions = true,
        description = {"Read or write configuration space as setpci does: config BDF REG[.W][=VALUE[:MASK][,VALUE...]] ...",
                "REG is a hex offset, a register name (COMMAND, STATUS, BASE_ADDRESS_0, INTERRUPT_LINE, ...) or CAP_xxx/ECAP_xxx[+offset] "
                        + "(CAP_EXP, CAP_MSI, CAP_MSIX, CAP_PM, ECAP_AER, ECAP_DSN, ...); W is B, W or L. Reads print the value in hex.",
                "Also: config read BDF OFFSET[.b|.w|.l|.q], config write BDF OFFSET VALUE."},
        footer = {"", "Examples:", "  vpcie vrc ... config 01:00.0 COMMAND", "  vpcie vrc ... config 01:00.0 COMMAND=0x6:0x6 CAP_EXP+8.w",
                "  vpcie vrc ... config -s 01:00.0 BASE_ADDRESS_0 ECAP_AER+4.l"})
final class VrcConfigCommand implements Callable<Integer> {
    @ParentCommand VrcCommand vrc;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin Logging.Options logging;

    @Parameters(arity = "1..*", paramLabel = "ARG", description = "BDF and setpci operations, or read|write BDF OFFSET [VALUE]")
    List<String> args = new ArrayList<>();
    @Option(names = "-s", paramLabel = "BDF", description = "the function, as setpci -s (then every ARG is an operation)") String slot;
    @Option(names = "--width", description = "with read|write: 1, 2, 4 or 8 bytes (default 4, or the offset's suffix)") Integer width;

    @Override public Integer call() throws Exception {
        CommandLine cmd = spec.commandLine();
        if (slot == null && (args.getFirst().equals("read") || args.getFirst().equals("write"))) return readOrWrite(cmd);
        List<String> ops = new ArrayList<>(args);
        int bdf = VrcAccess.bdf(cmd, slot != null ? slot : ops.removeFirst());
        if (ops.isEmpty()) throw new CommandLine.ParameterException(cmd, "no operation: give REG or REG=VALUE (e.g. COMMAND, CAP_EXP+8.w)");
        if (width != null) throw new CommandLine.ParameterException(cmd, "--width goes with read|write; setpci operations take .b, .w or .l");
        List<Setpci.Op> parsed = new ArrayList<>();
        try {
            for (String op : ops) parsed.add(Setpci.parse(op));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cmd, e.getMessage());
        }
        return vrc.run(rc -> setpci(cmd, rc, bdf, parsed));
    }

    private int setpci(CommandLine cmd, RootComplex rc, int bdf, List<Setpci.Op> ops) {
        Optional<PcieDevice> device = rc.devices().stream().filter(d -> d.bdf() == bdf).findFirst();
        for (Setpci.Op op : ops) {
            Setpci.Register r = op.register();
            int offset = r.offset();
            if (r.capabilityId() >= 0) {
                Optional<Capability> cap = device.flatMap(d -> d.capabilities().stream()
                        .filter(c -> c.extended() == r.extended() && c.id() == r.capabilityId()).findFirst());
                if (cap.isEmpty()) {
                    cmd.getErr().println("vpcie: vrc config: " + (device.isEmpty() ? "no function " : "")
                            + dev.vpcie.protocol.tlp.Bdf.toString(bdf) + (device.isEmpty() ? "" : " has no such capability") + ": " + r.text());
                    return 1;
                }
                offset += cap.get().offset();
            }
            int last = offset + r.width() * Math.max(1, op.writes().size());
            if (offset % r.width() != 0 || last > 4096) {
                cmd.getErr().println("vpcie: vrc config: " + r.text() + " is at 0x" + Integer.toHexString(offset)
                        + ", not aligned to its width or past 4 KiB");
                return 1;
            }
            if (op.isRead()) {
                Access read = rc.configRead(bdf, offset, r.width());
                vrc.out().println(String.format("%0" + 2 * r.width() + "x", read.value()));
                if (!read.ok()) return failed(cmd, read.outcome(), false);
                continue;
            }
            long all = r.width() == 4 ? 0xFFFF_FFFFL : (1L << 8 * r.width()) - 1;
            for (Setpci.Write w : op.writes()) {
                long value = w.value();
                if (w.mask() != all) { // read, merge, write: the bits outside the mask keep their value
                    Access old = rc.configRead(bdf, offset, r.width());
                    if (!old.ok()) return failed(cmd, old.outcome(), false);
                    value = old.value() & ~w.mask() | w.value() & w.mask();
                }
                Outcome written = rc.configWrite(bdf, offset, r.width(), value & all);
                if (!written.ok()) return failed(cmd, written, true);
                offset += r.width();
            }
        }
        vrc.out().flush();
        return 0;
    }

    /** Says why an access failed (after what was printed so far) and gives the exit status 1. */
    private int failed(CommandLine cmd, Outcome outcome, boolean write) {
        vrc.out().flush();
        return VrcAccess.report(cmd, outcome, write);
    }

    private int readOrWrite(CommandLine cmd) throws Exception {
        if (args.size() < 3 || args.size() > 4) throw new CommandLine.ParameterException(cmd, "config read BDF OFFSET, or config write BDF OFFSET VALUE");
        String action = args.get(0), bdfText = args.get(1), offsetText = args.get(2), valueText = args.size() == 4 ? args.get(3) : null;
        VrcAccess a = VrcAccess.parse(cmd, offsetText, width);
        int bdf = VrcAccess.bdf(cmd, bdfText);
        if (a.offset() + a.width() > 4096 || a.offset() % Math.min(a.width(), 4) != 0)
            throw new CommandLine.ParameterException(cmd, "offset 0x" + Long.toHexString(a.offset()) + " must be aligned to the width and inside 4 KiB");
        boolean write = action.equals("write");
        if (write == (valueText == null))
            throw new CommandLine.ParameterException(cmd, write ? "config write needs a VALUE" : "config read takes no VALUE");
        long value = write ? a.value(cmd, valueText) : 0;
        return vrc.run(rc -> {
            Outcome outcome;
            if (write) {
                outcome = rc.configWrite(bdf, (int) a.offset(), a.width(), value);
            } else {
                Access read = rc.configRead(bdf, (int) a.offset(), a.width());
                outcome = read.outcome();
                vrc.out().println(a.format(read.value()));
            }
            vrc.out().flush();
            return VrcAccess.report(cmd, outcome, write);
        });
    }
}
