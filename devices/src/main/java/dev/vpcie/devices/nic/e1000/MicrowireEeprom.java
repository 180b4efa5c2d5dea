package dev.vpcie.devices.nic.e1000;

import static dev.vpcie.devices.nic.e1000.E1000Registers.*;

import dev.vpcie.devices.nic.MacAddress;
import dev.vpcie.devices.nic.NvmImage;

/**
 * The 82540EM's serial EEPROM: a 93C46-style Microwire part of 64 words that software bit-bangs
 * through EECD, plus the EERD register that reads a word in one access.
 *
 * <h2>EECD</h2>
 * SK (clock), CS, DI, FWE and REQ read back as written; DO is the part's output; PRES reads 1 (a
 * part is fitted); GNT reads 1 while REQ is set (software owns the interface; no firmware here);
 * SIZE reads 0 (64 words, 6 address bits).
 *
 * <h2>Microwire protocol</h2>
 * CS rising resets the part. While CS is high, each SK rising edge shifts DI in. After a start bit
 * and a 2-bit opcode (together the 3-bit opcode 1xx) and 6 address bits:
 * <ul>
 *   <li>110 READ: on every SK falling edge the part advances its output by one bit; the first bit
 *       sampled after the falling edge that follows the last address bit is bit 15 of the word.
 *       Reading on past the word continues with the next one (sequential read).</li>
 *   <li>101 WRITE: 16 data bits follow; the word is written if writes are enabled.</li>
 *   <li>111 ERASE: the word becomes 0xFFFF if writes are enabled.</li>
 *   <li>100 with address 11xxxx EWEN (enable writes), 00xxxx EWDS (disable); 10xxxx ERAL and
 *       01xxxx WRAL are not supported (counted).</li>
 * </ul>
 * When not reading, DO reads 1: the part is ready (writes complete at once).
 *
 * <p>The words persist across device resets (it is non-volatile memory).
 */
final class MicrowireEeprom {
    static final int WORDS = 64;
    private static final int ADDRESS_BITS = 6;
    private static final int COMMAND_BITS = 3 + ADDRESS_BITS;
    private static final int OP_READ = 0b110;
    private static final int OP_WRITE = 0b101;
    private static final int OP_ERASE = 0b111;
    private static final int OP_MISC = 0b100;
    private static final int SOFTWARE_BITS = EECD_SK | EECD_CS | EECD_DI | EECD_FWE_MASK | EECD_REQ;

    private final int[] words;
    private int eecd;
    private int shifter;
    private int bitsIn;
    private boolean reading;
    private int outputBit;
    private boolean writeEnabled;
    private int pendingWriteAddress = -1;
    private long unsupportedCommands;
    private long refusedWrites;

    MicrowireEeprom(NvmImage image) {
        if (image.size() != WORDS) throw new IllegalArgumentException("the 82540EM's EEPROM holds " + WORDS + " words, not " + image.size());
        this.words = image.words();
    }

    /** Resets the interface (device reset); the contents stay. */
    void resetInterface() {
        eecd = 0;
        shifter = 0;
        bitsIn = 0;
        reading = false;
        outputBit = 0;
        writeEnabled = false;
        pendingWriteAddress = -1;
    }

    int word(int index) { return words[index]; }

    /** The Ethernet address in words 0..2, which a reset loads into RAL0/RAH0. */
    MacAddress ethernetAddress() { return NvmImage.ofWords(words).ethernetAddress(); }

    long unsupportedCommands() { return unsupportedCommands; }

    long refusedWrites() { return refusedWrites; }

    // ---------------------------------------------------------------- EECD

    int readEecd() {
        int v = eecd | EECD_PRES;
        if ((eecd & EECD_REQ) != 0) v |= EECD_GNT;
        if (dataOut()) v |= EECD_DO;
        return v;
    }

    void writeEecd(int value) {
        int old = eecd;
        eecd = value & SOFTWARE_BITS;
        if ((eecd & EECD_CS) == 0) return;
        if ((old & EECD_CS) == 0) { // CS rising: the part starts a new command
            shifter = 0;
            bitsIn = 0;
            reading = false;
            outputBit = 0;
            pendingWriteAddress = -1;
        }
        boolean rising = (old & EECD_SK) == 0 && (eecd & EECD_SK) != 0;
        boolean falling = (old & EECD_SK) != 0 && (eecd & EECD_SK) == 0;
        if (falling && reading) outputBit++;
        if (rising) clockIn((eecd & EECD_DI) != 0);
    }

    private boolean dataOut() {
        if (!reading) return true;
        int w = words[(outputBit >>> 4) % WORDS];
        return (w >>> (15 - (outputBit & 15)) & 1) != 0;
    }

    private void clockIn(boolean bit) {
        if (reading) return; // DI is ignored while the part shifts a word out
        shifter = shifter << 1 | (bit ? 1 : 0);
        bitsIn++;
        if (pendingWriteAddress >= 0) {
            if (bitsIn == COMMAND_BITS + 16) {
                store(pendingWriteAddress, shifter & 0xFFFF);
                pendingWriteAddress = -1;
            }
            return;
        }
        if (bitsIn != COMMAND_BITS) return;
        int opcode = shifter >>> ADDRESS_BITS & 0b111;
        int address = shifter & (WORDS - 1);
        switch (opcode) {
            case OP_READ -> {
                reading = true;
                // The next falling edge advances to bit 0 of the word: the MSB is sampled after it.
                outputBit = address * 16 - 1;
            }
            case OP_WRITE -> pendingWriteAddress = address;
            case OP_ERASE -> store(address, 0xFFFF);
            case OP_MISC -> {
                switch (address >>> (ADDRESS_BITS - 2)) {
                    case 0b11 -> writeEnabled = true;
                    case 0b00 -> writeEnabled = false;
                    default -> unsupportedCommands++;
                }
            }
            default -> unsupportedCommands++; // no start bit: not a command
        }
    }

    private void store(int address, int value) {
        if (!writeEnabled) {
            refusedWrites++;
            return;
        }
        words[address] = value;
    }

    // ---------------------------------------------------------------- EERD

    /** The EERD value after software wrote {@code value}: with START, the read is done at once. */
    static int eerdResult(int value, MicrowireEeprom eeprom) {
        if ((value & EERD_START) == 0) return value & ~EERD_DONE;
        int address = value >>> EERD_ADDR_SHIFT & 0xFF;
        int data = address < WORDS ? eeprom.words[address] : 0;
        return (value & ~(EERD_START | 0xFFFF_0000)) | EERD_DONE | data << EERD_DATA_SHIFT;
    }
}
