package dev.vpcie.protocol.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.testsupport.netns.NamespaceTests;
import dev.vpcie.testsupport.netns.VethTestbed;
import org.junit.jupiter.api.Test;

/** Changing an interface: the errors anywhere, the changes themselves in a namespace of the test's own (root). */
class InterfaceIoctlTest {
    @Test
    void aMissingInterfaceIsNamedAndABadNameRefused() {
        var e = assertThrows(NetDevice.NoSuchInterfaceException.class, () -> InterfaceIoctl.setMtu("vpnosuch9", 1500));
        assertEquals("no such interface 'vpnosuch9'", e.getMessage());
        assertThrows(NetDevice.NoSuchInterfaceException.class, () -> InterfaceIoctl.isUp("vpnosuch9"));
        assertThrows(NetDevice.NoSuchInterfaceException.class, () -> InterfaceIoctl.setUp("vpnosuch9", true));
        assertThrows(IllegalArgumentException.class, () -> InterfaceIoctl.setUp("a-name-longer-than-15", true));
        assertThrows(IllegalArgumentException.class, () -> InterfaceIoctl.isUp(""));
    }

    @Test
    void mtuAndUpAreSetInTheCallersNamespace() throws Exception {
        NamespaceTests.assumeAvailable("interface ioctl test");
        try (VethTestbed testbed = VethTestbed.create("ioc")) {
            String name = testbed.interfaceA();
            testbed.a().call(() -> {
                InterfaceIoctl.setMtu(name, 1400);
                assertEquals(1400, NetDevice.lookup(name).mtu());
                InterfaceIoctl.setUp(name, false);
                assertFalse(InterfaceIoctl.isUp(name));
                InterfaceIoctl.setUp(name, true);
                assertTrue(InterfaceIoctl.isUp(name));
                return null;
            });
        }
    }
}
