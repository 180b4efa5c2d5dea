package dev.vpcie.vrc.mpqemu;

import dev.vpcie.vrc.PcieDevice;

/** Configuration reads and writes of the remote function (through the root complex, or a test double). */
public interface ConfigPort {
    /** Reads 1, 2 or 4 naturally aligned bytes; all-ones on failure. */
    long read(int offset, int width);

    void write(int offset, int width, long value);

    static ConfigPort of(PcieDevice d) {
        return new ConfigPort() {
            @Override public long read(int offset, int width) { return d.configRead(offset, width).value(); } // the guest sees all-ones, as from hardware
            @Override public void write(int offset, int width, long value) { d.configWrite(offset, width, value); }
        };
    }
}
