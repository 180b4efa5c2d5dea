package dev.vpcie.protocol.tlp;

/** Message Code names (PCIe base spec 2.2.8), for logs and the {@code tlp decode} command. */
public final class MessageCode {
    private MessageCode() {}

    public static final int UNLOCK = 0x00, LTR = 0x10, OBFF = 0x12, PM_ACTIVE_STATE_NAK = 0x14, PM_PME = 0x18;
    public static final int PME_TURN_OFF = 0x19, PME_TO_ACK = 0x1B, ERR_COR = 0x30, ERR_NONFATAL = 0x31, ERR_FATAL = 0x33;
    public static final int SET_SLOT_POWER_LIMIT = 0x50, PTM_REQUEST = 0x52, PTM_RESPONSE = 0x53;

    /** The spec's name for {@code code}, or "Unknown 0x.." */
    public static String name(int code) {
        return switch (code) {
            case UNLOCK -> "Unlock";
            case LTR -> "LTR";
            case OBFF -> "OBFF";
            case PM_ACTIVE_STATE_NAK -> "PM_Active_State_Nak";
            case PM_PME -> "PM_PME";
            case PME_TURN_OFF -> "PME_Turn_Off";
            case PME_TO_ACK -> "PME_TO_Ack";
            case Message.ASSERT_INTA -> "Assert_INTA";
            case Message.ASSERT_INTB -> "Assert_INTB";
            case Message.ASSERT_INTC -> "Assert_INTC";
            case Message.ASSERT_INTD -> "Assert_INTD";
            case Message.DEASSERT_INTA -> "Deassert_INTA";
            case Message.DEASSERT_INTB -> "Deassert_INTB";
            case Message.DEASSERT_INTC -> "Deassert_INTC";
            case Message.DEASSERT_INTD -> "Deassert_INTD";
            case ERR_COR -> "ERR_COR";
            case ERR_NONFATAL -> "ERR_NONFATAL";
            case ERR_FATAL -> "ERR_FATAL";
            case SET_SLOT_POWER_LIMIT -> "Set_Slot_Power_Limit";
            case PTM_REQUEST -> "PTM Request";
            case PTM_RESPONSE -> "PTM Response";
            case Message.VENDOR_DEFINED_TYPE0 -> "Vendor_Defined Type 0";
            case Message.VENDOR_DEFINED_TYPE1 -> "Vendor_Defined Type 1";
            default -> String.format("Unknown 0x%02x", code);
        };
    }
}
