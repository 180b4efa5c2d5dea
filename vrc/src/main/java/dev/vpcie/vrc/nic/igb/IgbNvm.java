package dev.vpcie.vrc.nic.igb;

import static dev.vpcie.vrc.nic.igb.IgbRegs.*;

import dev.vpcie.vrc.nic.Mmio;
import dev.vpcie.vrc.nic.NicException;
import java.util.concurrent.locks.LockSupport;

/**
 * NVM reads through EERD, as igb does for NVMs below 32 K words: write the word address with
 * START, poll DONE, take the data from bits 31:16. Each word is one posted write and, with a NIC
 * that completes at once, one read.
 */
final class IgbNvm {
    private static final int DONE_POLLS = 100_000;

    private final Mmio mmio;
    private final int words;

    IgbNvm(Mmio mmio, int eecd) {
        this.mmio = mmio;
        int size = ((eecd & EECD_SIZE_EX_MASK) >>> EECD_SIZE_EX_SHIFT) + 6;
        this.words = 1 << Math.min(size, 15);
    }

    int words() { return words; }

    int read(int address) {
        if (address < 0 || address >= words) throw new IllegalArgumentException("NVM word " + address + " outside 0.." + (words - 1));
        mmio.write(EERD, address << EERD_ADDR_SHIFT | EERD_START);
        for (int i = 0; i < DONE_POLLS; i++) {
            int eerd = mmio.read(EERD);
            if ((eerd & EERD_DONE) != 0) {
                int echoed = (eerd & 0xFFFF) >>> EERD_ADDR_SHIFT;
                if (echoed != address)
                    throw new NicException(String.format("%s: NVM Read Error: EERD answered word 0x%x for a read of word 0x%x",
                            mmio.device().name(), echoed, address));
                return eerd >>> EERD_DATA_SHIFT;
            }
            LockSupport.parkNanos(5_000);
        }
        throw new NicException(mmio.device().name() + ": NVM Read Error: EERD.DONE never set for word 0x" + Integer.toHexString(address));
    }

    int[] read(int first, int count) {
        int[] out = new int[count];
        for (int i = 0; i < count; i++) out[i] = read(first + i);
        return out;
    }
}
