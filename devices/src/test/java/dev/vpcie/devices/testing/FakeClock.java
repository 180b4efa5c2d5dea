package dev.vpcie.devices.testing;

/** A clock tests move by hand. */
public final class FakeClock {
    private long nowNs;

    public FakeClock(long startNs) { this.nowNs = startNs; }

    public long nowNs() { return nowNs; }

    public void advance(long ns) {
        if (ns < 0) throw new IllegalArgumentException("time goes forward");
        nowNs += ns;
    }
}
