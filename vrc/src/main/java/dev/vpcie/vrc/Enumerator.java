package dev.vpcie.vrc;

import dev.vpcie.protocol.pci.Capability;
import dev.vpcie.protocol.pci.CapabilityWalker;
import dev.vpcie.protocol.pci.PciConfig;
import dev.vpcie.protocol.tlp.Bdf;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enumeration with real configuration requests, as firmware and the OS do it. Each endpoint
 * sits alone below a root port, so its functions are device 0 on the link's bus; like Linux
 * for PCIe downstream ports, only device 0 is scanned (the endpoint answers other device
 * numbers with UR). For each function: IDs and header type (multi-function bit decides
 * whether functions 1..7 are probed), BAR sizing (write all-ones, read back, restore) with
 * decoding off, assignment from the MMIO/I/O windows, capability walk, MPS/MRRS programming,
 * Interrupt Line, and finally Memory/I/O Space and Bus Master enable.
 *
 * <p>The first configuration write a function sees (clearing its decode enables) is how it
 * learns its bus and device number, as PCI Express requires.
 */
final class Enumerator {
    private static final Logger log = LoggerFactory.getLogger(Enumerator.class);
    private static final int FIRST_IRQ = 16;

    private final RootComplex rc;
    private final BusWindow mmio32, mmio64, io;
    /** BAR addresses given to each bus, freed when it is re-enumerated or released. */
    private final Map<Integer, List<Placed>> assigned = new HashMap<>();

    private record Placed(BusWindow window, long address) {}

    Enumerator(RootComplex rc) {
        this.rc = rc;
        RootComplexConfig c = rc.config();
        this.mmio32 = new BusWindow(c.mmio32(), 4096);
        this.mmio64 = c.mmio64() == null ? null : new BusWindow(c.mmio64(), 4096);
        this.io = new BusWindow(c.io(), 16);
    }

    synchronized List<PcieDevice> scan(EndpointLink link) throws InterruptedException {
        releaseBus(link.bus());
        List<PcieDevice> found = new ArrayList<>();
        boolean multiFunction = false;
        for (int fn = 0; fn < 8; fn++) {
            if (fn > 0 && !multiFunction) break;
            int bdf = Bdf.of(link.bus(), 0, fn);
            Access id = rc.configAccess(bdf, PciConfig.VENDOR_ID, 4, false);
            int vendor = (int) (id.value() & 0xFFFF);
            if (!id.outcome().ok() || vendor == 0xFFFF || vendor == 0) {
                if (fn == 0) {
                    log.warn("bus {}: no function 0 ({}) behind {}", link.bus(), id.outcome(), link.describe());
                    return found;
                }
                continue;
            }
            int header = read(bdf, PciConfig.HEADER_TYPE, 1);
            if (fn == 0) multiFunction = (header & PciConfig.HeaderType.MULTI_FUNCTION) != 0;
            if ((header & PciConfig.HeaderType.LAYOUT_MASK) != 0) {
                log.warn("{}: header type {} is not an endpoint (type 0); skipped", Bdf.toString(bdf), header & PciConfig.HeaderType.LAYOUT_MASK);
                continue;
            }
            found.add(function(link, bdf, (int) (id.value() >>> 16), vendor, header));
            if (Thread.interrupted()) throw new InterruptedException();
        }
        log.info("bus {}: {} function(s) behind {}", link.bus(), found.size(), link.describe());
        return found;
    }

    private PcieDevice function(EndpointLink link, int bdf, int deviceId, int vendorId, int header) {
        int command = read(bdf, PciConfig.COMMAND, 2);
        // Decoding off while the BARs move; this is also the function's first type-0 write.
        write(bdf, PciConfig.COMMAND, 2, command & ~(PciConfig.Command.IO_SPACE_ENABLE | PciConfig.Command.MEMORY_SPACE_ENABLE | PciConfig.Command.BUS_MASTER_ENABLE));
        int classRev = read(bdf, PciConfig.REVISION_ID, 4);
        int subsystem = read(bdf, PciConfig.SUBSYSTEM_VENDOR_ID, 4);
        int pin = read(bdf, PciConfig.INTERRUPT_PIN, 1);
        List<Bar> bars = assign(bdf, size(bdf));
        List<Capability> caps = capabilities(bdf);
        int[] payload = programPcie(bdf, caps);
        enable(bdf, command, pin, bars);
        PcieDevice d = new PcieDevice(rc, link, bdf, vendorId, deviceId, classRev & 0xFF, classRev >>> 8,
                subsystem & 0xFFFF, subsystem >>> 16, header, pin, bars, caps, payload[0], payload[1]);
        log.info("{}: {}", d, bars);
        return d;
    }

    /** Interrupt Line, then decoding of the assigned BARs and bus mastering: the last steps for a function. */
    private void enable(int bdf, int command, int pin, List<Bar> bars) {
        if (pin != 0) write(bdf, PciConfig.INTERRUPT_LINE, 1, Math.min(0xFE, FIRST_IRQ + (Bdf.bus(bdf) - 1) * 8 + Bdf.function(bdf)));
        boolean mem = bars.stream().anyMatch(b -> b.isMemory() && b.assigned());
        boolean ioBar = bars.stream().anyMatch(b -> !b.isMemory() && b.assigned());
        write(bdf, PciConfig.COMMAND, 2, (command & ~(PciConfig.Command.IO_SPACE_ENABLE | PciConfig.Command.MEMORY_SPACE_ENABLE)) | PciConfig.Command.BUS_MASTER_ENABLE
                | (mem ? PciConfig.Command.MEMORY_SPACE_ENABLE : 0) | (ioBar ? PciConfig.Command.IO_SPACE_ENABLE : 0));
    }

    /**
     * Hot insertion: sets up a function that was reset behind our back exactly as enumeration
     * left it (same BAR addresses, MPS/MRRS, Interrupt Line, decoding and bus mastering), after
     * checking it is the same device: IDs, class and BAR layout. Returns null when restored, or
     * what differs (nothing is written to a different device but the probes of BAR sizing); a
     * failed access throws.
     */
    synchronized String restore(PcieDevice known) {
        int bdf = known.bdf();
        Access id = probeId(bdf);
        switch (id.outcome()) {
            case SUCCESS -> { }
            case UNSUPPORTED_REQUEST, COMPLETER_ABORT -> {
                return "no function answers at " + Bdf.toString(bdf) + " (" + id.outcome() + ")";
            }
            // Not an answer about the device: a restarting or overloaded endpoint, or the link gone again.
            case TIMEOUT, CONFIG_RETRY, LINK_DOWN -> throw new IllegalStateException(
                    Bdf.toString(bdf) + " did not answer its ID read (" + id.outcome() + ", " + ID_ATTEMPTS + " attempts)");
        }
        int vendor = (int) (id.value() & 0xFFFF), deviceId = (int) (id.value() >>> 16);
        int classCode = read(bdf, PciConfig.REVISION_ID, 4) >>> 8;
        if (vendor != known.vendorId() || deviceId != known.deviceId() || classCode != known.classCode())
            return String.format("%s is now [%04x:%04x] class %06x, was [%04x:%04x] class %06x", Bdf.toString(bdf), vendor, deviceId,
                    classCode, known.vendorId(), known.deviceId(), known.classCode());
        int command = read(bdf, PciConfig.COMMAND, 2);
        write(bdf, PciConfig.COMMAND, 2, command & ~(PciConfig.Command.IO_SPACE_ENABLE | PciConfig.Command.MEMORY_SPACE_ENABLE | PciConfig.Command.BUS_MASTER_ENABLE));
        List<Bar> sized = size(bdf);
        List<String> layout = sized.stream().map(b -> b.index() + ":" + b.kind() + ":" + b.size()).toList();
        List<String> knownLayout = known.bars().stream().map(b -> b.index() + ":" + b.kind() + ":" + b.size()).toList();
        if (!layout.equals(knownLayout)) return Bdf.toString(bdf) + " has BARs " + layout + ", had " + knownLayout;
        for (Bar b : known.bars()) if (b.assigned()) writeBar(bdf, b);
        programPcie(bdf, known.capabilities());
        enable(bdf, command, known.interruptPin(), known.bars());
        return null;
    }

    /** How often a function that was there is asked for its ID after its link came back. */
    static final int ID_ATTEMPTS = 5;

    /**
     * The ID of a function that was there, after a hot insertion: a Configuration Request Retry
     * (a function still initialising after its reset: PCIe has software retry) and a missed
     * completion (an endpoint still starting, or a loaded machine) are asked again, a little later.
     */
    private Access probeId(int bdf) {
        Access id = rc.configAccess(bdf, PciConfig.VENDOR_ID, 4, false);
        for (int attempt = 1; attempt < ID_ATTEMPTS && (id.outcome() == Outcome.TIMEOUT || id.outcome() == Outcome.CONFIG_RETRY); attempt++) {
            LockSupport.parkNanos(RETRY_PAUSE_NS); // the hot-plug worker's own thread, not the loop
            id = rc.configAccess(bdf, PciConfig.VENDOR_ID, 4, false);
        }
        return id;
    }

    private static final long RETRY_PAUSE_NS = 100_000_000L;

    /** BAR sizing: all-ones written, read back, original restored. Returns BARs with address 0. */
    private List<Bar> size(int bdf) {
        List<Bar> bars = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            int reg = PciConfig.bar(i);
            int original = read(bdf, reg, 4);
            write(bdf, reg, 4, 0xFFFF_FFFFL);
            int probe = read(bdf, reg, 4);
            write(bdf, reg, 4, original & 0xFFFF_FFFFL);
            if (probe == 0 || probe == -1 && original == -1) continue; // unimplemented (or the function vanished)
            if ((probe & PciConfig.Bar.IO_SPACE) != 0) {
                long mask = probe & ~3L & 0xFFFF_FFFFL;
                if ((probe & 0xFFFF_0000) == 0) mask |= 0xFFFF_0000L; // 16-bit I/O decoder
                bars.add(new Bar(i, Bar.Kind.IO, false, 0, (~mask + 1) & 0xFFFF_FFFFL));
                continue;
            }
            boolean prefetchable = (probe & PciConfig.Bar.PREFETCHABLE) != 0;
            if ((probe & PciConfig.Bar.MEMORY_TYPE_MASK) == PciConfig.Bar.MEMORY_TYPE_64 && i < 5) {
                int originalHigh = read(bdf, reg + 4, 4);
                write(bdf, reg + 4, 4, 0xFFFF_FFFFL);
                int probeHigh = read(bdf, reg + 4, 4);
                write(bdf, reg + 4, 4, originalHigh & 0xFFFF_FFFFL);
                long mask = (long) probeHigh << 32 | (probe & ~0xFL & 0xFFFF_FFFFL);
                bars.add(new Bar(i, Bar.Kind.MEMORY_64, prefetchable, 0, ~mask + 1));
                i++;
            } else {
                long mask = probe & ~0xFL & 0xFFFF_FFFFL | 0xFFFF_FFFF_0000_0000L;
                bars.add(new Bar(i, Bar.Kind.MEMORY_32, prefetchable, 0, ~mask + 1));
            }
        }
        return bars;
    }

    /** Places BARs, largest first (so alignment wastes least), and writes the addresses. */
    private List<Bar> assign(int bdf, List<Bar> sized) {
        List<Bar> order = new ArrayList<>(sized);
        order.sort(Comparator.comparingLong(Bar::size).reversed());
        Map<Integer, Bar> placed = new HashMap<>();
        for (Bar b : order) {
            BusWindow window = b.kind() == Bar.Kind.IO ? io
                    : b.kind() == Bar.Kind.MEMORY_64 && b.prefetchable() && mmio64 != null ? mmio64 : mmio32;
            long alignment = b.isMemory() ? Math.max(b.size(), 4096) : Math.max(b.size(), 4);
            OptionalLong at = b.size() > 0 && Long.bitCount(b.size()) == 1 ? window.allocate(Bdf.bus(bdf), b.size(), alignment) : OptionalLong.empty();
            if (at.isEmpty()) {
                log.error("{}: BAR {} ({} bytes, {}) does not fit its window; left unassigned", Bdf.toString(bdf), b.index(),
                        b.size(), b.kind());
                placed.put(b.index(), b);
                continue;
            }
            long address = at.getAsLong();
            assigned.computeIfAbsent(Bdf.bus(bdf), k -> new ArrayList<>()).add(new Placed(window, address));
            Bar placedBar = new Bar(b.index(), b.kind(), b.prefetchable(), address, b.size());
            writeBar(bdf, placedBar);
            placed.put(b.index(), placedBar);
        }
        return sized.stream().map(b -> placed.get(b.index())).toList();
    }

    private void writeBar(int bdf, Bar b) {
        int reg = PciConfig.bar(b.index());
        write(bdf, reg, 4, b.address() & 0xFFFF_FFFFL);
        if (b.kind() == Bar.Kind.MEMORY_64) write(bdf, reg + 4, 4, b.address() >>> 32);
    }

    /** Gives back the BAR ranges of a bus (re-enumerated, or its endpoint released). */
    synchronized void releaseBus(int bus) {
        List<Placed> old = assigned.remove(bus);
        if (old == null) return;
        for (Placed p : old) p.window().free(bus, p.address());
    }

    /** Walks the capability lists (standard, then extended); a broken list is logged and cut short. */
    private List<Capability> capabilities(int bdf) {
        CapabilityWalker.Walk walk = CapabilityWalker.standard(offset -> read(bdf, offset, 4));
        walk.defect().ifPresent(d -> log.warn("{}: capability list: {}", Bdf.toString(bdf), d));
        List<Capability> caps = new ArrayList<>(walk.capabilities());
        if (walk.find(PciConfig.CapId.PCI_EXPRESS).isPresent()) { // only PCI Express functions have extended space
            CapabilityWalker.Walk extended = CapabilityWalker.extended(offset -> read(bdf, offset, 4));
            extended.defect().ifPresent(d -> log.warn("{}: extended capability list: {}", Bdf.toString(bdf), d));
            caps.addAll(extended.capabilities());
        }
        return caps;
    }

    /** Programs Max Payload Size and Max Read Request Size; returns {MPS, MRRS} in bytes. */
    private int[] programPcie(int bdf, List<Capability> caps) {
        Capability pcie = caps.stream().filter(c -> !c.extended() && c.id() == PciConfig.CapId.PCI_EXPRESS).findFirst().orElse(null);
        if (pcie == null) return new int[] {128, 128};
        int supported = PciConfig.Pcie.maxPayloadSupported(read(bdf, pcie.offset() + PciConfig.Pcie.DEVICE_CAPABILITIES, 4));
        int mps = Math.min(rc.config().maxPayloadSize(), supported);
        int mrrs = rc.config().maxReadRequestSize();
        int control = read(bdf, pcie.offset() + PciConfig.Pcie.DEVICE_CONTROL, 2);
        write(bdf, pcie.offset() + PciConfig.Pcie.DEVICE_CONTROL, 2, PciConfig.Pcie.withSizes(control, mps, mrrs));
        return new int[] {mps, mrrs};
    }

    private int read(int bdf, int offset, int width) {
        return (int) rc.configRead(bdf, offset, width).orThrow("enumeration: configuration read of " + Bdf.toString(bdf) + " at 0x" + Integer.toHexString(offset));
    }

    private void write(int bdf, int offset, int width, long value) { rc.configWrite(bdf, offset, width, value); }
}
