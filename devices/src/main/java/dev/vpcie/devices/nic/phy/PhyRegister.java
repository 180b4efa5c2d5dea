package dev.vpcie.devices.nic.phy;

/**
 * How one PHY register behaves, as an entry of a {@link PhyProfile}'s table. The IEEE 802.3
 * clause 22 registers that carry link and autonegotiation state have kinds of their own, so the
 * core ({@link Phy}) implements them once for every PHY; vendor registers are plain storage,
 * constants, or link-dependent values.
 *
 * <p>{@code number} is the register address as the driver names it: 0..31, or for a PHY with
 * page select (IGP) {@code page << 5 | register}, the value the driver writes to the page
 * select register before the access.
 */
public sealed interface PhyRegister {

    int number();

    String name();

    /**
     * Basic Mode Control (register 0): RESET (bit 15) and RESTART_AN (bit 9) self-clear and act;
     * AN_ENABLE (bit 12) selects autonegotiation; POWER_DOWN (bit 11) takes the link down.
     */
    record Control(int number, String name, int reset) implements PhyRegister {}

    /**
     * Basic Mode Status (register 1): {@code abilities} (the read-only capability bits) plus
     * LINK_STATUS (bit 2, latched low until read, as clause 22 requires) and AN_COMPLETE (bit 5).
     */
    record Status(int number, String name, int abilities) implements PhyRegister {}

    /** Read-only, always {@code value} (IDs, ability registers). */
    record Constant(int number, String name, int value) implements PhyRegister {}

    /** Read-write: bits in {@code writable} take written values; the others keep their reset value. */
    record Stored(int number, String name, int reset, int writable) implements PhyRegister {}

    /** Read-only; {@code afterAutoneg} once autonegotiation has completed, else {@code before} (link partner ability, 1000BASE-T status). */
    record Negotiated(int number, String name, int before, int afterAutoneg) implements PhyRegister {}

    /** Read-only; {@code up} while the link is up, else {@code down} (vendor specific-status registers). */
    record LinkDependent(int number, String name, int up, int down) implements PhyRegister {}

    /** The page select register of a paged PHY: write-only in effect, reads back what was written. */
    record PageSelect(int number, String name) implements PhyRegister {}
}
