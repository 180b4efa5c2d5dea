package dev.vpcie.vrc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vpcie.vrc.lspci.ConfigDump;
import dev.vpcie.vrc.lspci.Lspci;
import dev.vpcie.vrc.lspci.LspciFunction;
import dev.vpcie.vrc.lspci.PciIds;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code lspci -vv} of an enumerated function, through real configuration reads, against a
 * stored expected text (names from the built-in table, so the result does not depend on the
 * machine's pci.ids). Set {@code -Dvrc.golden.update=true} to rewrite the file after a
 * deliberate change, then review the diff.
 */
class LspciGoldenTest {

    static String golden(String name) throws IOException {
        try (InputStream in = LspciGoldenTest.class.getResourceAsStream("/lspci/" + name)) {
            return in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static void check(String name, String actual) throws IOException {
        if (Boolean.getBoolean("vrc.golden.update")) {
            Files.writeString(Path.of("src/test/resources/lspci", name), actual);
            return;
        }
        assertEquals(golden(name), actual, name);
    }

    @Test void fakeNicVeryVerbose() throws Exception {
        try (Fixture fx = Fixture.nic()) {
            PcieDevice d = fx.enumerateOne();
            d.enableMsix(4);
            Lspci lspci = new Lspci(PciIds.builtIn());
            List<LspciFunction> fns = List.of(LspciFunction.of(d));
            check("fake-nic-vv.txt", lspci.render(fns, 2, null));
            check("fake-nic-v.txt", lspci.render(fns, 1, null));
            check("fake-nic.txt", lspci.render(fns, 0, null));
            check("fake-nic-x.txt", lspci.render(fns, 0, ConfigDump.Extent.HEADER));
        }
    }
}
