package dev.vpcie.vrc.nic;

import java.util.List;
import java.util.Map;

/**
 * What a driver counted in software and what the NIC's statistics registers said (accumulated,
 * since the registers clear on read).
 *
 * @param txFrames          frames handed to the NIC (a TSO frame counts once)
 * @param txBusy            transmit attempts refused because the ring was full (back-pressure)
 * @param txKicks           doorbells rung again by the watchdog because TX made no progress
 * @param txDoorbells       TX tail writes (one per batch of frames queued with {@code more})
 * @param rxErrors          frames dropped because a descriptor reported an error or was malformed
 * @param rxUnclaimed       frames dropped because no receiver was installed
 * @param interrupts        interrupts serviced
 * @param mmioReads         register reads issued (each one a round trip over the interconnect), not counting
 *                          the statistics registers read for this report and by the watchdog
 * @param rxFramesPerQueue  frames received on each RX queue
 * @param hardware          statistics registers by name, e.g. {@code GPRC}, {@code GORC}
 */
public record NicStats(long txFrames, long txBytes, long txBusy, long txKicks, long txDoorbells, long rxFrames, long rxBytes, long rxErrors, long rxUnclaimed,
                       long interrupts, long linkChanges, long resets, long mmioReads, long mmioWrites,
                       List<Long> rxFramesPerQueue, Map<String, Long> hardware) {

    public NicStats {
        rxFramesPerQueue = List.copyOf(rxFramesPerQueue);
        hardware = Map.copyOf(hardware);
    }

    public long hardware(String name) { return hardware.getOrDefault(name, 0L); }
}
