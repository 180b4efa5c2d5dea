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
        VrcCommand.connector = target -> VrcConnector.Connection.of(List.of(endpoint), 1400);
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @AfterEach void restore() { VrcCommand.connector = VrcNetworks::connect; }

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

    @Test void optionsAreChecked() {
        assertEquals(2, run("vrc", "lspci"));
        assertTrue(err.toString().contains("--iface is required with --transport af_packet"), err.toString());
        assertEquals(2, run("vrc", "--transport", "udp", "--udp-listen", "127.0.0.1:4000", "lspci"));
        assertTrue(err.toString().contains("--udp-peer HOST:PORT is required"), err.toString());
        assertEquals(2, run("vrc", "--transport", "udp", "--udp-listen", "127.0.0.1", "--udp-peer", "127.0.0.1:1", "lspci"));
        assertTrue(err.toString().contains("--udp-listen must be HOST:PORT"), err.toString());
        assertEquals(2, run("vrc", "--iface", "t", "--udp-peer", "127.0.0.1:1", "lspci"));
        assertTrue(err.toString().contains("go with --transport udp only"), err.toString());
        assertEquals(2, run("vrc", "--iface", "t", "--group", "4095", "lspci"));
        assertTrue(err.toString().contains("--group must be 0..4094"), err.toString());
        assertEquals(2, run("vrc", "--iface", "t", "--transport", "carrier-pigeon", "lspci"));
        assertTrue(err.toString().contains("carrier-pigeon"), err.toString());
    }

    @Test void dmatestArgumentsAreChecked() {
        assertEquals(2, run("vrc", "--iface", "t", "dmatest", "compress"));
        assertTrue(err.toString().contains("must be copy, fill or checksum"), err.toString());
        assertEquals(2, run("vrc", "--iface", "t", "dmatest", "copy", "--size", "2G"));
        assertTrue(err.toString().contains("--size must be 1 .. 1G"), err.toString());
        assertEquals(2, run("vrc", "--iface", "t", "dmatest", "copy", "--size", "lots"));
        assertTrue(err.toString().contains("--size must be a number"), err.toString());
        assertEquals(2, run("vrc", "--iface", "t", "dmatest", "fill", "--pattern", "123456789"));
        assertTrue(err.toString().contains("--pattern must fit in 32 bits"), err.toString());
        assertEquals(2, run("vrc", "--iface", "t", "dmatest", "copy"), "the test endpoint is an 82540EM, not a dmatest");
        assertTrue(err.toString().contains("no dmatest function (1af4:10f0) found"), err.toString());
    }

    @Test void sizesTakeBinarySuffixes() {
        CommandLine cl = Main.commandLine();
        assertEquals(4096, VrcDmatestCommand.parseSize(cl, "4096"));
        assertEquals(64 << 10, VrcDmatestCommand.parseSize(cl, "64K"));
        assertEquals(1 << 20, VrcDmatestCommand.parseSize(cl, "1MiB"));
        assertEquals(1 << 30, VrcDmatestCommand.parseSize(cl, "1g"));
    }
}
