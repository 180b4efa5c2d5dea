package dev.vpcie.cli;

import dev.vpcie.devices.trace.Hop;
import dev.vpcie.devices.trace.HopChains;
import dev.vpcie.devices.trace.HopEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code vpcie trace FILE}: the median and p99 time between a frame's hops in an endpoint's trace. */
@Command(name = "trace", mixinStandardHelpOptions = true,
        description = {"Print where a frame's time goes inside the endpoint, from a trace `vpcie endpoint --trace FILE` wrote:",
                "the median and p99 between its hops out (tail write, descriptors fetched, buffer in, frame on wire) and in",
                "(wire frame in, data written, interrupt sent). Exact for one frame in flight at a time, e.g. a ping."})
public final class TraceCommand implements Callable<Integer> {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "the trace (a JFR recording)")
    Path file;

    @Override public Integer call() {
        if (!Files.isReadable(file)) throw new CommandLine.ParameterException(spec.commandLine(), "no readable trace at " + file);
        List<HopChains.Mark> marks = new ArrayList<>();
        try {
            for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
                if (!e.getEventType().getName().equals(HopEvent.NAME)) continue;
                marks.add(new HopChains.Mark(Hop.valueOf(e.getString("hop")), e.getLong("nanoTime")));
            }
        } catch (IOException | IllegalArgumentException e) {
            spec.commandLine().getErr().println("vpcie: cannot read the trace " + file + ": " + e.getMessage());
            return 1;
        }
        spec.commandLine().getOut().print(HopChains.summary(marks));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
