package dev.vpcie.loopback.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.vpcie.devices.nic.MacAddress;
import dev.vpcie.endpoint.wire.EchoPeer;
import dev.vpcie.endpoint.wire.EchoPeerWire;
import dev.vpcie.vrc.mpqemu.BridgeCounter;
import dev.vpcie.vrc.mpqemu.QemuVm;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The guest's ping RTT through a remote NIC (the 82576 with Linux's igb driver, or the 82540EM
 * with e1000; behind the bridge, the interconnect and the endpoint) beside its ping through
 * QEMU's own built-in e1000, to the same echo peer, in one guest and one run. Prints the guest's
 * driver messages, both summaries, and which interrupt path the remote NIC had. The peer answers
 * on the remote NIC's wire ({@link EchoPeerWire}) and on QEMU's {@code -netdev socket}
 * ({@link UdpFrameWire}). Opt-in: {@code -Dvpcie.bench=true}; {@code -Dvpcie.bench.pings=N}
 * (default 100), {@code -Dvpcie.bench.nic=igb|e1000} (default igb).
 */
@Timeout(600)
class VmPingBench {
    private static final String LOCAL_MAC = "52:54:00:12:34:56";

    @Test void remoteNicBesideQemusOwnE1000() throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("vpcie.bench"), "benchmark skipped: run with -Dvpcie.bench=true");
        GuestImage image = GuestImage.get();
        VmTestSupport.assumeQemu();
        int pings = Integer.getInteger("vpcie.bench.pings", 100);
        NicModels nic = NicModels.byDriver(System.getProperty("vpcie.bench.nic", "igb"));
        MacAddress peerMac = MacAddress.parse("02:ec:40:00:00:01");
        EchoPeerWire remoteWire = new EchoPeerWire(new EchoPeer(peerMac, (Inet4Address) InetAddress.getByName("10.199.0.1")));
        EchoPeer localPeer = new EchoPeer(peerMac, (Inet4Address) InetAddress.getByName("10.198.0.1"));
        try (remoteWire; VmRig rig = new VmRig(List.of(new VmRig.Function(nic.create(), List.of(remoteWire))));
             UdpFrameWire localWire = new UdpFrameWire()) {
            remoteWire.start(rig.endpoint.function(0));
            localWire.setReceiver(frame -> {
                byte[] f = new byte[frame.remaining()];
                frame.get(f);
                localPeer.answer(f, f.length).ifPresent(reply -> localWire.send(ByteBuffer.wrap(reply)));
            });
            String script = """
                    modprobe %4$s; modprobe e1000
                    byaddr() { for n in /sys/class/net/*; do [ "$(cat $n/address)" = "$1" ] && echo ${n##*/}; done; }
                    carrier() { for i in $(seq 100); do [ "$(cat /sys/class/net/$1/carrier)" = 1 ] && return 0; sleep 0.1; done; }
                    R=$(byaddr %1$s); Q=$(byaddr %2$s)
                    ip link set $R up; ip addr add 10.199.0.2/24 dev $R; carrier $R
                    ip link set $Q up; ip addr add 10.198.0.2/24 dev $Q; carrier $Q
                    ping -c 3 -W 3 10.199.0.1 >/dev/null; ping -c 3 -W 3 10.198.0.1 >/dev/null
                    ping -c %3$d -i 0.05 -W 3 10.199.0.1 | tail -n 2 | sed 's/^/remote: /'
                    ping -c %3$d -i 0.05 -W 3 10.198.0.1 | tail -n 2 | sed 's/^/local: /'
                    dmesg | grep -E 'e1000|igb' | sed 's/^/driver: /'
                    """.formatted(nic.mac().toString().toLowerCase(Locale.ROOT), LOCAL_MAC, pings, nic.driver);
            QemuVm.Accel accel = GuestKernel.accel(image);
            QemuVm vm = rig.boot(accel, GuestKernel.args(image, accel, script, "-netdev", localWire.netdev("local"),
                    "-device", "e1000,netdev=local,mac=" + LOCAL_MAC), VmTestSupport.consoleCopy());
            assertEquals(0, VmTestSupport.awaitScript(vm, Duration.ofSeconds(540)), vm.console().text());
            double[] remote = NicGuestChecks.rtt(vm, "remote"), local = NicGuestChecks.rtt(vm, "local");
            assertNotNull(remote, vm.console().text());
            assertNotNull(local, vm.console().text());
            String path = accel == QemuVm.Accel.KVM
                    ? "INTx through the KVM irqfd (" + vm.bridges().getFirst().count(BridgeCounter.INTX_TRIGGER) + " raised)"
                    : "no interrupt delivered (TCG): the guest polls with irqpoll on its 4 ms tick";
            for (String l : VmTestSupport.tagged(vm, "driver: ")) System.out.println("[vm-bench] guest: " + l);
            System.out.printf(Locale.ROOT, "[vm-bench] %s, %d pings 50 ms apart on each path, one guest:%n", accel, pings);
            System.out.printf(Locale.ROOT, "[vm-bench]   %-40s min/avg/max %.3f/%.3f/%.3f ms (%s), %s%n",
                    "remote " + nic.chip + " (" + nic.driver + ") via the bridge:", remote[0], remote[1], remote[2],
                    VmTestSupport.tagged(vm, "remote: ").getFirst(), path);
            System.out.printf(Locale.ROOT, "[vm-bench]   %-40s min/avg/max %.3f/%.3f/%.3f ms (%s)%n",
                    "QEMU's own e1000 (e1000):", local[0], local[1], local[2], VmTestSupport.tagged(vm, "local: ").getFirst());
        }
    }
}
