package dev.vpcie.cli;

import dev.vpcie.devices.trace.HopEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;

/** {@code vpcie endpoint --trace FILE}: a JFR recording of the hop events only, written to FILE when closed. */
final class HopRecording implements AutoCloseable {
    private final Recording recording;
    private final Path file;

    private HopRecording(Recording recording, Path file) {
        this.recording = recording;
        this.file = file;
    }

    static HopRecording start(Path file) {
        FlightRecorder.register(HopEvent.class);
        Recording r = new Recording();
        r.setName("vpcie hops");
        r.enable(HopEvent.NAME);
        r.setToDisk(true);
        r.start();
        return new HopRecording(r, file);
    }

    @Override public void close() {
        try {
            recording.stop();
            recording.dump(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the trace to " + file + ": " + e.getMessage(), e);
        } finally {
            recording.close();
        }
    }
}
