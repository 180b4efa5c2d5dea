package dev.vpcie.devices.config;

/** PCIe link speeds as encoded in Link Capabilities / Link Status (Supported Link Speeds vector index). */
public enum LinkSpeed {
    GT_2_5(1, "2.5GT/s"),
    GT_5(2, "5GT/s"),
    GT_8(3, "8GT/s"),
    GT_16(4, "16GT/s");

    public final int code;
    public final String label;

    LinkSpeed(int code, String label) {
        this.code = code;
        this.label = label;
    }
}
