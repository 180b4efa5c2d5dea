package dev.vpcie.devices.config;

/** Device power states as encoded in PMCSR bits 1:0. */
public enum PowerState {
    D0, D1, D2, D3_HOT;

    public int code() { return ordinal(); }

    public static PowerState fromCode(int code) { return values()[code & 3]; }
}
