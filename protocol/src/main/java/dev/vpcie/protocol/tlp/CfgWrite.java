package dev.vpcie.protocol.tlp;

/** Configuration Write Request: one DW of payload; see {@link CfgRead} for the fields. */
public record CfgWrite(ConfigType type, int requester, int tag, int target, int register, int firstBe, byte[] data)
        implements Tlp {
    public CfgWrite {
        Payloads.checkId(requester, "requester");
        Payloads.checkId(target, "target");
        Payloads.checkTag(tag);
        Payloads.checkBe(firstBe, "first");
        if ((register & 3) != 0 || register < 0 || register > 0xFFC)
            throw new IllegalArgumentException("config register offset must be DW aligned in 0..0xFFC: " + register);
        if (data == null || data.length != 4) throw new IllegalArgumentException("config write payload must be one DW");
    }

    @Override public boolean equals(Object o) {
        return o instanceof CfgWrite w && w.type == type && w.requester == requester && w.tag == tag && w.target == target
                && w.register == register && w.firstBe == firstBe && Payloads.same(w.data, data);
    }

    @Override public int hashCode() { return (target * 31 + register) * 31 + Payloads.hash(data); }

    @Override public String toString() {
        return "CfgWrite[" + type + ", requester=" + Bdf.toString(requester) + ", tag=" + tag + ", target=" + Bdf.toString(target)
                + ", register=0x" + Integer.toHexString(register) + ", firstBe=" + firstBe + ", data=" + Payloads.hex(data) + "]";
    }
}
