package dev.vpcie.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class VrcCommandTest {
    private final StringWriter out = new StringWriter(), err = new StringWriter();
    private VrcTestEndpoint endpoint;

    private int run(String... args) {
        endpoint = new VrcTestEndpoint();
        VrcCommand.connector = target -> List.of(endpoint);
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @AfterEach void restore() { VrcCommand.connector = VrcConnector.UNAVAILABLE; }

    @Test void missingPciIdsFileIsAClearError() {
        assertEquals(2, run("vrc", "--iface", "test0", "lspci", "--pci-ids", "/nonexistent/pci.ids"));
        assertTrue(err.toString().contains("cannot read /nonexistent/pci.ids"), err.toString());
    }

    @Test void lspciOneLine() {
        assertEquals(0, run("vrc", "--iface", "test0", "lspci"), err.toString());
        assertTrue(out.toString().startsWith("01:00.0 Ethernet controller: Intel Corporation 82540EM Gigabit Ethernet Controller (rev 03)"),
                out.toString());
    }

    @Test void lspciHexDumpHasPciutilsLayout() {
        assertEquals(0, run("vrc", "--iface", "test0", "lspci", "-x"), err.toString());
        String[] lines = out.toString().split("\n");
        assertEquals("00: 86 80 0e 10 06 00 00 00 03 00 00 02 00 00 00 00", lines[1]);
        assertEquals(5, lines.length, "title and four rows");
        assertTrue(out.toString().endsWith("\n\n"), "a blank line after each function");
    }

    @Test void configReadWithSetpciSuffix() {
        assertEquals(0, run("vrc", "--iface", "test0", "config", "read", "01:00.0", "0x02.w"), err.toString());
        assertEquals("100e\n", out.toString());
    }

    @Test void mmioWriteThenReadAtEveryWidth() {
        assertEquals(0, run("vrc", "--iface", "t", "mmio", "write", "01:00.0", "0", "0x10.q", "0x1122334455667788"), err.toString());
        long low = (endpoint.bar0[0x10] & 0xFF) | (endpoint.bar0[0x17] & 0xFFL) << 56;
        assertEquals(0x1100_0000_0000_0088L, low);
        assertEquals(0, run("vrc", "--iface", "t", "mmio", "read", "01:00.0", "0", "4", "--width", "2"), err.toString());
        assertEquals("0x0000\n", out.toString());
    }

    @Test void badInputGivesClearErrors() {
        assertEquals(2, run("vrc", "--iface", "t", "config", "read", "1:2", "0"));
        assertTrue(err.toString().contains("not a bus:device.function"), err.toString());
        assertEquals(2, run("vrc", "--iface", "t", "mmio", "read", "01:00.0", "0", "0x10.z"));
        assertTrue(err.toString().contains("width suffix must be"), err.toString());
        assertEquals(2, run("vrc", "--iface", "t", "mmio", "write", "01:00.0", "0", "0x10.b", "0x100"));
        assertTrue(err.toString().contains("does not fit"), err.toString());
        assertEquals(2, run("vrc", "--iface", "t", "mmio", "read", "01:00.0", "3", "0"));
        assertTrue(err.toString().contains("no BAR 3"), err.toString());
    }

    @Test void withoutALinkLayerTheCommandSaysSo() {
        VrcCommand.connector = VrcConnector.UNAVAILABLE;
        CommandLine cl = Main.commandLine();
        cl.setErr(new PrintWriter(err, true));
        cl.setOut(new PrintWriter(out, true));
        assertNotEquals(0, cl.execute("vrc", "--iface", "veth0", "lspci"));
        assertTrue(err.toString().contains("no link layer"), err.toString());
    }
}
