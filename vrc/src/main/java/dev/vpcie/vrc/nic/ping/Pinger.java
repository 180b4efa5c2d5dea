package dev.vpcie.vrc.nic.ping;

import dev.vpcie.protocol.transport.MacAddress;
import dev.vpcie.vrc.nic.NicDriver;
import dev.vpcie.vrc.nic.NicException;
import dev.vpcie.vrc.nic.packet.ArpPacket;
import dev.vpcie.vrc.nic.packet.EchoResponder;
import dev.vpcie.vrc.nic.packet.IcmpEcho;
import dev.vpcie.vrc.nic.packet.Ipv4Address;
import dev.vpcie.vrc.nic.packet.Packet;
import dev.vpcie.vrc.nic.packet.Packets;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ICMP echo through a NIC driver, without a TAP or the kernel's stack: the host side of
 * {@code vpcie vrc ping}. It resolves the destination with ARP, sends echo requests with a
 * timestamp in the payload, matches replies by identifier and sequence, and measures each round
 * trip from just before the frame is queued to the moment the driver's poll thread hands the
 * reply over. While it runs it also answers ARP and echo requests for its own address, so the
 * peer can resolve it. The destination must be on the NIC's own Ethernet segment (no routing).
 */
public final class Pinger implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Pinger.class);
    /** Payload bytes that hold the send time; the rest is the pattern 0x10, 0x11, ... as ping fills it. */
    private static final int STAMP = 8;

    /**
     * @param count      requests to send; 0 sends until the stop condition holds
     * @param linger     how long to wait for outstanding replies after the last request
     */
    public record Settings(Ipv4Address destination, Ipv4Address source, MacAddress sourceMac, int count, Duration interval,
                           int payloadSize, Duration linger, int ttl, Duration arpTimeout, int arpAttempts) {
        public Settings {
            if (count < 0) throw new IllegalArgumentException("count must not be negative: " + count);
            if (interval.isNegative()) throw new IllegalArgumentException("interval must not be negative");
            if (payloadSize < STAMP || payloadSize > 65507 - 8) throw new IllegalArgumentException("payload size must be " + STAMP + "..65499: " + payloadSize);
            if (ttl < 1 || ttl > 255) throw new IllegalArgumentException("TTL must be 1..255: " + ttl);
            if (arpAttempts < 1) throw new IllegalArgumentException("ARP attempts must be at least 1");
            if (destination.isMulticastOrBroadcast()) throw new IllegalArgumentException("cannot ping a broadcast or multicast address: " + destination);
        }

        /** ping's defaults: 56 payload bytes, 1 s interval, TTL 64; 1 s per ARP attempt, 3 attempts, 2 s linger. */
        public static Settings defaults(Ipv4Address destination, Ipv4Address source, MacAddress sourceMac) {
            return new Settings(destination, source, sourceMac, 0, Duration.ofSeconds(1), 56, Duration.ofSeconds(2), 64,
                    Duration.ofSeconds(1), 3);
        }

        public Settings withCount(int n) { return new Settings(destination, source, sourceMac, n, interval, payloadSize, linger, ttl, arpTimeout, arpAttempts); }
        public Settings withInterval(Duration d) { return new Settings(destination, source, sourceMac, count, d, payloadSize, linger, ttl, arpTimeout, arpAttempts); }
        public Settings withPayloadSize(int n) { return new Settings(destination, source, sourceMac, count, interval, n, linger, ttl, arpTimeout, arpAttempts); }
        public Settings withLinger(Duration d) { return new Settings(destination, source, sourceMac, count, interval, payloadSize, d, ttl, arpTimeout, arpAttempts); }
        public Settings withTtl(int n) { return new Settings(destination, source, sourceMac, count, interval, payloadSize, linger, n, arpTimeout, arpAttempts); }
        public Settings withArp(Duration timeout, int attempts) { return new Settings(destination, source, sourceMac, count, interval, payloadSize, linger, ttl, timeout, attempts); }
    }

    /** One echo reply as ping reports it. */
    public record Reply(int sequence, int icmpBytes, Ipv4Address from, int ttl, long rttNanos, boolean duplicate) {
        /** ping's line: {@code 64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=0.081 ms}. */
        public String format() {
            return icmpBytes + " bytes from " + from + ": icmp_seq=" + sequence + " ttl=" + ttl + " time=" + PingSummary.ms(rttNanos) + " ms"
                    + (duplicate ? " (DUP!)" : "");
        }
    }

    @FunctionalInterface
    public interface Listener {
        void onReply(Reply reply);
    }

    private final NicDriver driver;
    private final Settings settings;
    private final EchoResponder responder;
    private final int identifier = ThreadLocalRandom.current().nextInt(1, 0x10000);
    private final AtomicLongArray sentAt = new AtomicLongArray(0x10000);
    private final LinkedBlockingQueue<Reply> replies = new LinkedBlockingQueue<>();
    private final BitSet answered = new BitSet(0x10000);
    private final CompletableFuture<MacAddress> arp = new CompletableFuture<>();
    private volatile MacAddress destinationMac;
    private int ipId;

    public Pinger(NicDriver driver, Settings settings) {
        this.driver = driver;
        this.settings = settings;
        this.responder = new EchoResponder(settings.sourceMac(), settings.source(), 64);
        driver.onReceive(this::receive);
    }

    public int identifier() { return identifier; }

    /** Sends ARP requests for the destination until one is answered; returns its MAC address. */
    public MacAddress resolve() throws InterruptedException {
        byte[] request = ArpPacket.request(settings.sourceMac(), settings.source(), settings.destination()).toFrame();
        for (int attempt = 0; attempt < settings.arpAttempts(); attempt++) {
            send(request);
            try {
                destinationMac = arp.get(settings.arpTimeout().toNanos(), TimeUnit.NANOSECONDS);
                return destinationMac;
            } catch (TimeoutException e) {
                log.debug("no ARP reply from {} (attempt {})", settings.destination(), attempt + 1);
            } catch (ExecutionException e) {
                throw new IllegalStateException(e);
            }
        }
        throw new NicException("no ARP reply from " + settings.destination() + " after " + settings.arpAttempts() + " request(s) from "
                + settings.source() + " (" + driver.link() + ")");
    }

    /** Resolves the destination if not done yet, then sends and reports until the count is reached or {@code stop} holds. */
    public PingSummary run(Listener listener, BooleanSupplier stop) throws InterruptedException {
        if (destinationMac == null) resolve();
        int transmitted = 0, received = 0, duplicates = 0;
        long start = System.nanoTime(), lastSend = start;
        List<Long> rtts = new ArrayList<>();
        long intervalNs = settings.interval().toNanos();
        for (int seq = 1; settings.count() == 0 || seq <= settings.count(); seq++) {
            if (stop.getAsBoolean()) break;
            long due = start + (seq - 1) * intervalNs;
            int[] counts = drainUntil(due, listener, rtts, stop);
            received += counts[0];
            duplicates += counts[1];
            if (stop.getAsBoolean()) break;
            lastSend = System.nanoTime();
            if (sendEcho(seq & 0xFFFF)) transmitted++;
        }
        long lingerUntil = lastSend + settings.linger().toNanos();
        while (received < transmitted && System.nanoTime() < lingerUntil && !stop.getAsBoolean()) {
            int[] counts = drainUntil(Math.min(lingerUntil, System.nanoTime() + 50_000_000L), listener, rtts, () -> false);
            received += counts[0];
            duplicates += counts[1];
        }
        long[] r = rtts.stream().mapToLong(Long::longValue).toArray();
        return new PingSummary(settings.destination().toString(), transmitted, received, duplicates, System.nanoTime() - start, r);
    }

    /** Reports replies until {@code deadline}; returns {new replies, duplicates}. */
    private int[] drainUntil(long deadline, Listener listener, List<Long> rtts, BooleanSupplier stop) throws InterruptedException {
        int fresh = 0, dups = 0;
        while (true) {
            long left = deadline - System.nanoTime();
            Reply r = left > 0 ? replies.poll(Math.min(left, 100_000_000L), TimeUnit.NANOSECONDS) : replies.poll();
            if (r != null) {
                if (r.duplicate()) dups++;
                else {
                    fresh++;
                    rtts.add(r.rttNanos());
                }
                listener.onReply(r);
            } else if (left <= 0 || stop.getAsBoolean()) {
                return new int[] {fresh, dups};
            }
        }
    }

    private boolean sendEcho(int seq) throws InterruptedException {
        byte[] payload = new byte[settings.payloadSize()];
        for (int i = STAMP; i < payload.length; i++) payload[i] = (byte) (0x10 + i - STAMP);
        synchronized (answered) {
            answered.clear(seq);
        }
        long now = System.nanoTime();
        ByteBuffer.wrap(payload).putLong(0, now);
        IcmpEcho echo = new IcmpEcho(false, settings.sourceMac(), destinationMac, settings.source(), settings.destination(), settings.ttl(),
                identifier, seq, payload);
        sentAt.set(seq, now);
        return send(echo.toFrame(ipId++));
    }

    private boolean send(byte[] frame) throws InterruptedException {
        if (driver.transmit(ByteBuffer.wrap(frame))) return true;
        if (driver.awaitTxSpace(settings.interval().toNanos() + 100_000_000L) && driver.transmit(ByteBuffer.wrap(frame))) return true;
        log.warn("transmit ring full: request dropped");
        return false;
    }

    /** On the driver's poll thread: ARP replies, echo replies for us, and requests we answer. */
    private void receive(ByteBuffer frame, int queue) {
        long now = System.nanoTime();
        int length = frame.remaining();
        byte[] bytes = new byte[length];
        frame.get(bytes);
        Packet p = Packets.parse(bytes, length);
        switch (p) {
            case ArpPacket a -> {
                if (!a.isRequest() && a.senderIp().equals(settings.destination())) arp.complete(a.senderMac());
                answer(p);
            }
            case IcmpEcho e -> {
                if (e.reply() && e.identifier() == identifier && e.destination().equals(settings.source())) {
                    long sent = sentAt.get(e.sequence());
                    if (sent == 0) return;
                    boolean dup;
                    synchronized (answered) {
                        dup = answered.get(e.sequence());
                        answered.set(e.sequence());
                    }
                    replies.add(new Reply(e.sequence(), e.icmpLength(), e.source(), e.ttl(), now - sent, dup));
                } else {
                    answer(p);
                }
            }
            case Packet.Other o -> {
                if (o.malformed()) log.debug("malformed frame ignored: {}", o.reason());
            }
        }
    }

    private void answer(Packet p) {
        responder.respond(p).ifPresent(reply -> {
            if (!driver.transmit(ByteBuffer.wrap(reply))) log.debug("no TX room to answer {}", p);
        });
    }

    @Override public void close() {
        driver.onReceive(null);
    }
}
