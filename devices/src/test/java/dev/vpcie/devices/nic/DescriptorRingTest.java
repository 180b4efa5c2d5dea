package dev.vpcie.devices.nic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DescriptorRingTest {

    @Test
    void registersDescribeTheRing() {
        DescriptorRing r = DescriptorRing.of(0x1234_567F, 0x1, 4096, 250, 5);
        assertEquals(0x1_1234_5670L, r.base());
        assertEquals(256, r.count());
        assertTrue(r.valid());
        assertEquals(11, r.owned());
        assertEquals(6, r.ownedBeforeWrap());
        assertEquals(0x1_1234_5670L + 250 * 16, r.headAddress());
        assertEquals(0, r.next(255));
        assertEquals(3, r.advance(250, 9));
        assertFalse(r.isEmpty());
    }

    @Test
    void emptyAndNonsenseRings() {
        assertTrue(DescriptorRing.of(0, 0, 4096, 7, 7).isEmpty());
        assertFalse(DescriptorRing.of(0, 0, 0, 0, 0).valid());
        assertFalse(DescriptorRing.of(0, 0, 128, 8, 0).valid());
    }

    @Test
    void packetBufferHoldsWhatFits() {
        PacketBuffer b = new PacketBuffer(100);
        byte[] a = new byte[60];
        byte[] c = new byte[50];
        assertTrue(b.offer(a));
        assertFalse(b.offer(c));
        assertEquals(60, b.usedBytes());
        assertArrayEquals(a, b.poll());
        assertTrue(b.offer(c));
        b.clear();
        assertTrue(b.isEmpty());
        assertNull(b.poll());
    }
}
