package dev.vpcie.devices.nic.phy;

import java.util.HashMap;
import java.util.Map;

/**
 * A copper gigabit PHY as the MAC reaches it through MDIO (the MDIC register): the clause 22
 * register semantics shared by every part, driven by a {@link PhyProfile} table that supplies the
 * part's identity, reset values and vendor registers.
 *
 * <h2>Link</h2>
 * The link is up while the cable has carrier ({@link #setCable}) and the PHY is not powered down
 * (BMCR bit 11). Autonegotiation completes as soon as the link
 * comes up with AN enabled; restarting it with the link up completes it again at once (the
 * partner is always there and agrees to 1000 Mb/s full duplex). BMSR's link status is latched
 * low: after the link drops, the first read shows 0 even if the link is back, which is why drivers
 * read BMSR twice.
 *
 * <h2>Errors</h2>
 * Registers the profile does not define read 0 and ignore writes; both are counted. The drivers
 * touch such registers only on information paths (cable length, PHY info) and cope.
 *
 * <p>Single-threaded, owned by the MAC model. The MAC hears link changes through {@link LinkListener}.
 */
public final class Phy {
    public static final int BMCR = 0;
    public static final int BMSR = 1;
    public static final int PHYID1 = 2;
    public static final int PHYID2 = 3;
    public static final int ANAR = 4;
    public static final int ANLPAR = 5;
    public static final int ANER = 6;
    public static final int GBCR = 9;
    public static final int GBSR = 10;

    public static final int BMCR_RESET = 0x8000;
    public static final int BMCR_LOOPBACK = 0x4000;
    public static final int BMCR_AN_ENABLE = 0x1000;
    public static final int BMCR_POWER_DOWN = 0x0800;
    public static final int BMCR_RESTART_AN = 0x0200;
    /** BMCR bits 5:0 are reserved and read 0. */
    private static final int BMCR_WRITABLE = 0xFFC0;
    private static final int BMCR_SELF_CLEARING = BMCR_RESET | BMCR_RESTART_AN;

    public static final int BMSR_LINK_STATUS = 0x0004;
    public static final int BMSR_AN_COMPLETE = 0x0020;

    /** Hears the PHY's link going up or down. */
    @FunctionalInterface
    public interface LinkListener {
        void linkChanged(boolean up);
    }

    private final PhyProfile profile;
    private final Map<Integer, Integer> slots = new HashMap<>();
    private final PhyRegister[] registers;
    private final int[] values;
    private LinkListener listener = up -> { };
    private boolean cable;
    private boolean link;
    private boolean autonegComplete;
    private boolean linkLatchedLow;
    private int pageSelect;
    private long unknownReads;
    private long unknownWrites;

    public Phy(PhyProfile profile) {
        this.profile = profile;
        this.registers = profile.registers().toArray(PhyRegister[]::new);
        this.values = new int[registers.length];
        for (int i = 0; i < registers.length; i++) slots.put(registers[i].number(), i);
        loadResetValues();
    }

    public PhyProfile profile() { return profile; }

    public void setLinkListener(LinkListener l) { this.listener = l == null ? up -> { } : l; }

    // ---------------------------------------------------------------- state

    /** Carrier on the cable (the wire's link and the user's administrative state). */
    public void setCable(boolean up) {
        cable = up;
        updateLink();
    }

    public boolean cable() { return cable; }

    /** Whether the PHY has link: carrier, powered up. */
    public boolean linkUp() { return link; }

    /** Whether autonegotiation has completed on the current link. */
    public boolean autonegComplete() { return autonegComplete; }

    /** BMCR loopback: frames the MAC sends come straight back. */
    public boolean loopback() { return (control() & BMCR_LOOPBACK) != 0; }

    /** BMCR power down. */
    public boolean poweredDown() { return (control() & BMCR_POWER_DOWN) != 0; }

    /** A hardware reset (power-on, the MAC's PHY_RST or device reset): every register to its reset value. */
    public void reset() {
        loadResetValues();
        pageSelect = 0;
        boolean was = link;
        link = cable && !poweredDown();
        autonegComplete = false;
        renegotiate();
        // The link drops while the part resets and comes back at once: latch that for BMSR.
        if (was) linkLatchedLow = true;
        if (was != link) listener.linkChanged(link);
    }

    /** Register reads of numbers the profile does not define. */
    public long unknownReads() { return unknownReads; }

    /** Register writes to numbers the profile does not define or to read-only registers. */
    public long unknownWrites() { return unknownWrites; }

    // ---------------------------------------------------------------- MDIO accesses

    /** An MDIO read of register {@code reg} (0..31), page select applied. */
    public int read(int reg) {
        int number = effective(reg);
        Integer slot = slots.get(number);
        if (slot == null) {
            unknownReads++;
            return 0;
        }
        return switch (registers[slot]) {
            case PhyRegister.Control c -> values[slot];
            case PhyRegister.Status s -> {
                int v = s.abilities() & ~(BMSR_LINK_STATUS | BMSR_AN_COMPLETE);
                if (link && !linkLatchedLow) v |= BMSR_LINK_STATUS;
                if (autonegComplete) v |= BMSR_AN_COMPLETE;
                linkLatchedLow = false;
                yield v;
            }
            case PhyRegister.Constant c -> c.value();
            case PhyRegister.Stored s -> values[slot];
            case PhyRegister.Negotiated n -> autonegComplete ? n.afterAutoneg() : n.before();
            case PhyRegister.LinkDependent l -> link ? l.up() : l.down();
            case PhyRegister.PageSelect p -> pageSelect;
        };
    }

    /** An MDIO write of {@code value} (16 bits) to register {@code reg} (0..31), page select applied. */
    public void write(int reg, int value) {
        int number = effective(reg);
        int v = value & 0xFFFF;
        Integer slot = slots.get(number);
        if (slot == null) {
            unknownWrites++;
            return;
        }
        switch (registers[slot]) {
            case PhyRegister.Control c -> writeControl(slot, v);
            case PhyRegister.Stored s -> values[slot] = (s.reset() & ~s.writable()) | (v & s.writable());
            case PhyRegister.PageSelect p -> pageSelect = v;
            case PhyRegister.Status s -> unknownWrites++;
            case PhyRegister.Constant c -> unknownWrites++;
            case PhyRegister.Negotiated n -> unknownWrites++;
            case PhyRegister.LinkDependent l -> unknownWrites++;
        }
    }

    private int effective(int reg) {
        if (reg < 0 || reg > 0x1F) throw new IllegalArgumentException("PHY register " + reg + " outside 0..31");
        if (!profile.paged() || reg <= PhyProfile.MAX_UNPAGED_REGISTER || reg == PhyProfile.PAGE_SELECT) return reg;
        return (pageSelect & ~0x1F) | reg;
    }

    private void writeControl(int slot, int v) {
        values[slot] = (v & BMCR_WRITABLE) & ~BMCR_SELF_CLEARING;
        // A software reset (bit 15) restarts autonegotiation like RESTART_AN; as on the Marvell and
        // IGP parts, the registers keep the values software configured (that is what the reset is
        // for: it makes them take effect). A hardware reset is reset().
        if ((v & BMCR_RESET) != 0) autonegComplete = false;
        updateLink();
        if ((v & (BMCR_RESTART_AN | BMCR_RESET)) != 0) renegotiate();
        if ((control() & BMCR_AN_ENABLE) == 0) autonegComplete = false;
    }

    /** Autonegotiation (re)started: with a partner present it completes at once. */
    private void renegotiate() {
        autonegComplete = link && (control() & BMCR_AN_ENABLE) != 0;
    }

    private int control() { return values[slots.get(BMCR)]; }

    private void loadResetValues() {
        for (int i = 0; i < registers.length; i++) {
            values[i] = switch (registers[i]) {
                case PhyRegister.Control c -> c.reset() & BMCR_WRITABLE & ~BMCR_SELF_CLEARING;
                case PhyRegister.Stored s -> s.reset();
                case PhyRegister.Status s -> 0;
                case PhyRegister.Constant c -> 0;
                case PhyRegister.Negotiated n -> 0;
                case PhyRegister.LinkDependent l -> 0;
                case PhyRegister.PageSelect p -> 0;
            };
        }
    }

    private void updateLink() {
        boolean now = cable && !poweredDown();
        if (now == link) return;
        link = now;
        if (now) {
            renegotiate();
        } else {
            autonegComplete = false;
            linkLatchedLow = true;
        }
        listener.linkChanged(now);
    }

    @Override
    public String toString() { return profile.name() + (link ? " link up" : " link down") + (autonegComplete ? ", AN complete" : ""); }
}
