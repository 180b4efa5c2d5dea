package dev.vpcie.endpoint;

import java.time.Duration;

/**
 * Settings of an {@link Endpoint} that are not the devices' business.
 *
 * @param completionTimeout   how long a DMA read waits for its completions when software left
 *                            Device Control 2's Completion Timeout Value at its default (0000b),
 *                            and for functions without a PCI Express capability
 * @param maxOutstandingReads DMA read requests one function keeps in flight at most; the tag
 *                            space the function's configuration allows caps it further
 * @param maxPayloadLimit     largest TLP payload the link carries (a power of two, 128..4096): DMA
 *                            writes and MMIO read completions never exceed it, whatever Max
 *                            Payload Size software programmed, so a TLP always fits the link's MTU
 */
public record EndpointConfig(Duration completionTimeout, int maxOutstandingReads, int maxPayloadLimit) {

    /** Factor applied to {@link #completionTimeout} when software disabled the completion timeout. */
    static final int DISABLED_TIMEOUT_FACTOR = 20;

    public EndpointConfig {
        if (completionTimeout == null || completionTimeout.isNegative() || completionTimeout.isZero())
            throw new IllegalArgumentException("completion timeout must be positive: " + completionTimeout);
        if (maxOutstandingReads < 1 || maxOutstandingReads > 768)
            throw new IllegalArgumentException("outstanding reads must be 1..768 (the 10-bit tag space): " + maxOutstandingReads);
        if (maxPayloadLimit < 128 || maxPayloadLimit > 4096 || Integer.bitCount(maxPayloadLimit) != 1)
            throw new IllegalArgumentException("payload limit must be a power of two in 128..4096: " + maxPayloadLimit);
    }

    /**
     * 250 ms completion timeout, 256 reads in flight, payloads up to 4 KiB. The timeout is longer
     * than the end of PCIe's default range (50 ms) on purpose: a frame lost on the interconnect is
     * repaired by the link within its retransmission timeout, which may back off to 250 ms, and a
     * busy host may not run a thread for tens of milliseconds; a shorter timeout would turn a
     * repaired loss or a scheduling hiccup into a failed DMA. Software that wants PCIe's ranges
     * selects one in Device Control 2.
     */
    public static EndpointConfig defaults() { return new EndpointConfig(Duration.ofMillis(250), 256, 4096); }

    public EndpointConfig withCompletionTimeout(Duration d) { return new EndpointConfig(d, maxOutstandingReads, maxPayloadLimit); }

    public EndpointConfig withMaxOutstandingReads(int n) { return new EndpointConfig(completionTimeout, n, maxPayloadLimit); }

    public EndpointConfig withMaxPayloadLimit(int bytes) { return new EndpointConfig(completionTimeout, maxOutstandingReads, bytes); }

    /**
     * The payload limit for a link that carries encoded TLPs of at most {@code maxTlpLength} bytes:
     * the largest power of two that fits beside a 4DW header, at least 128 (PCIe's smallest MPS).
     */
    public static int payloadLimitFor(int maxTlpLength) {
        int room = maxTlpLength - 16;
        if (room < 128) throw new IllegalArgumentException("a link carrying TLPs of " + maxTlpLength
                + " bytes cannot carry a 128-byte payload (PCIe's smallest Max Payload Size): raise the MTU");
        return Math.min(4096, Integer.highestOneBit(room));
    }
}
