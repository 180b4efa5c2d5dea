package dev.vpcie.vrc.nic;

import java.time.Duration;

/**
 * How a driver sets a NIC up.
 *
 * @param txDescriptors  TX ring size (a multiple of 8, 32..4096: the ring length must be a multiple of 128 bytes,
 *                       and a 64 KiB TSO frame in 4 KiB buffers must fit)
 * @param rxDescriptors  RX ring size per queue, same rule
 * @param maxFrameSize   largest frame without FCS: 1514 for MTU 1500; up to 9014 enables jumbo frames
 * @param irqMode        interrupt mechanism; the e1000 has INTx only and refuses MSI/MSI-X
 * @param rxQueues       RX queues spread by RSS (igb only, 1..8; 1 turns RSS off)
 * @param interruptRate  interrupt moderation in interrupts per second per vector (ITR/EITR); 0 is none
 * @param watchdog       period of the watchdog (link check, statistics, lost-interrupt kick,
 *                       TX hang detection), 2 s in the Linux drivers
 * @param linkWait       how long bring-up waits for the link before returning (0 returns at once)
 * @param promiscuous    receive every unicast and multicast frame (RCTL.UPE|MPE)
 * @param busyPoll       after traffic, keep watching the rings in host memory this long before
 *                       waiting for an interrupt (lower latency for a CPU; 0 turns it off)
 */
public record NicOptions(int txDescriptors, int rxDescriptors, int maxFrameSize, IrqMode irqMode, int rxQueues,
                         int interruptRate, Duration watchdog, Duration linkWait, boolean promiscuous,
                         Duration busyPoll) {

    public static final int STANDARD_FRAME = 1514, JUMBO_FRAME = 9014;

    public NicOptions {
        checkRing(txDescriptors, "TX", 32);
        checkRing(rxDescriptors, "RX", 8);
        if (maxFrameSize < STANDARD_FRAME || maxFrameSize > JUMBO_FRAME)
            throw new IllegalArgumentException("max frame size must be " + STANDARD_FRAME + ".." + JUMBO_FRAME + ": " + maxFrameSize);
        if (rxQueues < 1 || rxQueues > 8) throw new IllegalArgumentException("RX queues must be 1..8: " + rxQueues);
        if (interruptRate < 0 || interruptRate > 1_000_000) throw new IllegalArgumentException("interrupt rate must be 0..1000000 per second: " + interruptRate);
        if (watchdog.isNegative() || watchdog.isZero()) throw new IllegalArgumentException("watchdog period must be positive");
        if (linkWait.isNegative()) throw new IllegalArgumentException("link wait must not be negative");
        if (busyPoll.isNegative() || busyPoll.compareTo(Duration.ofSeconds(1)) > 0)
            throw new IllegalArgumentException("busy poll must be 0..1 s: " + busyPoll);
    }

    public static NicOptions defaults() {
        return new NicOptions(256, 256, STANDARD_FRAME, IrqMode.AUTO, 1, 0, Duration.ofSeconds(2), Duration.ofSeconds(3), false,
                Duration.ZERO);
    }

    public NicOptions withRings(int tx, int rx) { return new NicOptions(tx, rx, maxFrameSize, irqMode, rxQueues, interruptRate, watchdog, linkWait, promiscuous, busyPoll); }
    public NicOptions withMaxFrameSize(int v) { return new NicOptions(txDescriptors, rxDescriptors, v, irqMode, rxQueues, interruptRate, watchdog, linkWait, promiscuous, busyPoll); }
    public NicOptions withIrqMode(IrqMode v) { return new NicOptions(txDescriptors, rxDescriptors, maxFrameSize, v, rxQueues, interruptRate, watchdog, linkWait, promiscuous, busyPoll); }
    public NicOptions withRxQueues(int v) { return new NicOptions(txDescriptors, rxDescriptors, maxFrameSize, irqMode, v, interruptRate, watchdog, linkWait, promiscuous, busyPoll); }
    public NicOptions withInterruptRate(int v) { return new NicOptions(txDescriptors, rxDescriptors, maxFrameSize, irqMode, rxQueues, v, watchdog, linkWait, promiscuous, busyPoll); }
    public NicOptions withWatchdog(Duration v) { return new NicOptions(txDescriptors, rxDescriptors, maxFrameSize, irqMode, rxQueues, interruptRate, v, linkWait, promiscuous, busyPoll); }
    public NicOptions withLinkWait(Duration v) { return new NicOptions(txDescriptors, rxDescriptors, maxFrameSize, irqMode, rxQueues, interruptRate, watchdog, v, promiscuous, busyPoll); }
    public NicOptions withPromiscuous(boolean v) { return new NicOptions(txDescriptors, rxDescriptors, maxFrameSize, irqMode, rxQueues, interruptRate, watchdog, linkWait, v, busyPoll); }

    public NicOptions withBusyPoll(Duration v) { return new NicOptions(txDescriptors, rxDescriptors, maxFrameSize, irqMode, rxQueues, interruptRate, watchdog, linkWait, promiscuous, v); }

    public boolean jumbo() { return maxFrameSize > STANDARD_FRAME + 4; }

    private static void checkRing(int n, String what, int min) {
        if (n < min || n > 4096 || (n & 7) != 0)
            throw new IllegalArgumentException(what + " ring size must be a multiple of 8 in " + min + "..4096: " + n);
    }
}
