package dev.vpcie.vrc.nic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The 82576 advanced receive write-back as the driver reads bytes 8-15: staterr low, length and VLAN high. */
class AdvancedRxFormatTest {
    private final AdvancedRxFormat format = new AdvancedRxFormat();

    private static long upper(int length, long staterr) { return (long) length << 32 | staterr & 0xFFFF_FFFFL; }

    @Test void aGoodFrameIsNoErrorWhateverItsLength() {
        for (int length : new int[] {60, 1514, 0xFFFF}) {
            long u = upper(length, AdvancedRxFormat.STATUS_DD | AdvancedRxFormat.STATUS_EOP);
            assertTrue(format.done(u));
            assertFalse(format.frameError(u), "length " + length);
            assertEquals(length, format.length(u));
        }
    }

    @Test void eachFrameErrorBitIsOne() {
        for (int bit : new int[] {24, 25, 26, 28, 31})
            assertTrue(format.frameError(upper(60, 1L << bit | AdvancedRxFormat.STATUS_DD)), "bit " + bit);
        assertFalse(format.frameError(upper(60, 1 << 29 | 1 << 30 | AdvancedRxFormat.STATUS_DD)), "TCPE/IPE are checksum results, not frame errors");
    }

    /**
     * Linux 6.1's igb takes a non-zero length as completion; the 82576 model writes the whole
     * descriptor (length, EOP, errors) before it sets DD, so either is a safe signal.
     */
    @Test void aDescriptorIsDoneOnceItsLengthIsWrittenAsLinuxReadsIt() {
        assertTrue(format.done(upper(60, AdvancedRxFormat.STATUS_EOP)), "length written, DD still to come");
        assertTrue(format.done(upper(0, AdvancedRxFormat.STATUS_DD)), "DD alone");
        assertFalse(format.done(0), "an armed descriptor (header address 0) is not done");
    }
}
