package dev.vpcie.protocol.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** Interface look-ups need no privileges, so these run everywhere. */
class NetDeviceTest {
    @Test
    void aMissingInterfaceIsNamed() {
        var e = assertThrows(NetDevice.NoSuchInterfaceException.class, () -> NetDevice.lookup("vpnosuch9"));
        assertEquals("no such interface 'vpnosuch9'", e.getMessage());
    }

    @Test
    void loopbackIsNotEthernet() {
        var e = assertThrows(IOException.class, () -> NetDevice.lookup("lo"));
        assertTrue(e.getMessage().contains("'lo' is not Ethernet"), e.getMessage());
    }

    @Test
    void namesLinuxCannotHoldAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> NetDevice.lookup("a-name-longer-than-15"));
        assertThrows(IllegalArgumentException.class, () -> NetDevice.lookup(""));
        assertThrows(IllegalArgumentException.class, () -> NetDevice.lookup("eth 0"));
        assertThrows(IllegalArgumentException.class, () -> NetDevice.lookup("../eth0"));
    }

    @Test
    void transportsRefuseAMissingInterfaceBeforeNeedingPrivileges() {
        assertThrows(NetDevice.NoSuchInterfaceException.class, () -> AfPacketTransport.open("vpnosuch9", 0x88B5));
        assertThrows(NetDevice.NoSuchInterfaceException.class, () -> PcapTransport.open("vpnosuch9", 0x88B5));
    }
}
