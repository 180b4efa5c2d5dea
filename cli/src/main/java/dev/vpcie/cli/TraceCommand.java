package dev.vpcie.cli;

import dev.vpcie.devices.trace.Hop;
import dev.vpcie.protocol.trace.PointChains;
import dev.vpcie.protocol.trace.PointChains.Mark;
import dev.vpcie.protocol.trace.PointChains.Path;
import dev.vpcie.protocol.trace.PointEvent;
import dev.vpcie.protocol.trace.TracePoint;
import dev.vpcie.vrc.trace.VrcPoint;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code vpcie trace FILE...}: the median and p99 time between a frame's points in traces of an endpoint, a VRC, or both. */
@Command(name = "trace", mixinStandardHelpOptions = true,
        description = {"Print where a frame's time goes, from traces that `vpcie endpoint --trace FILE` and `vpcie vrc attach --trace FILE`",
                "wrote: the median and p99 between its points inside the endpoint (tail write, descriptors fetched, buffer in,",
                "frame on wire; wire frame in, data written, interrupt sent) and, given the VRC's trace too (taken on the same",
                "host: one clock), a ping's whole way from the TAP and back. Exact for one frame in flight at a time, e.g. a ping."})
public final class TraceCommand implements Callable<Integer> {
    /** Inside the endpoint. */
    static final Path OUT = new Path("out through the NIC (endpoint)", List.of(Hop.TX_TAIL, Hop.TX_DESCRIPTORS, Hop.TX_BUFFER, Hop.TX_WIRE));
    static final Path IN = new Path("in from the wire (endpoint)", List.of(Hop.RX_WIRE, Hop.RX_WRITTEN, Hop.INTERRUPT));
    /** Across both: the interrupt's trip over the link. */
    static final Path INTERRUPT = new Path("interrupts (endpoint -> VRC)", List.of(Hop.INTERRUPT, VrcPoint.IRQ_IN));
    /** Across both: a frame from the TAP out through the NIC, and its answer back to the TAP. */
    static final Path WHOLE = new Path("a ping's whole way (VRC and endpoint)", List.of(VrcPoint.TAP_IN, VrcPoint.DOORBELL, Hop.TX_TAIL,
            VrcPoint.DMA_READ, Hop.TX_DESCRIPTORS, VrcPoint.DMA_READ, Hop.TX_BUFFER, Hop.TX_WIRE, Hop.RX_WIRE, Hop.RX_WRITTEN, VrcPoint.RX_FOUND, VrcPoint.TAP_OUT));

    private static final Map<String, TracePoint> POINTS = new HashMap<>();
    static {
        for (Hop h : Hop.values()) POINTS.put(h.name(), h);
        for (VrcPoint p : VrcPoint.values()) POINTS.put(p.name(), p);
    }

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "the traces (JFR recordings), e.g. an endpoint's and a VRC's")
    List<java.nio.file.Path> files;

    @Override public Integer call() {
        List<Mark> marks = new ArrayList<>();
        boolean vrcMarks = false;
        for (java.nio.file.Path file : files) {
            if (!Files.isReadable(file)) throw new CommandLine.ParameterException(spec.commandLine(), "no readable trace at " + file);
            try {
                for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
                    if (!e.getEventType().getName().equals(PointEvent.NAME)) continue;
                    TracePoint p = POINTS.get(e.getString("hop"));
                    if (p == null) continue; // a point of a later version
                    vrcMarks |= p instanceof VrcPoint;
                    marks.add(new Mark(p, e.getLong("nanoTime")));
                }
            } catch (IOException | IllegalArgumentException e) {
                spec.commandLine().getErr().println("vpcie: cannot read the trace " + file + ": " + e.getMessage());
                return 1;
            }
        }
        List<Path> paths = vrcMarks ? List.of(OUT, IN, INTERRUPT, WHOLE) : List.of(OUT, IN);
        spec.commandLine().getOut().print(PointChains.summary(marks, paths));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
