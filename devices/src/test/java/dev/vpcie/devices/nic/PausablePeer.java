package dev.vpcie.devices.nic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * A link partner that obeys the NIC's flow control as a wire does: it hands over a burst (the
 * frames of one super-frame) only when the NIC says it takes all of it, else it holds the burst,
 * and everything after it, for later.
 */
public final class PausablePeer {
    /** Frames a 64 KiB TCP super-frame is cut into. */
    public static final int SUPER_FRAME_SEGMENTS = 45;

    private final NicHarness<?> h;
    private final ArrayDeque<List<byte[]>> bursts = new ArrayDeque<>();
    private final List<byte[]> queued = new ArrayList<>();
    private int held;

    public PausablePeer(NicHarness<?> h) { this.h = h; }

    /** Queues {@code count} bursts of {@link #SUPER_FRAME_SEGMENTS} full-size frames to {@code to}. */
    public PausablePeer queueBursts(MacAddress to, int count) {
        for (int b = 0; b < count; b++) {
            List<byte[]> burst = new ArrayList<>();
            for (int i = 0; i < SUPER_FRAME_SEGMENTS; i++) burst.add(TestPackets.rawFrame(to, TestPackets.SRC, EthernetFrames.MAX_FRAME, queued.size() + i));
            queued.addAll(burst);
            bursts.addLast(burst);
        }
        return this;
    }

    /** Every frame queued, in order. */
    public List<byte[]> queued() { return queued; }

    /** Sends the bursts the NIC takes now, in order; stops at the first it does not. Returns the frames sent. */
    public int sendWhileAccepted() {
        int sent = 0;
        while (!bursts.isEmpty()) {
            List<byte[]> burst = bursts.peekFirst();
            int bytes = burst.stream().mapToInt(f -> Math.max(f.length, EthernetFrames.MIN_FRAME)).sum();
            if (!h.nicAccepts(burst.size(), bytes)) {
                held++;
                return sent;
            }
            bursts.pollFirst();
            for (byte[] f : burst) h.peerSend(f);
            sent += burst.size();
        }
        return sent;
    }

    /**
     * Sends while the NIC takes the bursts and lets the host clean its ring ({@code hostCleans}
     * returns what it received) in turns, until everything went and the host has it all; checks
     * that it came whole, in order, and that the peer was held back at least once.
     */
    public void sendAllCheckingOrder(Supplier<List<byte[]>> hostCleans) {
        List<byte[]> got = new ArrayList<>();
        for (int round = 0; round < 1000 && (!bursts.isEmpty() || got.size() < queued.size()); round++) {
            sendWhileAccepted();
            got.addAll(hostCleans.get());
        }
        assertTrue(bursts.isEmpty(), "every burst went once there was room");
        assertEquals(queued.size(), got.size(), "nothing lost");
        for (int i = 0; i < queued.size(); i++) assertArrayEquals(queued.get(i), got.get(i), "frame " + i + " in order");
        assertTrue(held > 0, "the peer was held back");
    }
}
