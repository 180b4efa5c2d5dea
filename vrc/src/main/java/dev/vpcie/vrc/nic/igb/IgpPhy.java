package dev.vpcie.vrc.nic.igb;

import static dev.vpcie.vrc.nic.igb.IgbRegs.*;

import dev.vpcie.vrc.nic.Mdic;
import dev.vpcie.vrc.nic.PhyAccess;

/**
 * The 82576's IGP3 PHY as igb reaches it: every access under the PHY0 software/firmware
 * semaphore, registers above 0x0F behind a page-select write of the full register number to
 * register 0x1F, MDIC errors fatal on reads and writes.
 */
final class IgpPhy implements PhyAccess {
    private final Mdic mdic;
    private final IgbSemaphores semaphores;

    IgpPhy(Mdic mdic, IgbSemaphores semaphores) {
        this.mdic = mdic;
        this.semaphores = semaphores;
    }

    @Override public int read(int register) {
        semaphores.acquire(SWFW_PHY0_SM);
        try {
            return mdic.read(select(register));
        } finally {
            semaphores.release(SWFW_PHY0_SM);
        }
    }

    @Override public void write(int register, int value) {
        semaphores.acquire(SWFW_PHY0_SM);
        try {
            mdic.write(select(register), value);
        } finally {
            semaphores.release(SWFW_PHY0_SM);
        }
    }

    private int select(int register) {
        if (register > MAX_PHY_MULTI_PAGE_REG) mdic.write(IGP_PAGE_SELECT, register);
        return register & 0x1F;
    }
}
