package dev.vpcie.cli;

import dev.vpcie.protocol.trace.PointEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;
import jdk.jfr.RecordingState;

/** {@code vpcie endpoint|vrc attach --trace FILE}: a JFR recording of the trace's point events only, written to FILE when it stops. */
final class HopRecording implements AutoCloseable {
    private final Recording recording;

    private HopRecording(Recording recording) { this.recording = recording; }

    static HopRecording start(Path file) {
        FlightRecorder.register(PointEvent.class);
        Recording r = new Recording();
        r.setName("vpcie hops");
        r.enable(PointEvent.NAME);
        r.setToDisk(true);
        try {
            r.setDestination(file); // written when the recording stops, also by the JVM's own shutdown (a signal)
        } catch (IOException e) {
            r.close();
            throw new UncheckedIOException("cannot write a trace to " + file + ": " + e.getMessage(), e);
        }
        r.start();
        return new HopRecording(r);
    }

    /** Stops the recording, which writes it to the file (unless the JVM's shutdown stopped and wrote it already). */
    @Override public void close() {
        if (recording.getState() == RecordingState.RUNNING) recording.stop();
        recording.close();
    }
}
