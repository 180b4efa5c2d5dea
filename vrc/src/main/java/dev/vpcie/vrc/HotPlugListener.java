package dev.vpcie.vrc;

/**
 * What a function's driver hears when its endpoint goes away and comes back
 * ({@link PcieDevice#onHotPlug}). Both run on the root complex's hot-plug thread, one at a time
 * and in order; they should hand slow work to the driver's own thread.
 */
public interface HotPlugListener {
    HotPlugListener NONE = new HotPlugListener() {
        @Override public void removed(String reason) {}

        @Override public void inserted() {}
    };

    /** Surprise removal: the function is unreachable (reads all-ones at once, DMA refused). */
    void removed(String reason);

    /**
     * Hot insertion: the same function is back at the same Routing ID and BAR addresses, with
     * decoding and bus mastering enabled again, but otherwise reset: interrupts and everything
     * in the device must be set up again.
     */
    void inserted();
}
