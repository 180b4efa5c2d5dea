package dev.vpcie.cli;

import dev.vpcie.vrc.lspci.ConfigDump;
import dev.vpcie.vrc.lspci.Lspci;
import dev.vpcie.vrc.lspci.LspciFilter;
import dev.vpcie.vrc.lspci.LspciFunction;
import dev.vpcie.vrc.lspci.LspciMachine;
import dev.vpcie.vrc.lspci.LspciTree;
import dev.vpcie.vrc.lspci.PciIds;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code vpcie vrc lspci}: the enumerated functions in pciutils' lspci layout. */
@Command(name = "lspci", mixinStandardHelpOptions = true,
        description = {"List the enumerated functions as pciutils' lspci does (-v, -vv; -x, -xxx, -xxxx dumps that lspci -F reads).",
                "Also -n/-nn (numeric IDs), -m/-mm/-vmm (machine readable), -t/-tv (tree), -D (domains), -k, "
                        + "-s [[[[domain]:]bus]:][dev][.[func]] and -d [vendor]:[device][:class] selections, as in pciutils."})
final class VrcLspciCommand implements Callable<Integer> {
    @ParentCommand VrcCommand vrc;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "-v", description = "verbose: BARs and capabilities; -vv decodes them") boolean[] verbose = new boolean[0];
    @Option(names = "-x", description = "hex dump: -x header, -xxx 256 bytes, -xxxx 4 KiB") boolean[] hex = new boolean[0];
    @Option(names = "-n", description = "numeric vendor, device and class IDs; -nn both names and numbers") boolean[] numeric = new boolean[0];
    @Option(names = "-m", description = "machine readable: -m, -mm; with -v a record per function (-vmm)") boolean[] machine = new boolean[0];
    @Option(names = "-t", description = "the bus tree (-tv with names)") boolean tree;
    @Option(names = "-D", description = "show the PCI domain (always 0000) in every slot") boolean domains;
    @Option(names = "-k", description = "as lspci -k (a VRC function has no kernel driver to name: the Subsystem line)") boolean kernel;
    @Option(names = "-s", paramLabel = "SLOT", description = "only these functions: [[[[domain]:]bus]:][dev][.[func]], e.g. 01:00.0, 01:00, .1")
    String slot;
    @Option(names = "-d", paramLabel = "VEN:DEV", description = "only these IDs: [vendor]:[device][:class], e.g. 8086:10c9, 8086:")
    String ids;
    @Option(names = "--pci-ids", paramLabel = "FILE", description = "pci.ids to name devices with (default: "
            + "/usr/share/misc/pci.ids if present, else a built-in table)") java.nio.file.Path pciIds;

    @Override public Integer call() throws Exception {
        if (pciIds != null && !java.nio.file.Files.isReadable(pciIds))
            throw new CommandLine.ParameterException(spec.commandLine(), "cannot read " + pciIds);
        PciIds names = pciIds == null ? PciIds.load() : PciIds.parse(java.nio.file.Files.readString(pciIds,
                java.nio.charset.StandardCharsets.ISO_8859_1));
        names = names.withNaming(numeric.length == 0 ? PciIds.Naming.NAMES : numeric.length == 1 ? PciIds.Naming.NUMERIC : PciIds.Naming.BOTH);
        LspciFilter filter = LspciFilter.ALL;
        try {
            if (slot != null) filter = filter.slot(slot);
            if (ids != null) filter = filter.ids(ids);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        LspciFilter selected = filter;
        PciIds shown = names;
        return vrc.run(rc -> {
            List<LspciFunction> fns = rc.devices().stream().map(LspciFunction::of).filter(selected::matches).toList();
            vrc.out().print(render(shown, fns));
            vrc.out().flush();
            return 0;
        });
    }

    private String render(PciIds names, List<LspciFunction> fns) {
        if (tree) return new LspciTree(names).render(fns, verbose.length > 0);
        if (machine.length > 0) return new LspciMachine(names, domains).render(fns, machine.length, verbose.length > 0);
        ConfigDump.Extent extent = hex.length == 0 ? null : ConfigDump.Extent.forCount(hex.length);
        return new Lspci(names, domains, kernel).render(fns, Math.min(2, verbose.length), extent);
    }
}
