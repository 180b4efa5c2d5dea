package dev.vpcie.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code vpcie vrc status}: the running VRC's links, functions, DMA windows and counters. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Show the VRC's links (sessions, frames and TLPs each way, retransmits, timeouts, NAKs, RTT, window), "
                + "its functions (IDs, BARs, MMIO accesses, DMA bytes, interrupts, refusals), DMA windows and events.",
                "Asks the VRC running on this interconnect (attach, vm, serve); with none, shows a session of its own."})
final class VrcStatusCommand implements Callable<Integer> {
    @ParentCommand VrcCommand vrc;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin Logging.Options logging;

    @Option(names = "--json", description = "one JSON object instead of the table") boolean json;

    @Override public Integer call() throws Exception {
        return vrc.run(rc -> {
            VrcStatus status;
            try {
                status = VrcStatus.of(rc, vrc.context(rc));
            } catch (IllegalStateException e) {
                vrc.err().println("vpcie: vrc status: " + e.getMessage());
                return 1;
            }
            vrc.out().print(json ? status.json() : status.table());
            vrc.out().flush();
            return 0;
        });
    }
}
