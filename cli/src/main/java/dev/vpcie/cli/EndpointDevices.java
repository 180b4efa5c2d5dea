package dev.vpcie.cli;

import dev.vpcie.devices.nic.MacAddress;
import dev.vpcie.devices.spi.PcieFunction;
import dev.vpcie.endpoint.DeviceRegistry;
import dev.vpcie.endpoint.Endpoint;
import dev.vpcie.endpoint.wire.LinkControl;
import dev.vpcie.endpoint.wire.Nic;
import dev.vpcie.endpoint.wire.Wire;
import dev.vpcie.endpoint.wire.WireSpec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The functions {@code vpcie endpoint} hosts, in order, and for each NIC its Ethernet address and
 * wire: made from the {@code --device} options and the {@code --wire}, {@code --wire-transport}
 * and {@code --mac} that follow each. Owns the wires: they open before the endpoint is built,
 * start once it is, and close after it.
 */
final class EndpointDevices implements AutoCloseable {

    /** One {@code --device} with the options that followed it (null when not given). */
    static final class DeviceOption {
        final String name;
        String wire, wireTransport, mac;

        DeviceOption(String name) { this.name = name; }
    }

    /** A planned function: the model, and for a NIC its view and wire. */
    record Device(int number, PcieFunction function, Optional<Nic> nic, Optional<WireSpec> wire) {}

    private final List<Device> devices;
    private final List<Wire> wires; // parallel to devices; null for a device without a wire

    private EndpointDevices(List<Device> devices, List<Wire> wires) {
        this.devices = devices;
        this.wires = wires;
    }

    /**
     * Checks the options and makes the functions (no interface is touched yet).
     *
     * @throws IllegalArgumentException saying what is wrong, for a usage error
     */
    static List<Device> plan(List<DeviceOption> options) {
        List<Device> planned = new ArrayList<>();
        Map<Long, String> macs = new HashMap<>();
        for (int i = 0; i < options.size(); i++) {
            DeviceOption o = options.get(i);
            String who = "--device " + o.name + " (function " + i + ")";
            if (Nic.isNic(o.name)) {
                if (o.wire == null)
                    throw new IllegalArgumentException(who + " needs a --wire after it: the interface its frames go to (e.g. --wire veth1), "
                            + "a TAP to create (--wire vnic0 --wire-transport tap), or an echo peer's address (--wire 10.0.0.2 --wire-transport echo)");
                WireSpec wire;
                try {
                    wire = WireSpec.parse(o.wireTransport == null ? "af_packet" : o.wireTransport, o.wire);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(who + ": --wire: " + e.getMessage());
                }
                MacAddress mac;
                try {
                    mac = o.mac == null ? Nic.derivedMac(i) : MacAddress.parse(o.mac);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(who + ": --mac: " + e.getMessage());
                }
                String other = macs.putIfAbsent(mac.value(), who);
                if (other != null) throw new IllegalArgumentException(who + ": --mac " + mac + " is already the address of " + other);
                Nic nic;
                try {
                    nic = Nic.create(o.name, mac);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(who + ": --mac: " + e.getMessage());
                }
                planned.add(new Device(i, nic.function(), Optional.of(nic), Optional.of(wire)));
            } else {
                String misplaced = o.wire != null ? "--wire" : o.wireTransport != null ? "--wire-transport" : o.mac != null ? "--mac" : null;
                if (misplaced != null)
                    throw new IllegalArgumentException(misplaced + " follows " + who + ", which has no Ethernet port; --wire, --wire-transport "
                            + "and --mac go after the --device of a NIC (" + String.join(", ", Nic.MODELS) + ")");
                PcieFunction f;
                try {
                    f = DeviceRegistry.create(o.name, i);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("unknown device '" + o.name + "'; known devices: " + String.join(", ", DeviceRegistry.names()));
                }
                planned.add(new Device(i, f, Optional.empty(), Optional.empty()));
            }
        }
        return planned;
    }

    /**
     * Opens the wires of {@code devices} in this process's network namespace.
     *
     * @throws IllegalArgumentException for a wire interface that does not exist (a usage error)
     * @throws IOException when a wire cannot be opened (privileges, a TAP name taken)
     */
    static EndpointDevices open(List<Device> devices) throws IOException {
        List<Wire> wires = new ArrayList<>();
        try {
            for (Device d : devices) {
                if (d.wire().isEmpty()) {
                    wires.add(null);
                    continue;
                }
                WireSpec spec = d.wire().get();
                if (spec instanceof WireSpec.Interface i) Interconnect.checkInterface(i.name());
                try {
                    wires.add(spec.open());
                } catch (IOException e) {
                    throw new IOException("wire " + spec + " of function " + d.number() + ": " + e.getMessage(), e);
                }
            }
            return new EndpointDevices(List.copyOf(devices), wires);
        } catch (IOException | RuntimeException e) {
            for (Wire w : wires) if (w != null) w.close();
            throw e;
        }
    }

    /** Adds the functions, with their wires, to the endpoint being built. */
    void addTo(Endpoint.Builder b) {
        for (int i = 0; i < devices.size(); i++) {
            Wire w = wires.get(i);
            b.function(devices.get(i).function(), w == null ? List.of() : List.of(w));
        }
    }

    /** Starts the wires on their functions' threads; returns the control over the NICs' links. */
    LinkControl start(Endpoint endpoint) {
        List<LinkControl.Port> ports = new ArrayList<>();
        for (int i = 0; i < devices.size(); i++) {
            Device d = devices.get(i);
            Wire w = wires.get(i);
            if (w == null) continue;
            w.start(endpoint.function(d.number()));
            ports.add(new LinkControl.Port(d.number(), d.nic().orElseThrow(), w, endpoint.function(d.number())));
        }
        return new LinkControl(ports);
    }

    /** Whether any device is a NIC. */
    boolean hasNics() { return wires.stream().anyMatch(w -> w != null); }

    /** Closes the wires (after the endpoint, whose devices use them). */
    @Override public void close() {
        for (Wire w : wires) if (w != null) w.close();
    }
}
