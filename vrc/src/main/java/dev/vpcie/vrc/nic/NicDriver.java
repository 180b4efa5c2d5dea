package dev.vpcie.vrc.nic;

import dev.vpcie.protocol.transport.MacAddress;
import dev.vpcie.vrc.PcieDevice;
import java.nio.ByteBuffer;

/**
 * A user-space driver for an Ethernet NIC behind the virtual root complex. Opening one
 * ({@link NicDrivers#open}) resets the NIC, checks its NVM, reads its MAC address, brings up the
 * PHY and link, gives it descriptor rings in DMA-mapped host memory and enables its interrupts.
 *
 * <p>Threads: received frames are delivered on the root complex's loop (the driver's ring poll),
 * link changes on the driver's control thread.
 * {@link #transmit} may be called from one other thread at a time (it takes the TX lock); the
 * rest of the methods from any thread.
 *
 * <p>Like a kernel driver it keeps register reads (round trips over the interconnect) off the
 * fast path: completion is learnt from descriptor write-back in host memory, tails are posted
 * writes batched over several frames, and interrupts are re-armed with posted writes.
 */
public interface NicDriver extends AutoCloseable {

    PcieDevice device();

    /** The chip as Intel names it, e.g. {@code 82540EM} or {@code 82576}. */
    String chip();

    /** The permanent address the driver read from the NIC (EEPROM or RAL0/RAH0). */
    MacAddress macAddress();

    LinkState link();

    /** Replaces the link listener; it is called at once with the current state, then on every change. */
    void onLinkChange(LinkListener listener);

    /** Replaces the receiver; frames arriving with none are counted and dropped. */
    void onReceive(FrameReceiver receiver);

    /**
     * Queues one frame (copied before return) with an offload request. With {@code more} the
     * doorbell (TDT) is not rung yet because more frames follow; {@link #flush} or the next call
     * without {@code more} rings it. Returns false, queueing nothing, when the ring has no room
     * (back-pressure: wait with {@link #awaitTxSpace}) or the NIC is resetting.
     *
     * @throws IllegalArgumentException for a frame that is too short, too long for the options, or
     *                                  an offload the chip does not have
     */
    boolean transmit(ByteBuffer frame, TxOffload offload, boolean more);

    default boolean transmit(ByteBuffer frame) { return transmit(frame, TxOffload.NONE, false); }

    /** Rings the doorbell for frames queued with {@code more}. */
    void flush();

    /** Waits until a frame of the largest size fits the TX ring; false on timeout. */
    boolean awaitTxSpace(long timeoutNanos) throws InterruptedException;

    /** Largest frame this driver transmits and receives (without FCS). */
    int maxFrameSize();

    /** RX queues in use (more than one with RSS). */
    int rxQueues();

    /** Receive every unicast and multicast frame, or only those for this NIC (and broadcast). */
    void setPromiscuous(boolean on);

    /** Reads the statistics registers and returns everything counted so far. */
    NicStats stats();

    /**
     * Resets the NIC and sets it up again, as a kernel driver does after a TX hang: traffic in
     * flight is lost, and frames queued afterwards flow again once the link is back.
     */
    void reset();

    /** Stops the driver, resets the NIC, powers its PHY down and releases interrupts and DMA memory. */
    @Override void close();
}
