package dev.vpcie.cli;

import dev.vpcie.vrc.Access;
import dev.vpcie.vrc.Outcome;
import dev.vpcie.vrc.PcieDevice;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code vpcie vrc mmio read|write BDF BAR OFFSET [VALUE]}: BAR peek and poke, like devmem. */
@Command(name = "mmio", mixinStandardHelpOptions = true,
        description = "Read or write a BAR: mmio read BDF BAR OFFSET[.b|.w|.l|.q], mmio write BDF BAR OFFSET VALUE.")
final class VrcMmioCommand implements Callable<Integer> {
    @ParentCommand VrcCommand vrc;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin Logging.Options logging;

    @Parameters(index = "0", paramLabel = "read|write") String action;
    @Parameters(index = "1", paramLabel = "BDF") String bdfText;
    @Parameters(index = "2", paramLabel = "BAR") int bar;
    @Parameters(index = "3", paramLabel = "OFFSET") String offsetText;
    @Parameters(index = "4", arity = "0..1", paramLabel = "VALUE") String valueText;
    @Option(names = "--width", description = "1, 2, 4 or 8 bytes (default 4, or the offset's suffix)") Integer width;

    @Override public Integer call() throws Exception {
        CommandLine cmd = spec.commandLine();
        VrcAccess a = VrcAccess.parse(cmd, offsetText, width);
        int bdf = VrcAccess.bdf(cmd, bdfText);
        if (bar < 0 || bar > 5) throw new CommandLine.ParameterException(cmd, "BAR must be 0..5: " + bar);
        boolean write = switch (action) {
            case "read" -> false;
            case "write" -> true;
            default -> throw new CommandLine.ParameterException(cmd, "action must be read or write: " + action);
        };
        if (write == (valueText == null))
            throw new CommandLine.ParameterException(cmd, write ? "mmio write needs a VALUE" : "mmio read takes no VALUE");
        long value = write ? a.value(cmd, valueText) : 0;
        return vrc.run(rc -> {
            PcieDevice d;
            try {
                d = rc.device(bdf);
                d.bar(bar);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cmd, e.getMessage());
            }
            Outcome outcome;
            try {
                if (write) {
                    outcome = d.mmioWrite(bar, a.offset(), a.width(), value);
                } else {
                    Access read = d.mmioRead(bar, a.offset(), a.width());
                    outcome = read.outcome();
                    vrc.out().println("0x" + a.format(read.value()));
                }
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cmd, e.getMessage());
            }
            vrc.out().flush();
            return VrcAccess.report(cmd, outcome, write);
        });
    }
}
