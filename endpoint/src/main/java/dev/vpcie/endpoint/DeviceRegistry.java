package dev.vpcie.endpoint;

import dev.vpcie.devices.dmatest.DmaTestDevice;
import dev.vpcie.devices.nic.e1000.E1000Function;
import dev.vpcie.devices.nic.igb.IgbFunction;
import dev.vpcie.devices.spi.PcieFunction;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntFunction;

/**
 * The device models an endpoint can host, by the name used on the command line
 * ({@code vpcie endpoint --device NAME}). Adding a model is one {@link #type} line in {@link #TYPES}.
 */
public final class DeviceRegistry {
    private DeviceRegistry() {}

    /**
     * One kind of device: its name, a one-line description for help texts, and how to make instance
     * {@code index} (0, 1, ... among the endpoint's devices, for per-instance identity such as a serial
     * number or MAC address).
     */
    public record DeviceType(String name, String description, IntFunction<PcieFunction> factory) {}

    /**
     * Device Serial Numbers are EUI-64s; ours are locally administered (bit 1 of the first byte), with
     * this process's ID and the instance index below, so two endpoints on one host differ.
     */
    private static long serialNumber(int index) {
        return 0x0200_0000_0000_0000L | (ProcessHandle.current().pid() & 0xFF_FFFF_FFFFL) << 8 | (index & 0xFF);
    }

    private static final Map<String, DeviceType> TYPES = table(
            type("dmatest", "DMA test device, 1af4:10f0: copy/fill/checksum between host memory and device memory",
                    i -> new DmaTestDevice(DmaTestDevice.Options.defaults(serialNumber(i)))),
            type("e1000", "Intel 82540EM Gigabit Ethernet (e1000), 8086:100e: INTx, legacy descriptors, checksum offload and TSO", E1000Function::forInstance),
            type("igb", "Intel 82576 Gigabit Ethernet (igb), 8086:10c9: MSI-X, 16 queues with RSS, advanced descriptors, checksum offload and TSO",
                    IgbFunction::forInstance));

    private static DeviceType type(String name, String description, IntFunction<PcieFunction> factory) {
        return new DeviceType(name, description, factory);
    }

    private static Map<String, DeviceType> table(DeviceType... types) {
        TreeMap<String, DeviceType> m = new TreeMap<>();
        for (DeviceType t : types) if (m.put(t.name(), t) != null) throw new IllegalStateException("device " + t.name() + " listed twice");
        return Map.copyOf(m);
    }

    /** Every known device, by name. */
    public static List<DeviceType> types() { return TYPES.values().stream().sorted(java.util.Comparator.comparing(DeviceType::name)).toList(); }

    /** Names of every known device, sorted. */
    public static List<String> names() { return types().stream().map(DeviceType::name).toList(); }

    /**
     * A new instance of device {@code name}.
     *
     * @throws IllegalArgumentException naming the known devices when {@code name} is not one of them
     */
    public static PcieFunction create(String name, int index) {
        DeviceType t = TYPES.get(name);
        if (t == null) throw new IllegalArgumentException("unknown device '" + name + "'; known devices: " + String.join(", ", names()));
        return t.factory().apply(index);
    }
}
