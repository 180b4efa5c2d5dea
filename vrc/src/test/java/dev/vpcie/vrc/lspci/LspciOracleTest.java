package dev.vpcie.vrc.lspci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vpcie.protocol.tlp.Bdf;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Differential test against the real thing: pciutils' own lspci, fed our hex dump with
 * {@code -F}, must print what we print for randomly filled configuration spaces. Skipped
 * visibly when lspci is not installed ({@code apt-get install pciutils}). Region lines are
 * left out of the comparison: from a dump, lspci knows no BAR sizes and shows the upper half
 * of a 64-bit BAR as a region of its own; {@link LspciGoldenTest} covers them.
 */
class LspciOracleTest {
    private static final Path LSPCI = Path.of("/usr/bin/lspci");

    /** A PCI Express endpoint with PM, MSI, MSI-X, Express v2, AER, DSN, every register random. */
    static byte[] randomEndpoint(Random rnd, boolean msi64, int expressVersion) {
        byte[] c = new byte[4096];
        rnd.nextBytes(c);
        set16(c, 0x00, 0x8086);
        set16(c, 0x02, rnd.nextBoolean() ? 0x10C9 : 0x100E);
        c[0x0B] = 0x02;
        c[0x0A] = (byte) (rnd.nextBoolean() ? 0x00 : 0x80);
        c[0x09] = 0;
        c[0x0E] = (byte) (rnd.nextBoolean() ? 0x80 : 0x00);
        c[0x0F] = (byte) (rnd.nextInt(4) == 0 ? c[0x0F] : 0);
        set16(c, 0x06, c[0x06] & 0xFF | 0x10 | (c[0x07] & 0xFF) << 8);
        set16(c, 0x2C, 0x8086);
        c[0x30] = c[0x31] = c[0x32] = c[0x33] = 0;
        c[0x3D] = (byte) rnd.nextInt(5);
        // BARs: 32-bit memory, unused, I/O, 32-bit memory, 64-bit prefetchable memory.
        set32(c, 0x10, 0xE000_0000);
        set32(c, 0x14, 0);
        set32(c, 0x18, 0x1001);
        set32(c, 0x1C, 0xE002_0000);
        set32(c, 0x20, 0x0000_000C);
        set32(c, 0x24, 0x8);
        c[0x34] = 0x40;
        c[0x40] = 0x01; c[0x41] = 0x50;
        c[0x50] = 0x05; c[0x51] = 0x70;
        int msiCtl = rnd.nextInt(0x200) & ~0x80 | (msi64 ? 0x80 : 0);
        set16(c, 0x52, msiCtl);
        c[0x70] = 0x11; c[0x71] = (byte) 0xA0;
        c[0xA0] = 0x10; c[0xA1] = 0x00;
        int pcieCaps = expressVersion | (rnd.nextBoolean() ? 0 : 0x10) | rnd.nextInt(32) << 9; // Endpoint or Legacy Endpoint
        set16(c, 0xA2, pcieCaps);
        set32(c, 0x100, 0x1401_0001);
        set32(c, 0x140, 0x0001_0003);
        return c;
    }

    static void set16(byte[] c, int off, int v) { c[off] = (byte) v; c[off + 1] = (byte) (v >>> 8); }
    static void set32(byte[] c, int off, int v) { set16(c, off, v); set16(c, off + 2, v >>> 16); }

    private static String withoutRegions(String s) {
        return s.lines().filter(l -> !l.startsWith("\tRegion ") && !l.startsWith("\tMemory at ") && !l.startsWith("\tI/O ports at "))
                .collect(Collectors.joining("\n"));
    }

    private static String lspci(Path dump, String... flags) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(LSPCI.toString(), "-F", dump.toString()));
        cmd.addAll(List.of(flags));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) p.destroyForcibly();
        return out;
    }

    @Test void matchesPciutilsOnRandomConfigurationSpaces() throws Exception {
        assumeTrue(Files.isExecutable(LSPCI), "skipped: pciutils' lspci is not installed (apt-get install pciutils)");
        Random rnd = new Random(20240611);
        List<LspciFunction> functions = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            int bdf = Bdf.of(1 + i / 8, 0, i % 8);
            functions.add(new LspciFunction(bdf, randomEndpoint(rnd, i % 3 != 0, i % 5 == 0 ? 1 : 2), new long[6]));
        }
        PciIds ids = PciIds.load();
        Lspci ours = new Lspci(ids);
        Path dump = Files.createTempFile("vrc-lspci", ".txt");
        try {
            Files.writeString(dump, ours.render(functions, 0, ConfigDump.Extent.EXTENDED));
            for (int v = 0; v <= 2; v++) {
                String[] flags = v == 0 ? new String[0] : new String[] {v == 1 ? "-v" : "-vv"};
                String expected = withoutRegions(lspci(dump, flags)), actual = withoutRegions(ours.render(functions, v, null));
                if (!expected.equals(actual)) { // leave both for diff(1)
                    Files.writeString(Path.of("target", "lspci-expected-v" + v + ".txt"), expected);
                    Files.writeString(Path.of("target", "lspci-actual-v" + v + ".txt"), actual);
                }
                assertEquals(expected, actual, "verbosity " + v + " (see target/lspci-*-v" + v + ".txt)");
            }
            assertEquals(lspci(dump, "-xxxx"), ours.render(functions, 0, ConfigDump.Extent.EXTENDED), "hex dump read back");
            assertEquals(lspci(dump, "-x"), ours.render(functions, 0, ConfigDump.Extent.HEADER));
        } finally {
            Files.deleteIfExists(dump);
        }
    }
}
