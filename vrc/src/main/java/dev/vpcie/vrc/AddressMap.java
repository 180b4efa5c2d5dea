package dev.vpcie.vrc;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Routes every access: a bus number to the endpoint link behind it (each endpoint is its own
 * bus), a Routing ID to its function, and a memory or I/O address to the BAR that decodes it.
 * This is the paper's "identifier to network address" table. Changes happen at enumeration;
 * lookups (from callers and link threads) read an immutable snapshot without locking.
 */
public final class AddressMap {

    /** A BAR's decoded range and the function it belongs to. */
    public record Route(PcieDevice device, Bar bar) {}

    private record Snapshot(EndpointLink[] buses, Map<Integer, PcieDevice> devices,
                            TreeMap<Long, Route> memory, TreeMap<Long, Route> io) {}

    private volatile Snapshot snapshot = new Snapshot(new EndpointLink[256], Map.of(), new TreeMap<>(), new TreeMap<>());

    /** Puts {@code link} behind {@code bus}; null frees the bus. */
    synchronized void assignBus(int bus, EndpointLink link) {
        Snapshot s = snapshot;
        if (link != null && s.buses[bus] != null && s.buses[bus] != link) throw new IllegalStateException("bus " + bus + " already assigned");
        EndpointLink[] buses = s.buses.clone();
        buses[bus] = link;
        snapshot = new Snapshot(buses, s.devices, s.memory, s.io);
    }

    /** Adds a function and its BARs; a BAR overlapping another is a bug in the caller and throws. */
    synchronized void add(PcieDevice device) {
        Snapshot s = snapshot;
        Map<Integer, PcieDevice> devices = new HashMap<>(s.devices);
        TreeMap<Long, Route> memory = new TreeMap<>(s.memory), io = new TreeMap<>(s.io);
        if (devices.put(device.bdf(), device) != null) throw new IllegalStateException("function " + device.name() + " mapped twice");
        for (Bar bar : device.bars()) {
            if (!bar.assigned()) continue;
            TreeMap<Long, Route> space = bar.isMemory() ? memory : io;
            var below = space.floorEntry(bar.address() + bar.size() - 1);
            if (below != null && below.getValue().bar().address() + below.getValue().bar().size() > bar.address())
                throw new IllegalStateException("BAR " + bar + " of " + device.name() + " overlaps " + below.getValue());
            space.put(bar.address(), new Route(device, bar));
        }
        snapshot = new Snapshot(s.buses, Map.copyOf(devices), memory, io);
    }

    /** Removes every function on a bus (its endpoint went away or is being re-enumerated). */
    synchronized List<PcieDevice> removeBus(int bus) {
        Snapshot s = snapshot;
        List<PcieDevice> gone = new ArrayList<>();
        Map<Integer, PcieDevice> devices = new HashMap<>(s.devices);
        devices.values().removeIf(d -> {
            boolean match = dev.vpcie.protocol.tlp.Bdf.bus(d.bdf()) == bus;
            if (match) gone.add(d);
            return match;
        });
        TreeMap<Long, Route> memory = new TreeMap<>(s.memory), io = new TreeMap<>(s.io);
        memory.values().removeIf(r -> gone.contains(r.device()));
        io.values().removeIf(r -> gone.contains(r.device()));
        snapshot = new Snapshot(s.buses, Map.copyOf(devices), memory, io);
        return gone;
    }

    /** The functions on {@code bus}, by Routing ID. */
    public List<PcieDevice> devicesOnBus(int bus) {
        return snapshot.devices.values().stream().filter(d -> dev.vpcie.protocol.tlp.Bdf.bus(d.bdf()) == bus)
                .sorted(java.util.Comparator.comparingInt(PcieDevice::bdf)).toList();
    }

    public EndpointLink linkForBus(int bus) { return snapshot.buses[bus & 0xFF]; }

    public PcieDevice device(int bdf) { return snapshot.devices.get(bdf); }

    public Collection<PcieDevice> devices() { return snapshot.devices.values(); }

    /** The BAR that decodes all of {@code [address, address + length)}, or null. */
    public Route memory(long address, int length) { return find(snapshot.memory, address, length); }

    public Route io(long address, int length) { return find(snapshot.io, address, length); }

    private static Route find(TreeMap<Long, Route> space, long address, int length) {
        var e = space.floorEntry(address);
        if (e == null || !e.getValue().bar().contains(address, length)) return null;
        return e.getValue();
    }
}
