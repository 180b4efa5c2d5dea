package dev.vpcie.loopback.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.vpcie.vrc.mpqemu.BridgeCounter;
import dev.vpcie.vrc.mpqemu.MpqemuBridge;
import dev.vpcie.vrc.mpqemu.QemuVm;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a guest's stock NIC driver must show, and the guest script that shows it: load the
 * driver, bring the link up, ping the peer 20 times, ifdown/ifup (the driver's reset path),
 * ping again, then print the kernel log.
 */
final class NicGuestChecks {
    private NicGuestChecks() {}

    static final String GUEST_IP = "10.199.0.2", PEER_IP = "10.199.0.1";
    static final List<String> FORBIDDEN = List.of("NVM Checksum", "Invalid MAC", "Hardware Error", "Tx Unit Hang");

    static String script(String module) { return script(module, GUEST_IP, PEER_IP); }

    static String script(String module, String guestIp, String peerIp) {
        return """
                modprobe %1$s || echo "modprobe failed"
                N=$(ls /sys/class/net | grep -v lo | head -n1)
                echo "netdev: $N $(cat /sys/class/net/$N/address)"
                carrier() { for i in $(seq 100); do [ "$(cat /sys/class/net/$N/carrier 2>/dev/null)" = 1 ] && return 0; sleep 0.1; done; echo "no carrier"; }
                ip link set $N up
                ip addr add %2$s/24 dev $N
                carrier
                ping -c 20 -i 0.2 -W 3 %3$s | sed 's/^/ping1: /'
                ip link set $N down
                ip link set $N up
                carrier
                ping -c 20 -i 0.2 -W 3 %3$s | sed 's/^/ping2: /'
                dmesg | sed 's/^/dmesg: /'
                """.formatted(module, guestIp, peerIp);
    }

    /**
     * Boots the rig's guest (KVM when a probe guest boots under it, else TCG), runs the script
     * against {@code peerIp}, and checks everything: clean probe, link, replies before and after
     * ifdown/ifup, the interrupt path. Says which path was used.
     */
    static void run(VmRig rig, GuestImage image, NicModels nic, String guestIp, String peerIp, String peer) throws Exception {
        QemuVm.Accel accel = GuestKernel.accel(image);
        QemuVm vm = rig.boot(accel, GuestKernel.args(image, accel, script(nic.driver, guestIp, peerIp)), VmTestSupport.consoleCopy());
        assertEquals(0, VmTestSupport.awaitScript(vm, Duration.ofSeconds(240)), vm.console().text());
        probedCleanly(vm, nic.banner, nic.mac().toString());
        if (nic == NicModels.IGB)
            assertTrue(VmTestSupport.tagged(vm, "dmesg: ").stream().anyMatch(l -> l.contains("Using legacy interrupts")),
                    "igb falls back to INTx: MSI and MSI-X are hidden from the guest");
        int first = replies(vm, "ping1"), second = replies(vm, "ping2");
        assertTrue(first >= 19, "ping to " + peer + ": " + first + " of 20 replies\n" + vm.console().text());
        assertTrue(second >= 19, "ping after ifdown/ifup: " + second + " of 20 replies\n" + vm.console().text());
        MpqemuBridge bridge = vm.bridges().getFirst();
        System.out.printf("[vm] %s (%s) to %s, %s: ping RTT min/avg/max %s ms; %s%n", nic.chip, nic.driver, peer, accel,
                Arrays.toString(rtt(vm, "ping1")), accel == QemuVm.Accel.KVM
                        ? "real INTx, raised " + bridge.count(BridgeCounter.INTX_TRIGGER) + " times through the irqfd"
                        : "KVM not usable (" + GuestKernel.kvm(image).reason() + "): TCG, no INTx delivered, the guest polled");
        if (accel == QemuVm.Accel.KVM) assertTrue(bridge.count(BridgeCounter.INTX_TRIGGER) > 0, "real INTx through the irqfd");
        assertEquals(0, bridge.count(BridgeCounter.MALFORMED));
    }

    private static final Pattern SUMMARY = Pattern.compile("(\\d+) packets transmitted, (\\d+) packets received");
    private static final Pattern RTT = Pattern.compile("round-trip min/avg/max = ([0-9.]+)/([0-9.]+)/([0-9.]+) ms");

    /** Replies received out of 20, from the ping run tagged {@code tag}. */
    static int replies(QemuVm vm, String tag) {
        for (String l : VmTestSupport.tagged(vm, tag + ": ")) {
            Matcher m = SUMMARY.matcher(l);
            if (m.find()) {
                assertEquals(20, Integer.parseInt(m.group(1)), l);
                return Integer.parseInt(m.group(2));
            }
        }
        return fail("no ping summary for " + tag + " in the console:\n" + vm.console().text());
    }

    /** min/avg/max RTT in ms of the ping run tagged {@code tag}, or null. */
    static double[] rtt(QemuVm vm, String tag) {
        for (String l : VmTestSupport.tagged(vm, tag + ": ")) {
            Matcher m = RTT.matcher(l);
            if (m.find()) return new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)), Double.parseDouble(m.group(3))};
        }
        return null;
    }

    /** The driver probed cleanly: its banner, the MAC the endpoint gave, the link, and no error messages. */
    static void probedCleanly(QemuVm vm, String banner, String mac) {
        List<String> log = VmTestSupport.tagged(vm, "dmesg: ");
        String text = String.join("\n", log);
        assertTrue(log.stream().anyMatch(l -> l.contains(banner)), "driver banner '" + banner + "' missing:\n" + text);
        assertTrue(text.toLowerCase().contains(mac.toLowerCase()), "MAC " + mac + " not in the kernel log:\n" + text);
        assertTrue(log.stream().anyMatch(l -> l.contains("NIC Link is Up")), "no link up message:\n" + text);
        for (String bad : FORBIDDEN) assertFalse(text.contains(bad), "'" + bad + "' in the kernel log:\n" + text);
        assertEquals(List.of(), VmTestSupport.tagged(vm, "no carrier"), "carrier came up");
        assertTrue(VmTestSupport.tagged(vm, "netdev: ").stream().anyMatch(l -> l.endsWith(mac.toLowerCase())),
                "the interface has the endpoint's MAC: " + VmTestSupport.tagged(vm, "netdev: "));
    }
}
