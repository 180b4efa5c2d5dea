package dev.vpcie.vrc.lspci;

import dev.vpcie.protocol.tlp.Bdf;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code lspci -t}: the bus tree as pciutils draws it from a dump. The VRC's buses hang off no
 * bridge it shows, so, as lspci does for such a dump, each bus is a root beside the host's empty
 * bus 00; {@code -tv} adds each function's name.
 */
public final class LspciTree {
    private final PciIds ids;

    public LspciTree(PciIds ids) { this.ids = ids; }

    public String render(List<LspciFunction> functions, boolean verbose) {
        Map<Integer, List<LspciFunction>> buses = new TreeMap<>();
        buses.put(0, new ArrayList<>());
        for (LspciFunction f : functions) buses.computeIfAbsent(Bdf.bus(f.bdf()), b -> new ArrayList<>()).add(f);
        StringBuilder out = new StringBuilder();
        int index = 0, count = buses.size();
        for (Map.Entry<Integer, List<LspciFunction>> bus : buses.entrySet()) {
            boolean last = ++index == count;
            String head = String.format("-[0000:%02x]-", bus.getKey());
            out.append(index == 1 ? (count == 1 ? "--" : "-+") : last ? " \\" : " +").append(head);
            String continuation = (last ? "  " : " |") + " ".repeat(head.length());
            List<LspciFunction> fns = bus.getValue();
            for (int i = 0; i < fns.size(); i++) {
                String branch = fns.size() == 1 ? "--" : i == 0 ? "+-" : i == fns.size() - 1 ? "\\-" : "+-";
                if (i > 0) out.append(continuation);
                out.append(branch).append(String.format("%02x.%x", Bdf.device(fns.get(i).bdf()), Bdf.function(fns.get(i).bdf())));
                if (verbose) {
                    ConfigBytes c = new ConfigBytes(fns.get(i).config());
                    out.append("  ").append(ids.device(c.u16(0x00), c.u16(0x02)));
                }
                out.append('\n');
            }
            if (fns.isEmpty()) out.append('\n');
        }
        return out.toString();
    }
}
