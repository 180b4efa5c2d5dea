package dev.vpcie.endpoint.wire;

import dev.vpcie.devices.nic.MacAddress;
import dev.vpcie.devices.nic.e1000.E1000Function;
import dev.vpcie.devices.nic.e1000.E1000Options;
import dev.vpcie.devices.nic.igb.IgbFunction;
import dev.vpcie.devices.nic.igb.IgbOptions;
import dev.vpcie.devices.spi.PcieFunction;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A NIC model as the endpoint's wiring and link control see it: the function, its Ethernet
 * address, and the link a user can take down and bring back at run time (the driver sees LSC).
 * {@link #setLinkUp} and {@link #linkUp} belong to the function's thread, like everything the model does.
 */
public sealed interface Nic permits Nic.E1000, Nic.Igb {

    /** The models, by the name {@code vpcie endpoint --device} uses. */
    List<String> MODELS = List.of("e1000", "igb");

    PcieFunction function();

    /** The model's device name, {@code e1000} or {@code igb}. */
    default String model() { return function().name(); }

    /** The permanent Ethernet address (from the NVM). */
    MacAddress macAddress();

    /** Takes the link down, as pulling the cable would, or lets it come back when the wire has carrier. Function thread. */
    void setLinkUp(boolean up);

    /** Whether the PHY has link now. Function thread. */
    boolean linkUp();

    /** An 82540EM. */
    record E1000(E1000Function function) implements Nic {
        public E1000 { Objects.requireNonNull(function); }

        @Override public MacAddress macAddress() { return function.macAddress(); }

        @Override public void setLinkUp(boolean up) { function.setLinkUp(up); }

        @Override public boolean linkUp() { return function.linkUp(); }
    }

    /** An 82576. */
    record Igb(IgbFunction function) implements Nic {
        public Igb { Objects.requireNonNull(function); }

        @Override public MacAddress macAddress() { return function.macAddress(); }

        @Override public void setLinkUp(boolean up) { function.setLinkUp(up); }

        @Override public boolean linkUp() { return function.linkUp(); }
    }

    /** Whether {@code deviceName} names a NIC model. */
    static boolean isNic(String deviceName) { return MODELS.contains(deviceName); }

    /**
     * A new NIC of {@code model} with address {@code mac}.
     *
     * @throws IllegalArgumentException for an unknown model or an address the driver would refuse
     */
    static Nic create(String model, MacAddress mac) {
        return switch (model) {
            case "e1000" -> new E1000(new E1000Function(E1000Options.of(mac)));
            case "igb" -> new Igb(new IgbFunction(IgbOptions.of(mac)));
            default -> throw new IllegalArgumentException("'" + model + "' is not a NIC model (" + String.join(", ", MODELS) + ")");
        };
    }

    /**
     * The address a NIC gets when none is given: locally administered, made of this process's ID
     * and the function number, so two NICs of one endpoint, or of two endpoints on one host, never collide.
     */
    static MacAddress derivedMac(int functionNumber) { return MacAddress.forProcessInstance(functionNumber); }

    /** The NIC view of {@code f}, if it is one of the NIC models. */
    static Optional<Nic> of(PcieFunction f) {
        if (f instanceof E1000Function e) return Optional.of(new E1000(e));
        if (f instanceof IgbFunction i) return Optional.of(new Igb(i));
        return Optional.empty();
    }
}
