package dev.vpcie.vrc.nic;

import java.util.concurrent.TimeUnit;

/**
 * The receive and transmit control registers (RCTL, TCTL) as the driver last wrote them. The
 * 82540EM and the 82576 have them at the same offsets with the same enable, promiscuous and
 * stop semantics, so what the Linux e1000 and igb drivers both do with them lives here once:
 * the receive mode, enabling the transmitter when the link comes up (the 82540EM's driver
 * waits for the link, the 82576's enables it at configure), the check that a reset behind the
 * driver's back cleared RCTL.EN, and stopping both units before a reset or close. Written on
 * the control thread (bring-up, reset, link changes, close); the promiscuous flag is read by
 * the chip's configure on that thread too.
 */
public final class MacControl {
    private static final int RCTL = 0x0100, TCTL = 0x0400;
    private static final int RCTL_EN = 0x2, RCTL_UPE = 0x8, RCTL_MPE = 0x10, TCTL_EN = 0x2;
    /** e1000_down / igb_down: the time the units need to finish what they hold after EN is cleared. */
    private static final long STOP_DELAY_NS = TimeUnit.MILLISECONDS.toNanos(10);

    private final Mmio mmio;
    private volatile boolean promiscuous;
    private int rctl, tctl;
    /** The transmitter is enabled by the link coming up, not by configure (the 82540EM's driver). */
    private boolean transmitterWaitsForLink;

    MacControl(Mmio mmio, boolean promiscuous) {
        this.mmio = mmio;
        this.promiscuous = promiscuous;
    }

    /** Writes RCTL: {@code value} plus UPE and MPE while the receive mode is promiscuous. */
    public void writeRctl(int value) {
        rctl = promiscuous ? value | RCTL_UPE | RCTL_MPE : value & ~(RCTL_UPE | RCTL_MPE);
        mmio.write(RCTL, rctl);
    }

    /** Writes TCTL; without EN the transmitter waits for the link ({@link #linkUp}). */
    public void writeTctl(int value) {
        tctl = value;
        transmitterWaitsForLink = (value & TCTL_EN) == 0;
        mmio.write(TCTL, tctl);
    }

    /** Changes the receive mode now (control thread); configure keeps it after a reset. */
    void promiscuous(boolean on) {
        promiscuous = on;
        rctl = on ? rctl | RCTL_UPE | RCTL_MPE : rctl & ~(RCTL_UPE | RCTL_MPE);
        mmio.write(RCTL, rctl);
    }

    /** e1000_watchdog on link up: enables a transmitter that waits for the link. */
    void linkUp() {
        if (!transmitterWaitsForLink) return;
        tctl |= TCTL_EN;
        mmio.write(TCTL, tctl);
    }

    /**
     * True when the NIC lost its set-up: a reset clears RCTL.EN, which only the driver sets. (IMS
     * tells nothing: it is masked while the driver polls, and a service racing with the reset
     * may have re-armed it.)
     */
    boolean configurationLost() {
        return (mmio.read(RCTL) & RCTL_EN) == 0;
    }

    /** e1000_down / igb_down: clears RCTL.EN and TCTL.EN and gives the units time to stop. */
    void stop() {
        mmio.write(RCTL, rctl & ~RCTL_EN);
        mmio.write(TCTL, tctl & ~TCTL_EN);
        mmio.flush();
        IntelNicDriver.delay(STOP_DELAY_NS);
    }
}
