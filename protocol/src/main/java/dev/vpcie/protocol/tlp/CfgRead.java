package dev.vpcie.protocol.tlp;

/**
 * Configuration Read Request. {@code target} is the completer's Routing ID; {@code register} is
 * the DW-aligned byte offset into the 4 KiB configuration space (Register Number and Extended
 * Register Number together).
 */
public record CfgRead(ConfigType type, int requester, int tag, int target, int register, int firstBe) implements Tlp {
    public CfgRead {
        Payloads.checkId(requester, "requester");
        Payloads.checkId(target, "target");
        Payloads.checkTag(tag);
        Payloads.checkBe(firstBe, "first");
        if ((register & 3) != 0 || register < 0 || register > 0xFFC)
            throw new IllegalArgumentException("config register offset must be DW aligned in 0..0xFFC: " + register);
    }
}
