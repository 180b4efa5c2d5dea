package dev.vpcie.protocol.link;

import dev.vpcie.protocol.tlp.MemWrite;
import dev.vpcie.protocol.tlp.Tlp;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A handler that checks TLPs numbered by {@link #tlp(int)} arrive exactly once and in order,
 * and records link events.
 */
final class Recorder implements TlpHandler {
    /** Events in order: "up", "down: reason". */
    final List<String> events = new CopyOnWriteArrayList<>();
    final List<Long> upEpochs = new CopyOnWriteArrayList<>();
    final List<Integer> numbers = new ArrayList<>();
    volatile int next;
    volatile String error;
    /** When set (not -1), each new session must start with this TLP number. */
    volatile int startAfterUp = -1;

    /** A 1-DW MWr32 whose address and data both carry {@code n}, so order and identity are checkable. */
    static MemWrite tlp(int n) {
        byte[] data = {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n};
        return new MemWrite(0x0100, n & 0xFF, (n & 0x3FFF_FFFFL) << 2, 0xF, 0, data);
    }

    static int number(Tlp tlp) {
        byte[] d = ((MemWrite) tlp).data();
        return (d[0] & 0xFF) << 24 | (d[1] & 0xFF) << 16 | (d[2] & 0xFF) << 8 | d[3] & 0xFF;
    }

    @Override public synchronized void onTlp(Tlp tlp) {
        int n = number(tlp);
        if (n != next && error == null) error = "expected TLP " + next + " but got " + n;
        numbers.add(n);
        next = n + 1;
    }

    /** Starts expecting numbers from {@code n} (after a new session). */
    synchronized void expectFrom(int n) { next = n; }

    @Override public synchronized void onLinkUp(long peerEpoch) {
        if (startAfterUp >= 0) next = startAfterUp;
        events.add("up");
        upEpochs.add(peerEpoch);
    }

    @Override public void onLinkDown(String reason) { events.add("down: " + reason); }

    synchronized int count() { return numbers.size(); }
}
