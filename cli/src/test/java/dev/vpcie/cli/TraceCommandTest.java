package dev.vpcie.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.devices.trace.Hop;
import dev.vpcie.protocol.trace.PointEvent;
import dev.vpcie.protocol.trace.TracePoint;
import dev.vpcie.vrc.trace.VrcPoint;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code vpcie trace} over real recordings ({@link HopRecording}, as {@code --trace} makes them):
 * the endpoint's paths alone from its trace, a ping's whole way, with the VRC's DMA reads, once
 * the VRC's trace is there too; a file that is no trace is a failure with one line.
 */
class TraceCommandTest {

    /** One ping's points in the order the two processes pass them. */
    private static final List<TracePoint> ONE_PING = List.of(VrcPoint.TAP_IN, VrcPoint.DOORBELL, Hop.TX_TAIL, VrcPoint.DMA_READ,
            Hop.TX_DESCRIPTORS, VrcPoint.DMA_READ, Hop.TX_BUFFER, Hop.TX_WIRE, Hop.INTERRUPT, Hop.RX_WIRE, Hop.RX_WRITTEN,
            Hop.INTERRUPT, VrcPoint.IRQ_IN, VrcPoint.RX_FOUND, VrcPoint.TAP_OUT);

    @Test void aPingsWholeWayIsPairedAcrossBothTraces(@TempDir Path dir) throws Exception {
        Path alone = dir.resolve("alone.jfr"), endpoint = dir.resolve("endpoint.jfr"), vrc = dir.resolve("vrc.jfr");
        try (HopRecording e = HopRecording.start(alone)) { // an endpoint's trace without a VRC's: its points only
            for (int ping = 0; ping < 3; ping++) for (TracePoint p : ONE_PING) if (p instanceof Hop) mark(p);
        }
        // Two recordings in one process see the same marks; the command reads their files apart.
        try (HopRecording e = HopRecording.start(endpoint); HopRecording v = HopRecording.start(vrc)) {
            for (int ping = 0; ping < 3; ping++) for (TracePoint p : ONE_PING) mark(p);
        }
        String endpointOnly = run(0, alone.toString());
        assertTrue(endpointOnly.contains("out through the NIC (endpoint): 3 frames"), endpointOnly);
        assertTrue(endpointOnly.contains("in from the wire (endpoint): 3 frames"), endpointOnly);
        assertTrue(!endpointOnly.contains("whole way"), endpointOnly);

        String both = run(0, endpoint.toString(), vrc.toString());
        assertTrue(both.contains("a ping's whole way (VRC and endpoint): 3 frames"), both);
        assertTrue(both.contains("tail write received -> DMA read answered"), both);
        assertTrue(both.contains("DMA read answered -> descriptors fetched"), both);
        assertTrue(both.contains("descriptors fetched -> DMA read answered"), both);
        assertTrue(both.contains("DMA read answered -> buffer in"), both);
    }

    @Test void aFileThatIsNoTraceFailsWithOneLine(@TempDir Path dir) throws Exception {
        Path junk = Files.writeString(dir.resolve("junk.jfr"), "not a recording");
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(new StringWriter(), true));
        cl.setErr(new PrintWriter(err, true));
        assertEquals(1, cl.execute("trace", junk.toString()));
        assertTrue(err.toString().startsWith("vpcie: cannot read the trace " + junk), err.toString());
        assertEquals(1, err.toString().lines().count(), err.toString());
    }

    private static void mark(TracePoint p) { PointEvent.mark(p); }

    private static String run(int status, String... files) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        String[] args = new String[files.length + 1];
        args[0] = "trace";
        System.arraycopy(files, 0, args, 1, files.length);
        assertEquals(status, cl.execute(args), err.toString());
        return out.toString();
    }
}
