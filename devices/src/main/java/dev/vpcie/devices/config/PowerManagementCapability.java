package dev.vpcie.devices.config;

import dev.vpcie.protocol.pci.PciConfig;
import dev.vpcie.protocol.pci.PciConfig.PowerManagement;

/**
 * PCI Power Management capability (ID 01h, PCI Bus Power Management Interface 1.2), 8 bytes.
 *
 * <pre>
 *  31            24 23           16 15            8 7             0
 * +---------------+---------------+---------------+---------------+
 * |  Power Management Capabilities (PMC)          | Next Ptr      | Cap ID = 01h  +0
 * +---------------+---------------+---------------+---------------+
 * |  Data (0)     | PMCSR_BSE (0) |  Control/Status (PMCSR)       |               +4
 * +---------------+---------------+-------------------------------+
 *
 * PMC (RO):  [2:0] Version = 011b   [3] PME Clock = 0   [5] DSI = 0   [8:6] Aux Current = 0
 *            [9] D1 Support = 0     [10] D2 Support = 0  [15:11] PME Support (D0, D1, D2, D3hot, D3cold)
 * PMCSR:     [1:0] PowerState RW (00b D0, 11b D3hot; writes of unsupported D1/D2 are discarded)
 *            [3] No_Soft_Reset RO = 1 (D3hot to D0 keeps the function's state)
 *            [8] PME_En RW, sticky (read-only 0 without PME support)
 *            [12:9] Data_Select, [14:13] Data_Scale: 0 (no Data register)
 *            [15] PME_Status RW1C, sticky
 * </pre>
 * A function outside D0 decodes no memory or I/O and may not master the bus (see
 * {@link ConfigSpace#decodeMemory}).
 */
public final class PowerManagementCapability extends Capability {
    public static final int ID = PciConfig.CapId.POWER_MANAGEMENT;
    private static final int PMC = PowerManagement.CAPABILITIES;
    private static final int PMCSR = PowerManagement.CONTROL_STATUS;
    private static final int PME_EN = PowerManagement.CONTROL_PME_ENABLE;
    private static final int PME_STATUS = PowerManagement.CONTROL_PME_STATUS;
    private static final int NO_SOFT_RESET = PowerManagement.CONTROL_NO_SOFT_RESET;

    private final int pmeSupport;

    /** Without PME: the device never signals wake-up events. */
    public PowerManagementCapability() { this(0); }

    /** @param pmeSupport PMC bits 15:11 (bit 0 = D0 ... bit 4 = D3cold) from which PME can be signalled */
    public PowerManagementCapability(int pmeSupport) {
        if ((pmeSupport & ~0x1F) != 0) throw new IllegalArgumentException("PME support 0x" + Integer.toHexString(pmeSupport) + " exceeds 5 bits");
        this.pmeSupport = pmeSupport;
    }

    @Override public int id() { return ID; }

    @Override public int length() { return 8; }

    @Override
    protected void initialize(RegisterInit init) {
        init.readOnly(PMC, 2, 0b011 | pmeSupport << 11);
        boolean pme = pmeSupport != 0;
        init.readWrite(PMCSR, 2, NO_SOFT_RESET, 0b11 | (pme ? PME_EN : 0));
        if (pme) {
            init.writeOneToClear(PMCSR, 2, 0, PME_STATUS);
            init.sticky(PMCSR, 2, PME_EN | PME_STATUS);
        }
        init.readOnly(PMCSR + 2, 2, 0);
    }

    @Override
    protected void written(ConfigWrite w) {
        if (!w.touches(offset() + PMCSR, 1)) return;
        int requested = reg(PMCSR, 2) & 0b11;
        if (requested == PowerState.D1.code() || requested == PowerState.D2.code()) {
            // PM 1.2 5.4.1: a write of an unsupported state completes normally but changes nothing.
            int previous = (w.before() >>> (8 * (offset() + PMCSR - w.offset()))) & 0b11;
            setReg(PMCSR, 2, (reg(PMCSR, 2) & ~0b11) | previous);
        }
    }

    public PowerState powerState() { return PowerState.fromCode(reg(PMCSR, 2)); }

    public boolean pmeEnabled() { return (reg(PMCSR, 2) & PME_EN) != 0; }

    /** Sets PME_Status (the function wants to wake the system); only with PME support. */
    public void signalPme() {
        if (pmeSupport == 0) throw new IllegalStateException("this function declares no PME support");
        setReg(PMCSR, 2, reg(PMCSR, 2) | PME_STATUS);
    }
}
