package dev.vpcie.vrc.nic.igb;

import static dev.vpcie.vrc.nic.igb.IgbRegs.*;

import dev.vpcie.vrc.nic.Mmio;
import dev.vpcie.vrc.nic.NicException;
import java.util.concurrent.locks.LockSupport;

/**
 * The 82576's two-level semaphores as igb takes them. SWSM is the hardware semaphore: reading it
 * returns SMBI and then sets it, so a read that shows SMBI clear owns it; SWESMBI must latch when
 * written. Under SWSM, the per-resource bits of SW_FW_SYNC (software 15:0, firmware 31:16) say
 * who holds the NVM or a PHY.
 */
final class IgbSemaphores {
    /** igb waits word_size + 1 polls of 50 µs for each SWSM stage. */
    private static final int SWSM_POLLS = 257;
    private static final long SWSM_DELAY_NS = 50_000;
    /** And 200 tries 5 ms apart for a SW_FW_SYNC resource. */
    private static final int SWFW_TRIES = 200;
    private static final long SWFW_DELAY_NS = 5_000_000;

    private final Mmio mmio;

    IgbSemaphores(Mmio mmio) {
        this.mmio = mmio;
    }

    /** Takes SWSM.SMBI and then SWSM.SWESMBI. */
    void acquireHw() {
        int i = 0;
        while ((mmio.read(SWSM) & SWSM_SMBI) != 0) {
            if (++i == SWSM_POLLS)
                throw new NicException(mmio.device().name() + ": Driver can't access device - SMBI bit is set (SWSM.SMBI never read as 0)");
            LockSupport.parkNanos(SWSM_DELAY_NS);
        }
        for (i = 0; i < SWSM_POLLS; i++) {
            mmio.write(SWSM, mmio.read(SWSM) | SWSM_SWESMBI);
            if ((mmio.read(SWSM) & SWSM_SWESMBI) != 0) return;
            LockSupport.parkNanos(SWSM_DELAY_NS);
        }
        releaseHw();
        throw new NicException(mmio.device().name() + ": Driver can't access the NVM (SWSM.SWESMBI does not latch)");
    }

    void releaseHw() {
        mmio.write(SWSM, mmio.read(SWSM) & ~(SWSM_SMBI | SWSM_SWESMBI));
    }

    /** Takes the SW_FW_SYNC bit {@code mask} (e.g. {@link IgbRegs#SWFW_PHY0_SM}). */
    void acquire(int mask) {
        int fwMask = mask << 16;
        for (int i = 0; i < SWFW_TRIES; i++) {
            acquireHw();
            int sync = mmio.read(SW_FW_SYNC);
            if ((sync & (mask | fwMask)) == 0) {
                mmio.write(SW_FW_SYNC, sync | mask);
                releaseHw();
                return;
            }
            releaseHw();
            LockSupport.parkNanos(SWFW_DELAY_NS);
        }
        throw new NicException(String.format("%s: Driver can't access resource 0x%x, SW_FW_SYNC timeout", mmio.device().name(), mask));
    }

    void release(int mask) {
        acquireHw();
        mmio.write(SW_FW_SYNC, mmio.read(SW_FW_SYNC) & ~mask);
        releaseHw();
    }
}
