package dev.vpcie.endpoint.wire;

import dev.vpcie.devices.spi.EthernetPort;
import java.util.concurrent.Executor;

/**
 * A NIC's wire as the endpoint hosts it: the device's {@link EthernetPort} plus a life cycle.
 * Opened before the endpoint is built (the port goes to {@code Endpoint.Builder.function(f, ports)}),
 * {@linkplain #start started} with the function's thread once it exists, closed after the endpoint.
 *
 * <p>Nothing reaches the device before {@link #start}: frames that arrive earlier wait in the
 * interface's socket buffer, or are dropped and counted where there is none.
 */
public sealed interface Wire extends EthernetPort, AutoCloseable permits InterfaceWire, TapWire, EchoPeerWire {

    /**
     * Begins handing received frames and link changes to {@code functionThread} (the function's
     * {@code FunctionHost}), which runs them one at a time between the device's other work.
     * Called once.
     */
    void start(Executor functionThread);

    /** For status lines, e.g. {@code af_packet:veth1 (promiscuous)}. */
    String describe();

    /** What crossed the wire so far (readable from any thread). */
    WireCounters counters();

    /** Stops receiving and releases the interface; frames sent afterwards are dropped. */
    @Override void close();
}
