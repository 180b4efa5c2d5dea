package dev.vpcie.protocol.tlp;

import static org.junit.jupiter.api.Assertions.*;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class BdfTest {
    @Test void printsAndParsesLikeLspci() {
        assertEquals("01:1f.7", Bdf.toString(Bdf.of(1, 31, 7)));
        assertEquals(Bdf.of(0x3a, 2, 1), Bdf.parse("0000:3a:02.1"));
        assertThrows(IllegalArgumentException.class, () -> Bdf.parse("3a-02.1"));
        assertThrows(IllegalArgumentException.class, () -> Bdf.parse("3a:20.1"));
    }

    @Property void roundTrips(@ForAll @IntRange(min = 0, max = 0xFFFF) int id) {
        assertEquals(id, Bdf.parse(Bdf.toString(id)));
    }
}
