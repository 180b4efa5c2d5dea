package dev.vpcie.protocol.nettlp;

import java.util.Optional;

/**
 * The configuration space of the NetTLP adapter that the host side stands in for, served through
 * the {@link ConfigApi}: a type 0 header with the hardware adapter's IDs (vendor 0x3776, device
 * 0x8022). The identification registers (vendor, device, revision, class, header type) are read
 * only; every other byte takes what the device side writes, under the packet's byte mask.
 */
public final class AdapterConfigSpace {
    public static final int VENDOR_ID = 0x3776, DEVICE_ID = 0x8022;
    private static final int DWORDS = 1024;
    /** DW 0 (IDs), 2 (revision and class) and 3's header-type byte are read only. */
    private static final int[] READ_ONLY_MASK = new int[DWORDS];

    static {
        READ_ONLY_MASK[0] = 0xFFFF_FFFF;
        READ_ONLY_MASK[2] = 0xFFFF_FFFF;
        READ_ONLY_MASK[3] = 0x00FF_0000;
    }

    private final int[] dwords = new int[DWORDS];

    public AdapterConfigSpace() {
        dwords[0] = DEVICE_ID << 16 | VENDOR_ID;
        dwords[2] = 0x0200_0000; // class 02 (network controller), subclass 00, revision 00
    }

    /** Applies {@code request}: a read's reply, or empty for a write (which has none). */
    public synchronized Optional<ConfigApi.Packet> handle(ConfigApi.Packet request) {
        int dw = request.dwAddress();
        if (request.command() == ConfigApi.READ) return Optional.of(request.withValue(dwords[dw]));
        int mask = 0;
        for (int i = 0; i < 4; i++) if ((request.byteMask() & 1 << i) != 0) mask |= 0xFF << (8 * i);
        mask &= ~READ_ONLY_MASK[dw];
        dwords[dw] = dwords[dw] & ~mask | request.value() & mask;
        return Optional.empty();
    }

    public synchronized int read(int dwAddress) { return dwords[dwAddress]; }
}
