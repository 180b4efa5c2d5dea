package dev.vpcie.protocol.nettlp;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What one {@link NetTlpPort} carried, per UDP port (and so per tag: a DMA port is its tag's low 8
 * bits, an MMIO port its low 4) and per event. Written on the port's loop thread, read by anyone.
 */
public final class NetTlpCounters {

    /** Things counted once per occurrence. */
    public enum Event {
        /** A datagram that is not a NetTLP datagram (too short, or not one TLP); dropped. */
        MALFORMED,
        /** A datagram the kernel refused to send (peer unreachable, buffer full); the TLP is lost, as on the wire. */
        SEND_FAILED,
        /** A datagram dropped on purpose before sending (a test's injected loss). */
        INJECTED_DROP,
        /** A TLP on a port that does not carry its direction (a completion on a request port, or the reverse). */
        WRONG_PORT,
        /** Messaging API requests answered / ignored (unknown code or size). */
        MESSAGING_ANSWERED, MESSAGING_IGNORED,
        /** Config API reads answered, writes applied, and packets refused. */
        CONFIG_READ, CONFIG_WRITE, CONFIG_REFUSED
    }

    private static final int SLOTS = NetTlpPorts.DMA_PORTS + NetTlpPorts.MMIO_PORTS;
    private final AtomicLongArray received = new AtomicLongArray(SLOTS), sent = new AtomicLongArray(SLOTS);
    private final AtomicLongArray events = new AtomicLongArray(Event.values().length);

    void received(int port) { received.incrementAndGet(slot(port)); }

    void sent(int port) { sent.incrementAndGet(slot(port)); }

    void count(Event e) { events.incrementAndGet(e.ordinal()); }

    /** Datagrams received on UDP {@code port} (0x3000-0x30FF, 0x4000-0x400F). */
    public long receivedOn(int port) { return received.get(slot(port)); }

    /** Datagrams sent from UDP {@code port}. */
    public long sentOn(int port) { return sent.get(slot(port)); }

    public long get(Event e) { return events.get(e.ordinal()); }

    /** Every event that happened, by name. */
    public Map<Event, Long> events() {
        Map<Event, Long> m = new EnumMap<>(Event.class);
        for (Event e : Event.values()) if (get(e) != 0) m.put(e, get(e));
        return m;
    }

    /** One line per UDP port that carried anything: {@code 0x3005 tag 5: rx 10 tx 10}. */
    public List<String> perPort() {
        List<String> lines = new ArrayList<>();
        for (int s = 0; s < SLOTS; s++) {
            long rx = received.get(s), tx = sent.get(s);
            if (rx == 0 && tx == 0) continue;
            int port = s < NetTlpPorts.DMA_PORTS ? NetTlpPorts.DMA_BASE + s : NetTlpPorts.MMIO_BASE + s - NetTlpPorts.DMA_PORTS;
            String tag = s < NetTlpPorts.DMA_PORTS ? "dma tag " + s : "mmio tag&0xf " + (s - NetTlpPorts.DMA_PORTS);
            lines.add(String.format("0x%04x %s: rx %d tx %d", port, tag, rx, tx));
        }
        return lines;
    }

    private static int slot(int port) {
        if (NetTlpPorts.isDma(port)) return port - NetTlpPorts.DMA_BASE;
        if (NetTlpPorts.isMmio(port)) return NetTlpPorts.DMA_PORTS + port - NetTlpPorts.MMIO_BASE;
        throw new IllegalArgumentException("not a NetTLP TLP port: 0x" + Integer.toHexString(port));
    }
}
