package dev.vpcie.protocol.tlp;

/**
 * Memory Write Request (MWr). The payload is whole DWs ({@code data.length} a multiple of 4,
 * 4..4096), including bytes the byte enables leave disabled; {@link #length()} is in DW.
 */
public record MemWrite(int requester, int tag, long address, int firstBe, int lastBe, boolean longAddress,
                       Attributes attributes, byte[] data) implements Tlp {
    public MemWrite {
        Payloads.checkId(requester, "requester");
        Payloads.checkTag(tag);
        Payloads.checkBe(firstBe, "first");
        Payloads.checkBe(lastBe, "last");
        if (data == null || data.length == 0 || data.length > 4096 || (data.length & 3) != 0)
            throw new IllegalArgumentException("MWr payload must be 1..1024 whole DWs: " + (data == null ? "null" : data.length + " bytes"));
        if ((address & 3) != 0) throw new IllegalArgumentException("address must be DW aligned: " + Long.toHexString(address));
        if (!longAddress && (address >>> 32) != 0) throw new IllegalArgumentException("address needs a 4DW header: " + Long.toHexString(address));
    }

    public MemWrite(int requester, int tag, long address, int firstBe, int lastBe, byte[] data) {
        this(requester, tag, address, firstBe, lastBe, (address >>> 32) != 0, Attributes.DEFAULT, data);
    }

    /** Length in DW. */
    public int length() { return data.length >>> 2; }

    @Override public boolean equals(Object o) {
        return o instanceof MemWrite w && w.requester == requester && w.tag == tag && w.address == address
                && w.firstBe == firstBe && w.lastBe == lastBe && w.longAddress == longAddress
                && w.attributes.equals(attributes) && Payloads.same(w.data, data);
    }

    @Override public int hashCode() { return Long.hashCode(address) * 31 + Payloads.hash(data); }

    @Override public String toString() {
        return "MemWrite[requester=" + Bdf.toString(requester) + ", tag=" + tag + ", address=0x" + Long.toHexString(address)
                + ", firstBe=" + firstBe + ", lastBe=" + lastBe + ", longAddress=" + longAddress + ", " + attributes
                + ", data=" + Payloads.hex(data) + "]";
    }
}
