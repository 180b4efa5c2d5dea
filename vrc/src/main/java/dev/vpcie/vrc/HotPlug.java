package dev.vpcie.vrc;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hot-plug as a PCIe downstream port sees it, for every bus of the root complex. A session that
 * ends is a surprise removal: the link is marked not present at once (memory requests to its
 * functions end {@link Outcome#LINK_DOWN} without waiting, their DMA is refused) and the
 * functions' {@link HotPlugListener}s hear it. The next session on that link is a hot insertion:
 * the endpoint's functions were reset, so each known function is checked to be the same device
 * and restored with the same Routing ID and BAR addresses ({@link Enumerator#restore}); only
 * then is the link present again and the listeners (drivers) re-initialise their devices. A
 * different device behind the same endpoint address is reported and left removed, never
 * configured blindly.
 *
 * <p>Link events arrive on the root complex's loop, which must not wait; the restoration takes
 * configuration round trips, so it and the listener calls run on one thread of their own, in
 * the order the events came.
 */
final class HotPlug implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HotPlug.class);

    private final RootComplex rc;
    private final Enumerator enumerator;
    private final Counters counters;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().daemon().name("vrc-hotplug").unstarted(r));

    HotPlug(RootComplex rc, Enumerator enumerator, Counters counters) {
        this.rc = rc;
        this.enumerator = enumerator;
        this.counters = counters;
    }

    /** The link's session ended (loop thread): its functions are gone until a hot insertion restores them. */
    void removed(EndpointLink link, String reason) {
        List<PcieDevice> gone = rc.addressMap().devicesOnBus(link.bus());
        if (gone.isEmpty()) return;
        counters.increment(Counter.SURPRISE_REMOVAL);
        log.warn("bus {}: surprise removal of {} ({}): MMIO reads all-ones, DMA refused", String.format("%02x", link.bus()),
                names(gone), reason);
        run(() -> {
            for (PcieDevice d : gone) d.hotPlugListener().removed(reason);
        });
    }

    /** A new session came up on the link after one was lost (loop thread): restore its functions. */
    void inserted(EndpointLink link) {
        int session = link.sessions();
        run(() -> {
            // One at a time with an explicit enumeration (RootComplex#enumerate): whichever comes
            // second sees the other's work; an enumeration in this session already did the restoring.
            synchronized (enumerator) {
                if (link.enumeratedSession() >= session) return;
                if (!restore(link)) return;
            }
            for (PcieDevice d : rc.addressMap().devicesOnBus(link.bus())) d.hotPlugListener().inserted();
        });
    }

    /** Restores the link's functions; true when they are present again and their drivers are to be told. */
    private boolean restore(EndpointLink link) {
        List<PcieDevice> known = rc.addressMap().devicesOnBus(link.bus());
        String bus = String.format("%02x", link.bus());
        if (known.isEmpty()) {
            link.present(true);
            return false;
        }
        if (!link.isUp()) return false; // gone again before its turn: the next session's event follows
        for (PcieDevice d : known) {
            String mismatch;
            try {
                mismatch = enumerator.restore(d);
            } catch (RuntimeException e) {
                log.warn("bus {}: hot insertion of {} failed ({}); waiting for the next session", bus, d.name(), e.getMessage());
                return false;
            }
            if (mismatch != null) {
                counters.increment(Counter.HOT_INSERTION_REFUSED);
                log.error("bus {}: a different device appeared behind {}: {}; not attached (restart the VRC to use it)", bus,
                        link.describe(), mismatch);
                return false;
            }
        }
        // A reset function has its INTx deasserted; a Deassert lost with the link must not keep it asserted.
        for (PcieDevice d : known) d.intxAsserted(false);
        link.present(true);
        counters.increment(Counter.HOT_INSERTION);
        log.warn("bus {}: hot insertion: {} restored at the same BDFs and BAR addresses", bus, names(known)); // the removal's level
        return true;
    }

    private void run(Runnable task) {
        try {
            worker.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    log.error("hot-plug handling failed", e);
                }
            });
        } catch (RejectedExecutionException e) {
            log.debug("hot-plug event after the root complex closed dropped");
        }
    }

    private static String names(List<PcieDevice> devices) {
        return String.join(", ", devices.stream().map(PcieDevice::name).toList());
    }

    @Override public void close() { worker.shutdownNow(); }
}
