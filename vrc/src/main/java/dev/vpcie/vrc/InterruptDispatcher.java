package dev.vpcie.vrc;

import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs interrupt handlers on one thread of their own, in arrival order, so a handler may block
 * (on MMIO reads, say) without stalling a link thread. Link threads only enqueue. The queue is
 * bounded in practice by the devices: each interrupt follows the DMA it reports.
 */
final class InterruptDispatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(InterruptDispatcher.class);

    private record Delivery(PcieDevice device, int vector) {}

    private static final Delivery STOP = new Delivery(null, -1);

    private final LinkedBlockingQueue<Delivery> queue = new LinkedBlockingQueue<>();
    private final Counters counters;
    private final Thread thread;

    InterruptDispatcher(Counters counters) {
        this.counters = counters;
        this.thread = Thread.ofPlatform().daemon().name("vrc-interrupts").start(this::run);
    }

    /** Queues one interrupt (any thread, never blocks). */
    void deliver(PcieDevice device, int vector) { queue.add(new Delivery(device, vector)); }

    private void run() {
        try {
            while (true) {
                Delivery d = queue.take();
                if (d == STOP) return;
                Runnable handler = d.device().handler(d.vector());
                if (handler == null) {
                    counters.increment(Counter.INTERRUPT_UNHANDLED);
                    log.debug("interrupt vector {} of {} has no handler", d.vector(), d.device().name());
                    continue;
                }
                try {
                    handler.run();
                } catch (RuntimeException e) {
                    log.error("interrupt handler for vector {} of {} failed", d.vector(), d.device().name(), e);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override public void close() {
        queue.add(STOP);
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
