package dev.vpcie.protocol.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.testsupport.netns.NetNamespace;
import dev.vpcie.testsupport.netns.VethPair;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Interfaces by name through the kernel: found with no IP address at all, in the namespace of
 * the calling thread. The veth case needs root (skipped with a message otherwise).
 */
class InterfaceNamesTest {
    @Test
    void loopbackIsIndexOneAndListed() throws Exception {
        assertEquals(1, InterfaceNames.index("lo"));
        assertTrue(InterfaceNames.names().contains("lo"), InterfaceNames.names().toString());
    }

    @Test
    void aMissingInterfaceIsNamed() {
        var e = assertThrows(NetDevice.NoSuchInterfaceException.class, () -> InterfaceNames.index("vpnosuch9"));
        assertEquals("no such interface 'vpnosuch9'", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> InterfaceNames.index("eth 0"));
    }

    @Test
    void aVethWithNoAddressAndIPv6DisabledIsFoundInItsNamespace() throws Exception {
        String why = NetNamespace.unavailableReason();
        Assumptions.assumeTrue(why == null, () -> "needs root: " + why);
        try (NetNamespace a = NetNamespace.create("ifna"); NetNamespace b = NetNamespace.create("ifnb");
             VethPair veth = VethPair.create(a, b)) {
            a.exec("sysctl", "-q", "-w", "net.ipv6.conf." + veth.nameA() + ".disable_ipv6=1");
            assertTrue(!a.ip("addr", "show", "dev", veth.nameA()).contains("inet"), "no address of any family");
            NetDevice d = a.call(() -> NetDevice.lookup(veth.nameA()));
            List<String> names = a.call(InterfaceNames::names);
            assertTrue(names.contains(veth.nameA()), names.toString());
            assertEquals(a.call(() -> InterfaceNames.index(veth.nameA())), d.index());
            assertTrue(a.ip("link", "show", "dev", veth.nameA()).contains(d.mac().toString()), "the MAC the kernel shows");
            assertThrows(NetDevice.NoSuchInterfaceException.class, () -> InterfaceNames.index(veth.nameA()),
                    "not in this thread's own namespace");
        }
    }
}
