package dev.vpcie.vrc.nic;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The statistics registers summed since bring-up: they clear on read, so every read (the
 * watchdog's each period, and {@link NicDriver#stats}) adds to the totals. Read from the control
 * thread and from whoever asks for statistics, hence the lock.
 */
final class HwStatTotals {
    private final Map<HwStat, Long> totals = new EnumMap<>(HwStat.class);

    /** Reads every statistics register and adds it to the totals. */
    void read(Mmio mmio) {
        synchronized (totals) {
            for (HwStat s : HwStat.values()) totals.merge(s, s.read(mmio), Long::sum);
        }
    }

    /** The totals by register name. */
    Map<String, Long> snapshot() {
        Map<String, Long> hw = new LinkedHashMap<>();
        synchronized (totals) {
            totals.forEach((k, v) -> hw.put(k.name(), v));
        }
        return hw;
    }
}
