package dev.vpcie.protocol.tlp;

/**
 * Message Request (Msg, or MsgD when {@code data} is non-null). {@code code} is the Message
 * Code; {@code headerTail} holds header bytes 8..15 big-endian, whose meaning depends on the
 * code (an address for routing by address, the target ID in bytes 8-9 for routing by ID,
 * Vendor ID in bytes 10-11 for vendor-defined messages).
 */
public record Message(int requester, int tag, MessageRouting routing, int code, long headerTail,
                      Attributes attributes, byte[] data) implements Tlp {
    public static final int ASSERT_INTA = 0x20, ASSERT_INTB = 0x21, ASSERT_INTC = 0x22, ASSERT_INTD = 0x23;
    public static final int DEASSERT_INTA = 0x24, DEASSERT_INTB = 0x25, DEASSERT_INTC = 0x26, DEASSERT_INTD = 0x27;
    public static final int VENDOR_DEFINED_TYPE0 = 0x7E, VENDOR_DEFINED_TYPE1 = 0x7F;

    public Message {
        Payloads.checkId(requester, "requester");
        Payloads.checkTag(tag);
        if (routing == null) throw new IllegalArgumentException("message routing missing");
        if ((code & ~0xFF) != 0) throw new IllegalArgumentException("message code is 8 bits: " + code);
        if (data != null && (data.length == 0 || data.length > 4096 || (data.length & 3) != 0))
            throw new IllegalArgumentException("MsgD payload must be 1..1024 whole DWs: " + data.length + " bytes");
    }

    /** Assert_INTx (pin 0 = INTA .. 3 = INTD), routed Local, as an endpoint sends it upstream. */
    public static Message assertIntx(int requester, int pin) {
        return new Message(requester, 0, MessageRouting.LOCAL, ASSERT_INTA + checkPin(pin), 0, Attributes.DEFAULT, null);
    }

    /** Deassert_INTx (pin 0 = INTA .. 3 = INTD). */
    public static Message deassertIntx(int requester, int pin) {
        return new Message(requester, 0, MessageRouting.LOCAL, DEASSERT_INTA + checkPin(pin), 0, Attributes.DEFAULT, null);
    }

    /** Vendor-defined message routed by ID: bytes 8-9 target ID, 10-11 vendor ID, 12-15 vendor-specific. */
    public static Message vendorDefined(int requester, boolean type1, int target, int vendorId, int vendorWord, byte[] data) {
        long tail = (long) (target & 0xFFFF) << 48 | (long) (vendorId & 0xFFFF) << 32 | (vendorWord & 0xFFFFFFFFL);
        return new Message(requester, 0, MessageRouting.BY_ID, type1 ? VENDOR_DEFINED_TYPE1 : VENDOR_DEFINED_TYPE0,
                tail, Attributes.DEFAULT, data);
    }

    private static int checkPin(int pin) {
        if (pin < 0 || pin > 3) throw new IllegalArgumentException("INTx pin is 0..3 (INTA..INTD): " + pin);
        return pin;
    }

    public boolean hasData() { return data != null; }

    @Override public boolean equals(Object o) {
        return o instanceof Message m && m.requester == requester && m.tag == tag && m.routing == routing && m.code == code
                && m.headerTail == headerTail && m.attributes.equals(attributes) && Payloads.same(m.data, data);
    }

    @Override public int hashCode() { return (code * 31 + Long.hashCode(headerTail)) * 31 + Payloads.hash(data); }

    @Override public String toString() {
        return (data == null ? "Msg" : "MsgD") + "[requester=" + Bdf.toString(requester) + ", tag=" + tag + ", routing=" + routing
                + ", code=0x" + Integer.toHexString(code) + ", tail=0x" + Long.toHexString(headerTail) + ", " + attributes
                + ", data=" + Payloads.hex(data) + "]";
    }
}
