package dev.vpcie.protocol.tlp;

/**
 * Completion (Cpl, without data, when {@code data} is null) or Completion with Data (CplD).
 * {@code byteCount} is the bytes remaining to complete the request including this completion,
 * 1..4096 (4096 travels as 0); {@code lowerAddress} is the 7-bit Lower Address field. A CplD's
 * payload is whole DWs starting at the DW that holds {@code lowerAddress}.
 */
public record Completion(int completer, CplStatus status, boolean bcm, int byteCount, int requester, int tag,
                         int lowerAddress, Attributes attributes, byte[] data) implements Tlp {
    public Completion {
        Payloads.checkId(completer, "completer");
        Payloads.checkId(requester, "requester");
        Payloads.checkTag(tag);
        if (status == null) throw new IllegalArgumentException("completion status missing");
        if (byteCount < 1 || byteCount > 4096) throw new IllegalArgumentException("byte count must be 1..4096: " + byteCount);
        if ((lowerAddress & ~0x7F) != 0) throw new IllegalArgumentException("lower address is 7 bits: " + lowerAddress);
        if (data != null && (data.length == 0 || data.length > 4096 || (data.length & 3) != 0))
            throw new IllegalArgumentException("CplD payload must be 1..1024 whole DWs: " + data.length + " bytes");
    }

    public boolean hasData() { return data != null; }

    /** Length in DW (0 for a completion without data). */
    public int length() { return data == null ? 0 : data.length >>> 2; }

    @Override public boolean equals(Object o) {
        return o instanceof Completion c && c.completer == completer && c.status == status && c.bcm == bcm
                && c.byteCount == byteCount && c.requester == requester && c.tag == tag && c.lowerAddress == lowerAddress
                && c.attributes.equals(attributes) && Payloads.same(c.data, data);
    }

    @Override public int hashCode() { return (tag * 31 + byteCount) * 31 + Payloads.hash(data); }

    @Override public String toString() {
        return (data == null ? "Cpl" : "CplD") + "[completer=" + Bdf.toString(completer) + ", status=" + status
                + ", bcm=" + bcm + ", byteCount=" + byteCount + ", requester=" + Bdf.toString(requester) + ", tag=" + tag
                + ", lowerAddress=0x" + Integer.toHexString(lowerAddress) + ", " + attributes + ", data=" + Payloads.hex(data) + "]";
    }
}
