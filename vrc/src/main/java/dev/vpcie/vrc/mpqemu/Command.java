package dev.vpcie.vrc.mpqemu;

/**
 * The commands of QEMU's multi-process protocol ({@code include/hw/remote/mpqemu-link.h},
 * QEMU 7.2) as a table: number, exact payload size, how many descriptors travel with it, and
 * whether the sender waits for a {@link #RET}.
 */
public enum Command {
    SYNC_SYSMEM(0, 192, 1, 8, false),
    RET(1, 8, 0, 0, false),
    PCI_CFGWRITE(2, 12, 0, 0, true),
    PCI_CFGREAD(3, 12, 0, 0, true),
    BAR_WRITE(4, 24, 0, 0, true),
    BAR_READ(5, 24, 0, 0, true),
    SET_IRQFD(6, 0, 2, 2, false),
    DEVICE_RESET(7, 0, 0, 0, true);

    /** The largest payload any message has (QEMU's {@code MPQemuMsg} data union). */
    public static final int MAX_PAYLOAD = 192;
    /** Every message starts with {@code int32 cmd, 4 bytes padding, uint64 size}. */
    public static final int HEADER_SIZE = 16;
    /** The most regions one SYNC_SYSMEM describes (one descriptor each). */
    public static final int MAX_REGIONS = 8;

    public final int code;
    public final int payloadSize;
    public final int minFds, maxFds;
    /** True when QEMU waits for a RET after sending it. */
    public final boolean expectsReply;

    Command(int code, int payloadSize, int minFds, int maxFds, boolean expectsReply) {
        this.code = code;
        this.payloadSize = payloadSize;
        this.minFds = minFds;
        this.maxFds = maxFds;
        this.expectsReply = expectsReply;
    }

    private static final Command[] BY_CODE = new Command[8];
    static {
        for (Command c : values()) BY_CODE[c.code] = c;
    }

    /** The command numbered {@code code}, or null. */
    public static Command of(long code) { return code >= 0 && code < BY_CODE.length ? BY_CODE[(int) code] : null; }
}
