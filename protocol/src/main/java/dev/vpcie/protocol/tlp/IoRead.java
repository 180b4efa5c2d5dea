package dev.vpcie.protocol.tlp;

/** I/O Read Request: always 1 DW, last BE 0, TC0, no attributes (PCIe base spec 2.2.7). */
public record IoRead(int requester, int tag, int address, int firstBe) implements Tlp {
    public IoRead {
        Payloads.checkId(requester, "requester");
        Payloads.checkTag(tag);
        Payloads.checkBe(firstBe, "first");
        if ((address & 3) != 0) throw new IllegalArgumentException("address must be DW aligned: " + Integer.toHexString(address));
    }
}
