package dev.vpcie.protocol.capture;

import java.nio.file.Path;

/**
 * Where and how much to capture, as {@code --capture FILE --capture-size MIB --capture-files N}
 * say: like tcpdump's {@code -w -C -W}.
 *
 * @param file     the pcap file; rotated copies are {@code FILE.1} (newest) to {@code FILE.N-1}
 * @param maxBytes largest size of one file; 0 for no limit
 * @param files    how many files to keep: 1 stops capturing when the file is full (the start of a
 *                 session is what one usually wants), more rotate and keep the newest frames
 */
public record CaptureSpec(Path file, long maxBytes, int files) {
    public CaptureSpec {
        if (file == null) throw new IllegalArgumentException("capture file missing");
        if (maxBytes < 0) throw new IllegalArgumentException("capture size must not be negative: " + maxBytes);
        if (maxBytes > 0 && maxBytes < PcapWriter.GLOBAL_HEADER_LENGTH + PcapWriter.RECORD_HEADER_LENGTH + 64)
            throw new IllegalArgumentException("capture size too small to hold a frame: " + maxBytes + " bytes");
        if (files < 1 || files > 1000) throw new IllegalArgumentException("capture files must be 1..1000: " + files);
    }

    /** One file, no limit. */
    public static CaptureSpec of(Path file) { return new CaptureSpec(file, 0, 1); }

    /** The {@code index}-th rotated copy (0 is the file being written). */
    public Path rotated(int index) {
        return index == 0 ? file : file.resolveSibling(file.getFileName() + "." + index);
    }
}
