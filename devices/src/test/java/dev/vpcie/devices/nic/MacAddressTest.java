package dev.vpcie.devices.nic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MacAddressTest {

    @Test
    void parsesAndPrints() {
        MacAddress m = MacAddress.parse("52:54:00:AB:cd:0f");
        assertEquals(0x525400ABCD0FL, m.value());
        assertEquals("52:54:00:ab:cd:0f", m.toString());
        assertEquals(m, MacAddress.parse("52-54-00-ab-cd-0f"));
        assertArrayEquals(new byte[] {0x52, 0x54, 0, (byte) 0xAB, (byte) 0xCD, 0x0F}, m.bytes());
        assertThrows(IllegalArgumentException.class, () -> MacAddress.parse("52:54:00:ab:cd"));
        assertThrows(IllegalArgumentException.class, () -> MacAddress.parse("52:54:00:ab:cd:123"));
        assertThrows(IllegalArgumentException.class, () -> new MacAddress(1L << 48));
    }

    @Test
    void receiveAddressRegistersRoundTrip() {
        MacAddress m = MacAddress.parse("52:54:00:12:34:56");
        assertEquals(0x12005452, m.ral());
        assertEquals(0x5634, m.rahAddressBits());
        assertEquals(m, MacAddress.fromReceiveAddress(m.ral(), m.rahAddressBits() | 0x8000_0000));
    }

    @Test
    void kinds() {
        assertTrue(MacAddress.BROADCAST.isBroadcast());
        assertTrue(MacAddress.BROADCAST.isMulticast());
        assertTrue(MacAddress.parse("01:00:5e:00:00:01").isMulticast());
        assertFalse(new MacAddress(0).isValidUnicast());
        assertTrue(MacAddress.parse("52:54:00:00:00:01").isValidUnicast());
        byte[] f = new byte[6];
        MacAddress.BROADCAST.write(f, 0);
        assertEquals(DestinationKind.BROADCAST, DestinationKind.of(f, 0));
        f[5] = 0;
        assertEquals(DestinationKind.MULTICAST, DestinationKind.of(f, 0));
        f[0] = 0x52;
        assertEquals(DestinationKind.UNICAST, DestinationKind.of(f, 0));
    }

    @Test
    void locallyAdministeredAddressesAreDistinctValidUnicast() {
        MacAddress a = MacAddress.locallyAdministered(1);
        MacAddress b = MacAddress.locallyAdministered(2);
        assertNotEquals(a, b);
        assertTrue(a.isValidUnicast());
        assertEquals(0x02, a.octet(0));
    }

    @Test
    void processInstancesGetDistinctLocallyAdministeredAddresses() {
        MacAddress a = MacAddress.forProcessInstance(0);
        MacAddress b = MacAddress.forProcessInstance(1);
        assertNotEquals(a, b);
        assertEquals(a, MacAddress.forProcessInstance(0), "stable for an index");
        assertTrue(a.isValidUnicast() && b.isValidUnicast());
        assertEquals(0x02, a.octet(0) & 0x03, "locally administered unicast");
        assertEquals(1, b.octet(5));
        assertThrows(IllegalArgumentException.class, () -> MacAddress.forProcessInstance(256));
        assertThrows(IllegalArgumentException.class, () -> MacAddress.forProcessInstance(-1));
    }
}
