package dev.vpcie.devices.nic;

/**
 * 802.3x flow control towards the wire (CTRL.TFCE): instead of letting a burst overflow the
 * receive packet buffer (MPC), the MAC tells its link partner to hold its frames (XOFF) and to go
 * on once there is room again (XON). Here the wire asks before it hands over a burst — one frame,
 * or every segment of a super-frame the wire cuts up — whether the receiver takes it now, and
 * holds it while the answer is no.
 *
 * <p>The room is what the receiver can take without dropping: the packet buffer's free bytes plus
 * what the descriptors already fetched take at once — the first frames of a burst are written
 * through them while nothing waits in the buffer, the rest waits there. A burst's first frames
 * are its longest (a super-frame's segments are equal but for the last), so each of them is
 * counted as the burst's average frame, as many as the fetched descriptors hold. A burst larger
 * than the receiver could ever hold (an empty buffer and a full prefetch) is taken once the
 * receiver has that much, and what does not fit is dropped as before — holding it would stop the
 * wire for good.
 *
 * <p>XOFFTXC counts the changes from "room" to "no room", XONTXC the changes back, as the chip
 * counts the pause frames it sends. Single-threaded (the function's).
 */
public final class FlowControl {
    private final NicStatistics stats;
    private boolean paused;

    public FlowControl(NicStatistics stats) { this.stats = stats; }

    /**
     * Whether a burst of {@code frames} frames, {@code bytes} in all, is taken now by a receiver
     * with {@code buffer}, and {@code fetched} descriptors of {@code bufferBytes} each already
     * fetched (they take the first frames only while nothing waits in the buffer: waiting frames
     * go first), which fetches {@code prefetch} at a time.
     */
    public boolean accepts(int frames, int bytes, PacketBuffer buffer, int fetched, int bufferBytes, int prefetch) {
        int burst = Math.max(1, frames);
        int average = bytes / burst;
        int longest = bytes / Math.max(1, burst - 1); // all but the last are equal: (burst - 1) × longest <= bytes
        int descriptorsPerFrame = Math.max(1, (longest + EthernetFrames.FCS_LENGTH + bufferBytes - 1) / Math.max(1, bufferBytes));
        int free = buffer.capacityBytes() - buffer.usedBytes();
        int room = free + (buffer.isEmpty() ? Math.min(burst, fetched / descriptorsPerFrame) * average : 0);
        int mostRoom = buffer.capacityBytes() + Math.min(burst, prefetch / descriptorsPerFrame) * average;
        return pause(bytes > room && (bytes <= mostRoom || room < mostRoom));
    }

    /** Flow control does not apply (TFCE clear, receiver or queue unusable): everything is taken, as without it. */
    public boolean off() { return pause(false); }

    /** Whether the partner is held now (for tests and status). */
    public boolean paused() { return paused; }

    /** Device reset: no pause in force, none counted. */
    public void reset() { paused = false; }

    private boolean pause(boolean hold) {
        if (hold != paused) {
            paused = hold;
            stats.increment(hold ? Statistic.XOFFTXC : Statistic.XONTXC);
        }
        return !hold;
    }
}
