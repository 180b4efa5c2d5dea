package dev.vpcie.protocol.tlp;

/**
 * Memory Read Request (MRd). {@code length} is in DW, 1..1024; {@code address} is DW-aligned.
 * {@code longAddress} selects the 4DW header (64-bit address); a 4DW header carrying an address
 * below 4 GiB is legal to receive but the spec says a requester must not send it.
 */
public record MemRead(int requester, int tag, long address, int length, int firstBe, int lastBe,
                      boolean longAddress, Attributes attributes) implements Tlp {
    public MemRead {
        Payloads.checkId(requester, "requester");
        Payloads.checkTag(tag);
        Payloads.checkBe(firstBe, "first");
        Payloads.checkBe(lastBe, "last");
        if (length < 1 || length > 1024) throw new IllegalArgumentException("MRd length must be 1..1024 DW: " + length);
        if ((address & 3) != 0) throw new IllegalArgumentException("address must be DW aligned: " + Long.toHexString(address));
        if (!longAddress && (address >>> 32) != 0) throw new IllegalArgumentException("address needs a 4DW header: " + Long.toHexString(address));
    }

    /** A read with the header size the spec requires for this address (3DW below 4 GiB). */
    public MemRead(int requester, int tag, long address, int length, int firstBe, int lastBe) {
        this(requester, tag, address, length, firstBe, lastBe, (address >>> 32) != 0, Attributes.DEFAULT);
    }
}
