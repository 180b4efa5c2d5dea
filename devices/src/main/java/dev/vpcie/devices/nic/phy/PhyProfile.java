package dev.vpcie.devices.nic.phy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One PHY part as data: its name, its register table and whether it pages registers above 15 (IGP
 * parts: the driver writes the full register number to register 31 first).
 *
 * @param name       part name for logs
 * @param paged      registers 16..30 are reached through the page select register 31
 * @param registers  the table; numbers unique, including exactly one {@link PhyRegister.Control}
 *                   at 0 and one {@link PhyRegister.Status} at 1
 */
public record PhyProfile(String name, boolean paged, List<PhyRegister> registers) {
    /** Register 31, page select of paged (IGP) PHYs. */
    public static final int PAGE_SELECT = 0x1F;
    /** Highest register number that is the same on every page. */
    public static final int MAX_UNPAGED_REGISTER = 0x0F;

    public PhyProfile {
        registers = List.copyOf(registers);
        Map<Integer, PhyRegister> seen = new HashMap<>();
        for (PhyRegister r : registers) {
            if (seen.put(r.number(), r) != null) throw new IllegalArgumentException(name + ": PHY register 0x" + Integer.toHexString(r.number()) + " defined twice");
            if (r.number() < 0 || r.number() > (paged ? 0xFFFF : 0x1F)) throw new IllegalArgumentException(name + ": PHY register number 0x" + Integer.toHexString(r.number()));
        }
        if (!(seen.get(0) instanceof PhyRegister.Control)) throw new IllegalArgumentException(name + ": register 0 must be the Control register");
        if (!(seen.get(1) instanceof PhyRegister.Status)) throw new IllegalArgumentException(name + ": register 1 must be the Status register");
        if (paged && !(seen.get(PAGE_SELECT) instanceof PhyRegister.PageSelect)) throw new IllegalArgumentException(name + ": a paged PHY needs its page select register at 31");
    }

    /** The value the identifier registers 2 and 3 form, {@code ID1 << 16 | ID2}. */
    public int phyId() {
        int id = 0;
        for (PhyRegister r : registers) {
            if (r instanceof PhyRegister.Constant c && c.number() == 2) id |= c.value() << 16;
            if (r instanceof PhyRegister.Constant c && c.number() == 3) id |= c.value();
        }
        return id;
    }
}
