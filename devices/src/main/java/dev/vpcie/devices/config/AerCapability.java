package dev.vpcie.devices.config;

import dev.vpcie.protocol.pci.PciConfig;
import dev.vpcie.protocol.pci.PciConfig.Aer;

/**
 * Advanced Error Reporting extended capability (ID 0001h, version 2, PCIe base spec 7.8.4), the
 * endpoint form; 0x48 bytes (the root-port registers read as zero, TLP Prefix Log included).
 *
 * <pre>
 *  31                                                             0
 * +----------------------------------------------------------------+
 * |  Next Offset [31:20] | Ver [19:16] = 2 | ID [15:0] = 0001h     |  +0x00
 * |  Uncorrectable Error Status          RW1CS                     |  +0x04
 * |  Uncorrectable Error Mask            RWS                       |  +0x08
 * |  Uncorrectable Error Severity        RWS  (reset 0x00062030)   |  +0x0C
 * |  Correctable Error Status            RW1CS                     |  +0x10
 * |  Correctable Error Mask              RWS  (reset 0x00002000)   |  +0x14
 * |  Advanced Error Capabilities and Control                       |  +0x18
 * |  Header Log (4 DW)                   ROS                       |  +0x1C..+0x2B
 * |  Root Error Command / Status / Error Source ID (0, not a root) |  +0x2C..+0x37
 * |  TLP Prefix Log (0)                                            |  +0x38..+0x47
 * +----------------------------------------------------------------+
 *
 * Uncorrectable bits implemented: [4] Data Link Protocol, [5] Surprise Down, [12] Poisoned TLP,
 *   [13] Flow Control Protocol, [14] Completion Timeout, [15] Completer Abort, [16] Unexpected
 *   Completion, [17] Receiver Overflow, [18] Malformed TLP, [19] ECRC, [20] Unsupported Request.
 * Correctable bits implemented: [0] Receiver Error, [6] Bad TLP, [7] Bad DLLP, [8] REPLAY_NUM
 *   Rollover, [12] Replay Timer Timeout, [13] Advisory Non-Fatal Error.
 * Capabilities and Control: [4:0] First Error Pointer ROS; ECRC generation/checking not capable.
 * </pre>
 * Status, mask, severity and the header log are sticky: they survive hot reset and FLR.
 */
public final class AerCapability extends ExtendedCapability {
    public static final int ID = PciConfig.ExtCapId.ADVANCED_ERROR_REPORTING;
    private static final int UNCORRECTABLE_STATUS = Aer.UNCORRECTABLE_STATUS;
    private static final int UNCORRECTABLE_MASK = Aer.UNCORRECTABLE_MASK;
    private static final int UNCORRECTABLE_SEVERITY = Aer.UNCORRECTABLE_SEVERITY;
    private static final int CORRECTABLE_STATUS = Aer.CORRECTABLE_STATUS;
    private static final int CORRECTABLE_MASK = Aer.CORRECTABLE_MASK;
    private static final int CAPABILITIES_CONTROL = Aer.CAPABILITIES_CONTROL;
    private static final int HEADER_LOG = Aer.HEADER_LOG;

    /** Uncorrectable errors an endpoint of ours can detect, with their status bit. */
    public enum Uncorrectable {
        DATA_LINK_PROTOCOL(4), SURPRISE_DOWN(5), POISONED_TLP(12), FLOW_CONTROL_PROTOCOL(13), COMPLETION_TIMEOUT(14),
        COMPLETER_ABORT(15), UNEXPECTED_COMPLETION(16), RECEIVER_OVERFLOW(17), MALFORMED_TLP(18), ECRC(19),
        UNSUPPORTED_REQUEST(20);

        public final int bit;

        Uncorrectable(int bit) { this.bit = bit; }
    }

    /** Correctable errors, with their status bit. */
    public enum Correctable {
        RECEIVER_ERROR(0), BAD_TLP(6), BAD_DLLP(7), REPLAY_NUM_ROLLOVER(8), REPLAY_TIMER_TIMEOUT(12), ADVISORY_NON_FATAL(13);

        public final int bit;

        Correctable(int bit) { this.bit = bit; }
    }

    /** What an error calls for, by severity after masking. */
    public enum Signal { NONE, CORRECTABLE, NON_FATAL, FATAL }

    private static final int UNCORRECTABLE_IMPLEMENTED = bits(Uncorrectable.values());
    private static final int CORRECTABLE_IMPLEMENTED = bits(Correctable.values());

    private static int bits(Enum<?>[] values) {
        int m = 0;
        for (Enum<?> e : values) m |= 1 << (e instanceof Uncorrectable u ? u.bit : ((Correctable) e).bit);
        return m;
    }

    @Override public int id() { return ID; }

    @Override public int version() { return 2; }

    @Override public int length() { return 0x48; }

    @Override
    protected void initialize(RegisterInit init) {
        init.writeOneToClear(UNCORRECTABLE_STATUS, 4, 0, UNCORRECTABLE_IMPLEMENTED);
        init.readWrite(UNCORRECTABLE_MASK, 4, 0, UNCORRECTABLE_IMPLEMENTED);
        init.readWrite(UNCORRECTABLE_SEVERITY, 4, 0x0006_2030, UNCORRECTABLE_IMPLEMENTED);
        init.writeOneToClear(CORRECTABLE_STATUS, 4, 0, CORRECTABLE_IMPLEMENTED);
        init.readWrite(CORRECTABLE_MASK, 4, 0x0000_2000, CORRECTABLE_IMPLEMENTED);
        init.readOnly(CAPABILITIES_CONTROL, 4, 0);
        for (int off = UNCORRECTABLE_STATUS; off <= CORRECTABLE_MASK; off += 4) init.sticky(off, 4, -1);
        init.sticky(CAPABILITIES_CONTROL, 4, 0x1F);
        for (int i = 0; i < 4; i++) init.sticky(HEADER_LOG + 4 * i, 4, -1);
    }

    public int uncorrectableStatus() { return reg(UNCORRECTABLE_STATUS, 4); }

    public int uncorrectableMask() { return reg(UNCORRECTABLE_MASK, 4); }

    public int uncorrectableSeverity() { return reg(UNCORRECTABLE_SEVERITY, 4); }

    public int correctableStatus() { return reg(CORRECTABLE_STATUS, 4); }

    public int correctableMask() { return reg(CORRECTABLE_MASK, 4); }

    /** First Error Pointer: the bit number of the first uncorrectable error recorded. */
    public int firstErrorPointer() { return reg(CAPABILITIES_CONTROL, 4) & 0x1F; }

    /** Header Log dword {@code i} (0..3): the header of the TLP that caused the first error. */
    public int headerLog(int i) {
        if (i < 0 || i > 3) throw new IllegalArgumentException("header log dword " + i);
        return reg(HEADER_LOG + 4 * i, 4);
    }

    /**
     * Records an uncorrectable error: sets its status bit; if it is unmasked and no other unmasked
     * error is pending, also the First Error Pointer and Header Log ({@code header}: up to 4
     * dwords of the offending TLP, or null). Returns the message the function must send (after
     * Device Control's reporting enables, which the caller checks).
     */
    public Signal recordUncorrectable(Uncorrectable e, int[] header) {
        int bit = 1 << e.bit;
        boolean masked = (uncorrectableMask() & bit) != 0;
        boolean firstPending = (uncorrectableStatus() & ~uncorrectableMask()) == 0;
        setReg(UNCORRECTABLE_STATUS, 4, uncorrectableStatus() | bit);
        if (masked) return Signal.NONE;
        if (firstPending) {
            setReg(CAPABILITIES_CONTROL, 4, (reg(CAPABILITIES_CONTROL, 4) & ~0x1F) | e.bit);
            for (int i = 0; i < 4; i++) setReg(HEADER_LOG + 4 * i, 4, header != null && i < header.length ? header[i] : 0);
        }
        return (uncorrectableSeverity() & bit) != 0 ? Signal.FATAL : Signal.NON_FATAL;
    }

    /** Records a correctable error; returns {@link Signal#CORRECTABLE} unless it is masked. */
    public Signal recordCorrectable(Correctable e) {
        int bit = 1 << e.bit;
        setReg(CORRECTABLE_STATUS, 4, correctableStatus() | bit);
        return (correctableMask() & bit) != 0 ? Signal.NONE : Signal.CORRECTABLE;
    }
}
