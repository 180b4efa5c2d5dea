package dev.vpcie.cli;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** {@code vrc lspci} with pciutils' other options, on the command line (their formats are checked against pciutils in vrc). */
class VrcLspciFormatsTest extends InMemoryVrcCommand {

    @Test void numericMachineTreeAndDomainForms() {
        assertEquals(0, run("vrc", "--iface", "t", "lspci", "-n"), err.toString());
        assertEquals("01:00.0 0200: 8086:100e (rev 03)\n", out.toString());
        assertEquals(0, run("vrc", "--iface", "t", "lspci", "-nn"), err.toString());
        assertEquals("01:00.0 Ethernet controller [0200]: Intel Corporation 82540EM Gigabit Ethernet Controller [8086:100e] (rev 03)\n", out.toString());
        assertEquals(0, run("vrc", "--iface", "t", "lspci", "-vmm"), err.toString());
        assertTrue(out.toString().startsWith("Slot:\t01:00.0\nClass:\tEthernet controller\nVendor:\tIntel Corporation\n"), out.toString());
        assertEquals(0, run("vrc", "--iface", "t", "lspci", "-mm", "-D"), err.toString());
        assertTrue(out.toString().startsWith("0000:01:00.0 \"Ethernet controller\" \"Intel Corporation\" \"82540EM Gigabit Ethernet Controller\" -r03"),
                out.toString());
        assertEquals(0, run("vrc", "--iface", "t", "lspci", "-t"), err.toString());
        assertEquals("-+-[0000:00]-\n \\-[0000:01]---00.0\n", out.toString());
    }

    @Test void partialSlotsAndIdsSelect() {
        assertEquals(0, run("vrc", "--iface", "t", "lspci", "-s", "01:00"), err.toString());
        assertTrue(out.toString().startsWith("01:00.0 "), out.toString());
        assertEquals(0, run("vrc", "--iface", "t", "lspci", "-s", "02:"), err.toString());
        assertEquals("", out.toString());
        assertEquals(0, run("vrc", "--iface", "t", "lspci", "-d", "8086:100e"), err.toString());
        assertTrue(out.toString().startsWith("01:00.0 "), out.toString());
        assertEquals(2, run("vrc", "--iface", "t", "lspci", "-s", "1:2:3:4"));
        assertTrue(err.toString().contains("-s takes [[[[domain]:]bus]:][device][.[func]]"), err.toString());
        assertEquals(2, run("vrc", "--iface", "t", "lspci", "-d", "zz:"));
    }
}
