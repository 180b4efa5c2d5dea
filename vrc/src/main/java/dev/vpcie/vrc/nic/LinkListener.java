package dev.vpcie.vrc.nic;

/** Hears link changes (and the first link state after bring-up), on the driver's control thread. */
@FunctionalInterface
public interface LinkListener {
    void linkChanged(LinkState state);
}
