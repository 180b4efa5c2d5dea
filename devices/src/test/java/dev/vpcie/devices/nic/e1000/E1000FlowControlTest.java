package dev.vpcie.devices.nic.e1000;

import dev.vpcie.devices.nic.MacAddress;
import dev.vpcie.devices.nic.NicFlowControlContract;
import dev.vpcie.devices.nic.NicHarness;
import java.util.List;

/** 802.3x flow control towards the wire on the 82540EM (48 KiB of packet buffer, one ring). */
class E1000FlowControlTest extends NicFlowControlContract {
    private final E1000Harness h = new E1000Harness();
    private final E1000Driver d = new E1000Driver(h, 256, 256);

    E1000FlowControlTest() {
        d.probe();
        d.open();
    }

    @Override protected NicHarness<?> harness() { return h; }

    @Override protected MacAddress mac() { return d.mac; }

    @Override protected int rd(int reg) { return d.rd(reg); }

    @Override protected void wr(int reg, int value) { d.wr(reg, value); }

    @Override protected List<byte[]> hostCleans() { return d.drainReceived(); }

    @Override protected void invalidateRing() { d.wr(E1000Driver.RDLEN, 0); }
}
