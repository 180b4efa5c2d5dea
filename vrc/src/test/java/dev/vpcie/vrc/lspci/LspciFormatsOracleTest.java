package dev.vpcie.vrc.lspci;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vpcie.protocol.tlp.Bdf;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * pciutils' habits beside pciutils itself: {@code -n}, {@code -nn}, {@code -m}, {@code -mm},
 * {@code -vm}, {@code -vmm}, {@code -t}, {@code -tv}, {@code -D}, {@code -k}, {@code -s} with
 * partial slots and {@code -d}, each compared with the real lspci reading our dump with
 * {@code -F}. Skipped visibly without pciutils.
 */
class LspciFormatsOracleTest {
    private static final Path LSPCI = Path.of("/usr/bin/lspci");

    @TempDir static Path dir;
    static List<LspciFunction> functions = new ArrayList<>();
    static Path dump;
    static PciIds ids = PciIds.load();

    @BeforeAll static void makeDump() throws Exception {
        Random rnd = new Random(20261204);
        int[] slots = {Bdf.of(1, 0, 0), Bdf.of(1, 0, 1), Bdf.of(1, 0, 2), Bdf.of(2, 0, 0), Bdf.of(3, 0, 0), Bdf.of(3, 0, 1)};
        for (int i = 0; i < slots.length; i++) {
            byte[] c = LspciOracleTest.randomEndpoint(rnd, true, 2);
            if (i == 3) { // a device pci.ids does not know, with no subsystem and revision 0
                LspciOracleTest.set16(c, 0x00, 0x1af4);
                LspciOracleTest.set16(c, 0x02, 0x10f0);
                c[0x0B] = 0x08; c[0x0A] = (byte) 0x80; c[0x08] = 0;
                LspciOracleTest.set32(c, 0x2C, 0);
            }
            if (i == 4) c[0x09] = 0x01; // a programming interface
            if (i == 5) LspciOracleTest.set32(c, 0x2C, 0x5678_8086); // a subsystem pci.ids does not name
            functions.add(new LspciFunction(slots[i], c, new long[6]));
        }
        dump = dir.resolve("dump.txt");
        Files.writeString(dump, new Lspci(ids).render(functions, 0, ConfigDump.Extent.EXTENDED));
    }

    private static String lspci(String... flags) throws Exception {
        assumeTrue(Files.isExecutable(LSPCI), "skipped: pciutils' lspci is not installed (apt-get install pciutils)");
        List<String> cmd = new ArrayList<>(List.of(LSPCI.toString(), "-F", dump.toString()));
        cmd.addAll(List.of(flags));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return out;
    }

    private static String withoutRegions(String s) {
        return s.lines().filter(l -> !l.startsWith("\tRegion ") && !l.startsWith("\tMemory at ") && !l.startsWith("\tI/O ports at "))
                .collect(Collectors.joining("\n"));
    }

    private static PciIds naming(PciIds.Naming n) { return ids.withNaming(n); }

    @Test void numericIdsAsLspciNAndNn() throws Exception {
        assertEquals(lspci("-n"), new Lspci(naming(PciIds.Naming.NUMERIC)).render(functions, 0, null));
        assertEquals(lspci("-nn"), new Lspci(naming(PciIds.Naming.BOTH)).render(functions, 0, null));
        assertEquals(withoutRegions(lspci("-nn", "-v")), withoutRegions(new Lspci(naming(PciIds.Naming.BOTH)).render(functions, 1, null)));
        assertEquals(withoutRegions(lspci("-n", "-vv")), withoutRegions(new Lspci(naming(PciIds.Naming.NUMERIC)).render(functions, 2, null)));
    }

    @Test void machineReadableForms() throws Exception {
        assertEquals(lspci("-m"), new LspciMachine(ids, false).render(functions, 1, false));
        assertEquals(lspci("-mm"), new LspciMachine(ids, false).render(functions, 2, false));
        assertEquals(lspci("-vm"), new LspciMachine(ids, false).render(functions, 1, true));
        assertEquals(lspci("-vmm"), new LspciMachine(ids, false).render(functions, 2, true));
        assertEquals(lspci("-vmm", "-nn"), new LspciMachine(naming(PciIds.Naming.BOTH), false).render(functions, 2, true));
        assertEquals(lspci("-m", "-n"), new LspciMachine(naming(PciIds.Naming.NUMERIC), false).render(functions, 1, false));
        assertEquals(lspci("-mm", "-D"), new LspciMachine(ids, true).render(functions, 2, false));
    }

    @Test void treeForms() throws Exception {
        assertEquals(lspci("-t"), new LspciTree(ids).render(functions, false));
        assertEquals(lspci("-tv"), new LspciTree(ids).render(functions, true));
        assertEquals(lspci("-tvnn"), new LspciTree(naming(PciIds.Naming.BOTH)).render(functions, true));
        assertEquals(lspci("-tvn"), new LspciTree(naming(PciIds.Naming.NUMERIC)).render(functions, true));
    }

    @Test void domainsAndKernel() throws Exception {
        assertEquals(lspci("-D"), new Lspci(ids, true, false).render(functions, 0, null));
        assertEquals(lspci("-k"), new Lspci(ids, false, true).render(functions, 0, null));
        assertEquals(withoutRegions(lspci("-D", "-v")), withoutRegions(new Lspci(ids, true, false).render(functions, 1, null)));
    }

    @Test void partialSlotsAndIdsSelectAsLspciDoes() throws Exception {
        for (String[] sel : new String[][] {{"-s", "01:00"}, {"-s", ".1"}, {"-s", "03:"}, {"-s", "0000:01:00.2"}, {"-s", "00.0"},
                {"-d", "8086:"}, {"-d", ":10f0"}, {"-d", "8086:10c9:0200"}, {"-s", "01:", "-d", "8086:100e"}}) {
            LspciFilter filter = LspciFilter.ALL;
            for (int i = 0; i < sel.length; i += 2) filter = sel[i].equals("-s") ? filter.slot(sel[i + 1]) : filter.ids(sel[i + 1]);
            LspciFilter f = filter;
            assertEquals(lspci(sel), new Lspci(ids).render(functions.stream().filter(f::matches).toList(), 0, null), String.join(" ", sel));
        }
        assertThrows(IllegalArgumentException.class, () -> LspciFilter.ALL.slot("1:2:3:4"));
        assertThrows(IllegalArgumentException.class, () -> LspciFilter.ALL.slot("100:00"));
        assertThrows(IllegalArgumentException.class, () -> LspciFilter.ALL.ids("8086"));
    }
}
