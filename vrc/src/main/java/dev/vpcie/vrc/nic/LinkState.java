package dev.vpcie.vrc.nic;

/** The Ethernet link as the driver last read it from the PHY and STATUS. */
public record LinkState(boolean up, int speedMbps, boolean fullDuplex) {
    public static final LinkState DOWN = new LinkState(false, 0, false);

    /** Like the Linux drivers' message: {@code Link is Up 1000 Mbps Full Duplex} or {@code Link is Down}. */
    @Override public String toString() {
        return up ? "Link is Up " + speedMbps + " Mbps " + (fullDuplex ? "Full" : "Half") + " Duplex" : "Link is Down";
    }
}
