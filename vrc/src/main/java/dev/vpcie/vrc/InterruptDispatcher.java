package dev.vpcie.vrc;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs interrupt handlers on the root complex's loop thread, where the MSI write or INTx message
 * that raised them was handled: no queue and no thread hand-off between the message and the
 * handler. Handlers must not block (a driver's handler schedules its poll, the QEMU bridge's
 * writes an eventfd); one that throws is logged and the next interrupt is delivered as usual.
 */
final class InterruptDispatcher {
    private static final Logger log = LoggerFactory.getLogger(InterruptDispatcher.class);

    private final Counters counters;

    InterruptDispatcher(Counters counters) { this.counters = counters; }

    /** Runs the handler of {@code vector} (loop thread). */
    void deliver(PcieDevice device, int vector) {
        Runnable handler = device.handler(vector);
        if (handler == null) {
            counters.increment(Counter.INTERRUPT_UNHANDLED);
            log.debug("interrupt vector {} of {} has no handler", vector, device.name());
            return;
        }
        try {
            handler.run();
        } catch (RuntimeException e) {
            log.error("interrupt handler for vector {} of {} failed", vector, device.name(), e);
        }
    }
}
