package dev.vpcie.vrc.nic;

import dev.vpcie.protocol.transport.MacAddress;

/**
 * The register sequences in which the 82540EM and the 82576 differ, composed into an
 * {@link IntelNicDriver}: like the Linux drivers' {@code e1000_mac_operations}, a table of the
 * chip's own steps, called by the shared driver in the order the Linux drivers use. Everything
 * the two chips do alike (link state and flow control, receive mode, the units' stop, the
 * doorbells, the watchdog, reset and hot-plug) is not here but in the driver's parts. Every step
 * runs on the driver's control thread ({@link NicControl}): they wait for register reads and
 * the manuals' delays, which the ring poll on the root complex's loop must never do.
 */
public interface IntelChip {

    /** Reset, NVM/EEPROM check, MAC address, PHY and link set-up: everything before the rings exist. Returns the permanent address. */
    MacAddress probe();

    /** Global reset and hardware init (RAR, MTA, PHY, link), as after a TX hang. */
    void resetHardware();

    /** Programs the rings, receive and transmit control (after probe and after every reset). */
    void configure();

    /** After the receiver and transmitter were stopped ({@link MacControl}): resets the chip and powers the PHY down. */
    void shutdown();

    /** The PHY's registers through the chip's MDIC access (with the paging and locking it needs). */
    PhyAccess phy();

    /** How the chip interrupts: its own part, chosen with the chip. */
    NicInterrupts interrupts();
}
