package dev.vpcie.protocol.tlp;

/** I/O Write Request: one DW of payload (4 bytes), last BE 0, TC0, no attributes. */
public record IoWrite(int requester, int tag, int address, int firstBe, byte[] data) implements Tlp {
    public IoWrite {
        Payloads.checkId(requester, "requester");
        Payloads.checkTag(tag);
        Payloads.checkBe(firstBe, "first");
        if ((address & 3) != 0) throw new IllegalArgumentException("address must be DW aligned: " + Integer.toHexString(address));
        if (data == null || data.length != 4) throw new IllegalArgumentException("I/O write payload must be one DW");
    }

    @Override public boolean equals(Object o) {
        return o instanceof IoWrite w && w.requester == requester && w.tag == tag && w.address == address
                && w.firstBe == firstBe && Payloads.same(w.data, data);
    }

    @Override public int hashCode() { return address * 31 + Payloads.hash(data); }

    @Override public String toString() {
        return "IoWrite[requester=" + Bdf.toString(requester) + ", tag=" + tag + ", address=0x" + Integer.toHexString(address)
                + ", firstBe=" + firstBe + ", data=" + Payloads.hex(data) + "]";
    }
}
