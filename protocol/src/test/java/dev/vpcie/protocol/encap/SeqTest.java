package dev.vpcie.protocol.encap;

import static org.junit.jupiter.api.Assertions.*;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class SeqTest {
    @Test void comparesAcrossTheWrap() {
        int top = 0xFFFF_FFFF, zero = 0;
        assertEquals(zero, Seq.next(top));
        assertTrue(Seq.lessThan(top, zero));
        assertTrue(Seq.greaterThan(zero, top));
        assertEquals(1, Seq.diff(zero, top));
        assertEquals(-1, Seq.diff(top, zero));
        assertTrue(Seq.inRange(zero, top - 5, 3));
        assertFalse(Seq.inRange(3, top - 5, 3));
        assertEquals(2, Seq.max(top - 1, 2));
        assertEquals("4294967295", Seq.toString(top));
    }

    @Property void orderHoldsWithinHalfTheSpace(@ForAll int base, @ForAll @IntRange(min = 1, max = Integer.MAX_VALUE) int ahead) {
        int later = Seq.add(base, ahead);
        assertTrue(Seq.lessThan(base, later));
        assertTrue(Seq.greaterThan(later, base));
        assertTrue(Seq.lessOrEqual(base, later) && Seq.greaterOrEqual(later, base));
        assertEquals(ahead, Seq.diff(later, base));
        assertTrue(Seq.inRange(base, base, later));
        assertFalse(Seq.inRange(later, base, later));
    }
}
