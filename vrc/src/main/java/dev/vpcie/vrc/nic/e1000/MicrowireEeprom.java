package dev.vpcie.vrc.nic.e1000;

import static dev.vpcie.vrc.nic.e1000.E1000Regs.*;

import dev.vpcie.vrc.nic.Mmio;
import dev.vpcie.vrc.nic.NicException;
import java.util.concurrent.locks.LockSupport;

/**
 * The 82540EM's 93C46-style microwire EEPROM, bit-banged through EECD as the Linux e1000 driver
 * does it: request the grant (REQ, poll GNT), raise CS, clock out the 3-bit READ opcode (110b)
 * and the address MSB first, clock in 16 data bits MSB first from DO, "standby" between words,
 * and on release drop CS and DI, pulse SK once and clear REQ.
 *
 * <p>The Linux driver reads EECD back after every write as a flush and waits a few microseconds
 * for the EEPROM's timing. Here the writes are posted in order and a read of EECD cannot pass
 * them, so only the DO samples are reads: 16 round trips per word.
 */
final class MicrowireEeprom {
    private static final int READ_OPCODE = 0b110, OPCODE_BITS = 3;
    private static final int GRANT_ATTEMPTS = 1000;

    private final Mmio mmio;
    private int eecd;

    MicrowireEeprom(Mmio mmio) {
        this.mmio = mmio;
    }

    /** Words in the part: EECD.SIZE set means a 256-word part with 8 address bits. */
    static int wordCount(int eecd) { return (eecd & EECD_SIZE) != 0 ? 256 : 64; }

    private static int addressBits(int words) { return words == 256 ? 8 : 6; }

    /** Reads words {@code 0..count-1} under one grant. */
    int[] read(int count) {
        eecd = mmio.read(EECD);
        if ((eecd & EECD_PRES) == 0) throw new NicException(mmio.device().name() + ": no EEPROM present (EECD.PRES clear)");
        int words = wordCount(eecd);
        if (count > words) throw new IllegalArgumentException("the EEPROM has " + words + " words, asked for " + count);
        acquire();
        try {
            int[] out = new int[count];
            for (int i = 0; i < count; i++) {
                shiftOut(READ_OPCODE, OPCODE_BITS);
                shiftOut(i, addressBits(words));
                out[i] = shiftIn(16);
                standby();
            }
            return out;
        } finally {
            release();
        }
    }

    private void acquire() {
        eecd |= EECD_REQ;
        mmio.write(EECD, eecd);
        int seen = mmio.read(EECD);
        for (int i = 0; (seen & EECD_GNT) == 0 && i < GRANT_ATTEMPTS; i++) {
            LockSupport.parkNanos(5_000);
            seen = mmio.read(EECD);
        }
        if ((seen & EECD_GNT) == 0) {
            eecd &= ~EECD_REQ;
            mmio.write(EECD, eecd);
            throw new NicException(mmio.device().name() + ": could not acquire EEPROM grant (EECD.GNT never set after REQ)");
        }
        // Clear SK and DI, then select the part.
        eecd &= ~(EECD_DI | EECD_SK);
        mmio.write(EECD, eecd);
        eecd |= EECD_CS;
        mmio.write(EECD, eecd);
    }

    private void shiftOut(int data, int count) {
        eecd &= ~EECD_DO;
        for (int mask = 1 << (count - 1); mask != 0; mask >>>= 1) {
            eecd = (data & mask) != 0 ? eecd | EECD_DI : eecd & ~EECD_DI;
            mmio.write(EECD, eecd);
            raiseClock();
            lowerClock();
        }
        eecd &= ~EECD_DI;
        mmio.write(EECD, eecd);
    }

    private int shiftIn(int count) {
        eecd &= ~(EECD_DO | EECD_DI);
        int data = 0;
        for (int i = 0; i < count; i++) {
            data <<= 1;
            raiseClock();
            if ((mmio.read(EECD) & EECD_DO) != 0) data |= 1;
            lowerClock();
        }
        return data;
    }

    /** Deselect and reselect the part between words, which resets its command shifter. */
    private void standby() {
        eecd &= ~(EECD_CS | EECD_SK);
        mmio.write(EECD, eecd);
        raiseClock();
        eecd |= EECD_CS;
        mmio.write(EECD, eecd);
        lowerClock();
    }

    private void release() {
        eecd &= ~(EECD_CS | EECD_DI);
        mmio.write(EECD, eecd);
        raiseClock();
        lowerClock();
        eecd &= ~EECD_REQ;
        mmio.write(EECD, eecd);
    }

    private void raiseClock() {
        eecd |= EECD_SK;
        mmio.write(EECD, eecd);
    }

    private void lowerClock() {
        eecd &= ~EECD_SK;
        mmio.write(EECD, eecd);
    }
}
