package dev.vpcie.protocol.tlp;

/**
 * Traffic class, attribute bits and the poisoned bit of a TLP header (PCIe base spec 2.2.6.3,
 * 2.2.6.4, 2.7.2). Memory requests, completions and messages carry these; I/O and configuration
 * requests must use the default (TC0, no attributes).
 */
public record Attributes(int trafficClass, boolean relaxedOrdering, boolean noSnoop, boolean idBasedOrdering,
                         boolean poisoned) {
    public static final Attributes DEFAULT = new Attributes(0, false, false, false, false);

    public Attributes {
        if (trafficClass < 0 || trafficClass > 7) throw new IllegalArgumentException("TC out of range: " + trafficClass);
    }

    /** Attr[2:0] as in the header: bit 2 = IDO, bit 1 = RO, bit 0 = NS. */
    public int attrBits() {
        return (idBasedOrdering ? 4 : 0) | (relaxedOrdering ? 2 : 0) | (noSnoop ? 1 : 0);
    }

    public static Attributes of(int trafficClass, int attrBits, boolean poisoned) {
        if (trafficClass == 0 && attrBits == 0 && !poisoned) return DEFAULT;
        return new Attributes(trafficClass, (attrBits & 2) != 0, (attrBits & 1) != 0, (attrBits & 4) != 0, poisoned);
    }
}
