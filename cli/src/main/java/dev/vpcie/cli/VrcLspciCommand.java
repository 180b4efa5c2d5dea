package dev.vpcie.cli;

import dev.vpcie.protocol.tlp.Bdf;
import dev.vpcie.vrc.PcieDevice;
import dev.vpcie.vrc.lspci.ConfigDump;
import dev.vpcie.vrc.lspci.Lspci;
import dev.vpcie.vrc.lspci.LspciFunction;
import dev.vpcie.vrc.lspci.PciIds;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code vpcie vrc lspci}: the enumerated functions in pciutils' lspci layout. */
@Command(name = "lspci", mixinStandardHelpOptions = true,
        description = "List the enumerated functions as pciutils' lspci does (-v, -vv; -x, -xxx, -xxxx dumps that lspci -F reads).")
final class VrcLspciCommand implements Callable<Integer> {
    @ParentCommand VrcCommand vrc;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "-v", description = "verbose: BARs and capabilities; -vv decodes them") boolean[] verbose = new boolean[0];
    @Option(names = "-x", description = "hex dump: -x header, -xxx 256 bytes, -xxxx 4 KiB") boolean[] hex = new boolean[0];
    @Option(names = "-s", paramLabel = "BDF", description = "only this function, e.g. 01:00.0") String slot;
    @Option(names = "--pci-ids", paramLabel = "FILE", description = "pci.ids to name devices with (default: "
            + "/usr/share/misc/pci.ids if present, else a built-in table)") java.nio.file.Path pciIds;

    @Override public Integer call() throws Exception {
        if (pciIds != null && !java.nio.file.Files.isReadable(pciIds))
            throw new CommandLine.ParameterException(spec.commandLine(), "cannot read " + pciIds);
        PciIds ids = pciIds == null ? PciIds.load() : PciIds.parse(java.nio.file.Files.readString(pciIds,
                java.nio.charset.StandardCharsets.ISO_8859_1));
        Integer only = null;
        try {
            if (slot != null) only = Bdf.parse(slot);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        Integer filter = only;
        return vrc.run(rc -> {
            List<LspciFunction> fns = rc.devices().stream().filter(d -> filter == null || d.bdf() == filter)
                    .map(VrcLspciCommand::view).toList();
            ConfigDump.Extent extent = hex.length == 0 ? null : ConfigDump.Extent.forCount(hex.length);
            vrc.out().print(new Lspci(ids).render(fns, Math.min(2, verbose.length), extent));
            vrc.out().flush();
            return 0;
        });
    }

    private static LspciFunction view(PcieDevice d) { return LspciFunction.of(d); }
}
