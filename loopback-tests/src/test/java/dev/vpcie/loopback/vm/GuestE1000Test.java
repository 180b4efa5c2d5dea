package dev.vpcie.loopback.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.devices.nic.MacAddress;
import dev.vpcie.devices.nic.e1000.E1000Function;
import dev.vpcie.devices.nic.e1000.E1000Options;
import dev.vpcie.devices.spi.MemoryEthernetWire;
import dev.vpcie.vrc.mpqemu.BridgeCounter;
import dev.vpcie.vrc.mpqemu.MpqemuBridge;
import dev.vpcie.vrc.mpqemu.QemuVm;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Linux's own e1000 driver, in a guest, drives the remote 82540EM model: it probes without
 * complaint, gets the link, and pings a host on the NIC's wire (an in-memory cable to a peer
 * that answers ARP and echo requests), before and after an ifdown/ifup.
 */
@Timeout(300)
class GuestE1000Test {
    private static GuestImage image;

    @BeforeAll static void image() throws Exception {
        image = GuestImage.get();
        VmTestSupport.assumeQemu();
    }

    @Test void stockE1000ProbesLinksAndPings() throws Exception {
        MacAddress mac = MacAddress.parse("02:76:70:63:69:65");
        AtomicReference<Executor> nicThread = new AtomicReference<>();
        MemoryEthernetWire cable = new MemoryEthernetWire(1514, r -> nicThread.get().execute(r), Runnable::run);
        try (VmRig rig = new VmRig(List.of(new VmRig.Function(new E1000Function(E1000Options.of(mac)), List.of(cable.endA()))))) {
            nicThread.set(rig.endpoint.function(0));
            EchoPeer peer = new EchoPeer(cable.endB(), MacAddress.parse("02:00:00:00:99:01").bytes(), new byte[] {10, (byte) 199, 0, 1});
            QemuVm.Accel accel = GuestKernel.accel(image);
            QemuVm vm = rig.boot(accel, GuestKernel.args(image, accel, NicGuestChecks.script("e1000")), VmTestSupport.consoleCopy());
            assertEquals(0, VmTestSupport.awaitScript(vm, Duration.ofSeconds(240)), vm.console().text());

            NicGuestChecks.probedCleanly(vm, "Intel(R) PRO/1000 Network Driver", mac.toString());
            int first = NicGuestChecks.replies(vm, "ping1"), second = NicGuestChecks.replies(vm, "ping2");
            assertTrue(first >= 19, "first ping: " + first + " of 20 replies\n" + vm.console().text());
            assertTrue(second >= 19, "ping after ifdown/ifup: " + second + " of 20 replies\n" + vm.console().text());
            assertTrue(peer.echoes.get() >= 38, "the peer answered " + peer.echoes.get() + " echo requests");
            MpqemuBridge bridge = vm.bridges().getFirst();
            System.out.printf("[vm] e1000 %s: ping RTT min/avg/max %s ms; %s%n", accel, java.util.Arrays.toString(NicGuestChecks.rtt(vm, "ping1")),
                    accel == QemuVm.Accel.KVM ? "INTx raised " + bridge.count(BridgeCounter.INTX_TRIGGER) + " times"
                            : "no INTx delivered under TCG: the guest polled (irqpoll)");
            if (accel == QemuVm.Accel.KVM) assertTrue(bridge.count(BridgeCounter.INTX_TRIGGER) > 0, "real INTx through the irqfd");
            assertEquals(0, bridge.count(BridgeCounter.MALFORMED));
        }
    }
}
