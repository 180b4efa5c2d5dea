package dev.vpcie.protocol.nettlp;

/**
 * NetTLP's UDP ports, which carry direction and tag. Both sides bind the same numbers, so on one
 * machine they need two addresses (127.0.0.1 and 127.0.0.2, say). Every socket is connected to
 * the same port on the other side: a reply from any other address or port is dropped by libtlp.
 *
 * <table>
 * <caption>Who uses which port</caption>
 * <tr><th>flow</th><th>ports</th></tr>
 * <tr><td>DMA the device issues (MRd/MWr to host memory) and the host's CplD for it</td>
 *     <td>{@code 0x3000 + tag}, tag 8 bits: 0x3000-0x30FF</td></tr>
 * <tr><td>MMIO the host issues (MRd/MWr to a BAR) and the device's CplD for it</td>
 *     <td>{@code 0x4000 + (tag & 0xF)}: 0x4000-0x400F</td></tr>
 * <tr><td>messaging API (the device asks the host for facts)</td><td>host port {@code 0x2FFF}</td></tr>
 * <tr><td>the adapter's configuration API (6-byte packets, no NetTLP header)</td><td>{@code 0x4001}, told apart from MMIO on the
 *     same port by its length</td></tr>
 * </table>
 */
public final class NetTlpPorts {
    public static final int DMA_BASE = 0x3000, DMA_PORTS = 256;
    public static final int MMIO_BASE = 0x4000, MMIO_PORTS = 16;
    public static final int MESSAGING = 0x2FFF;
    public static final int CONFIG = 0x4001;

    private NetTlpPorts() {}

    /** The port of a device-issued request with {@code tag}, and of the completion for it. */
    public static int dma(int tag) { return DMA_BASE + (tag & 0xFF); }

    /** The port of a host-issued request with {@code tag}, and of the completion for it. */
    public static int mmio(int tag) { return MMIO_BASE + (tag & 0xF); }

    public static boolean isDma(int port) { return port >= DMA_BASE && port < DMA_BASE + DMA_PORTS; }

    public static boolean isMmio(int port) { return port >= MMIO_BASE && port < MMIO_BASE + MMIO_PORTS; }
}
