package dev.vpcie.devices.spi;

import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A function's outside world, given to {@link PcieFunction#attach}. Everything here may be used
 * only from the function's thread, except {@link #counters()} reads.
 *
 * @param name           instance name for logs and counters, e.g. {@code "dmatest0"}
 * @param dma            bus-master access to host memory
 * @param interrupts     where the function's interrupt vectors and INTx level go
 * @param timers         deferred work on the function's thread, host clock
 * @param counters       the function's event counters
 * @param ethernetPorts  the NIC's wires, port 0 first; empty for devices that have none
 */
public record DeviceContext(String name, DmaPort dma, InterruptPort interrupts, Timers timers, Counters counters,
                            List<EthernetPort> ethernetPorts) {

    public DeviceContext {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dma, "dma");
        Objects.requireNonNull(interrupts, "interrupts");
        Objects.requireNonNull(timers, "timers");
        Objects.requireNonNull(counters, "counters");
        ethernetPorts = List.copyOf(ethernetPorts);
    }

    /** A context without Ethernet ports. */
    public DeviceContext(String name, DmaPort dma, InterruptPort interrupts, Timers timers, Counters counters) {
        this(name, dma, interrupts, timers, counters, List.of());
    }

    /** The logger for this instance: {@code dev.vpcie.devices.<name>}. */
    public Logger log() { return LoggerFactory.getLogger("dev.vpcie.devices." + name); }

    /** Ethernet port {@code index}; a clear error if the host wired fewer. */
    public EthernetPort ethernetPort(int index) {
        if (index < 0 || index >= ethernetPorts.size())
            throw new IllegalStateException(name + ": no Ethernet port " + index + " wired (" + ethernetPorts.size() + " given)");
        return ethernetPorts.get(index);
    }
}
