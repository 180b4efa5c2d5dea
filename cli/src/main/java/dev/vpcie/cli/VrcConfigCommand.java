package dev.vpcie.cli;

import dev.vpcie.vrc.Counter;
import dev.vpcie.vrc.RootComplex;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code vpcie vrc config read|write BDF OFFSET [VALUE]}: configuration space peek and poke, like setpci. */
@Command(name = "config", mixinStandardHelpOptions = true,
        description = "Read or write configuration space: config read BDF OFFSET[.b|.w|.l|.q], config write BDF OFFSET VALUE.")
final class VrcConfigCommand implements Callable<Integer> {
    @ParentCommand VrcCommand vrc;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin Logging.Options logging;

    @Parameters(index = "0", paramLabel = "read|write") String action;
    @Parameters(index = "1", paramLabel = "BDF") String bdfText;
    @Parameters(index = "2", paramLabel = "OFFSET") String offsetText;
    @Parameters(index = "3", arity = "0..1", paramLabel = "VALUE") String valueText;
    @Option(names = "--width", description = "1, 2, 4 or 8 bytes (default 4, or the offset's suffix)") Integer width;

    @Override public Integer call() throws Exception {
        CommandLine cmd = spec.commandLine();
        VrcAccess a = VrcAccess.parse(cmd, offsetText, width);
        int bdf = VrcAccess.bdf(cmd, bdfText);
        if (a.offset() + a.width() > 4096 || a.offset() % Math.min(a.width(), 4) != 0)
            throw new CommandLine.ParameterException(cmd, "offset 0x" + Long.toHexString(a.offset()) + " must be aligned to the width and inside 4 KiB");
        boolean write = switch (action) {
            case "read" -> false;
            case "write" -> true;
            default -> throw new CommandLine.ParameterException(cmd, "action must be read or write: " + action);
        };
        if (write == (valueText == null))
            throw new CommandLine.ParameterException(cmd, write ? "config write needs a VALUE" : "config read takes no VALUE");
        long value = write ? a.value(cmd, valueText) : 0;
        return vrc.run(rc -> {
            long before = failures(rc);
            if (write) rc.configWrite(bdf, (int) a.offset(), a.width(), value);
            else vrc.out().println(a.format(rc.configRead(bdf, (int) a.offset(), a.width())));
            vrc.out().flush();
            if (failures(rc) != before) {
                cmd.getErr().println("vrc: the access failed (" + rc.counters() + ")" + (write ? "" : "; the value shown is all-ones"));
                return 1;
            }
            return 0;
        });
    }

    private static long failures(RootComplex rc) {
        return rc.counters().get(Counter.UNSUPPORTED_REQUEST) + rc.counters().get(Counter.COMPLETION_TIMEOUT)
                + rc.counters().get(Counter.COMPLETER_ABORT) + rc.counters().get(Counter.MASTER_ABORT)
                + rc.counters().get(Counter.LINK_DOWN_FAILURE);
    }
}
