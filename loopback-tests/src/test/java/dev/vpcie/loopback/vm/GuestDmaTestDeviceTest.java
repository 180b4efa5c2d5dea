package dev.vpcie.loopback.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.devices.dmatest.DmaTestDevice;
import dev.vpcie.vrc.mpqemu.BridgeCounter;
import dev.vpcie.vrc.mpqemu.MpqemuBridge;
import dev.vpcie.vrc.mpqemu.QemuVm;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A Linux guest sees the remote dmatest function through QEMU's proxy and the bridge: in its
 * PCI sysfs with the right IDs, 32-bit BARs at addresses it chose, a capability list without
 * MSI/MSI-X, and MMIO that reaches the device's registers.
 */
@Timeout(300)
class GuestDmaTestDeviceTest {
    private static GuestImage image;

    @BeforeAll static void image() throws Exception {
        image = GuestImage.get();
        VmTestSupport.assumeQemu();
    }

    /** The guest's view, printed as tagged lines the test parses. */
    private static final String SCRIPT = """
            for d in /sys/bus/pci/devices/*; do echo "pci: ${d##*/} $(cat $d/vendor) $(cat $d/device) $(cat $d/class)"; done
            D=$(dirname $(grep -l 0x10f0 /sys/bus/pci/devices/*/device))
            while read s e f; do echo "res: $s $e $f"; done < $D/resource
            hexdump -v -e '16/1 "%02x " "\\n"' $D/config | sed 's/^/cfg: /'
            echo 1 > $D/enable
            B=$(head -n1 $D/resource | cut -d' ' -f1)
            echo "id: $(devmem $B 32)"
            devmem $((B + 0x40)) 32 0x12345678
            devmem $((B + 0x44)) 32 0x9abcdef0
            echo "src: $(devmem $((B + 0x40)) 32) $(devmem $((B + 0x44)) 32)"
            dmesg | grep -i -E 'BAR|pci 0000:00:0[3-9]' | sed 's/^/log: /'
            """;

    @Test void guestSeesTheFunctionWithItsBarsAndReachesItsRegisters() throws Exception {
        DmaTestDevice model = new DmaTestDevice(DmaTestDevice.Options.defaults(0x0200_0000_5650_4301L));
        try (VmRig rig = VmRig.of(model)) {
            QemuVm vm = rig.boot(QemuVm.Accel.TCG, GuestKernel.args(image, QemuVm.Accel.TCG, SCRIPT), VmTestSupport.consoleCopy());
            assertEquals(0, VmTestSupport.awaitScript(vm, Duration.ofSeconds(180)), vm.console().text());
            String console = vm.console().text();

            List<String> pci = VmTestSupport.tagged(vm, "pci: ");
            assertTrue(pci.stream().anyMatch(l -> l.endsWith("0x1af4 0x10f0 0x088000")), "the guest enumerates the function: " + pci);

            List<long[]> res = new ArrayList<>();
            for (String l : VmTestSupport.tagged(vm, "res: ")) {
                String[] f = l.split(" ");
                res.add(new long[] {Long.decode(f[0]), Long.decode(f[1]), Long.decode(f[2])});
            }
            long[] bar0 = res.get(0), bar2 = res.get(2), bar4 = res.get(4);
            assertEquals(4096, bar0[1] - bar0[0] + 1, "BAR0: 4 KiB of registers");
            assertEquals(1 << 20, bar2[1] - bar2[0] + 1, "BAR2: 1 MiB of device memory");
            assertEquals(4096, bar4[1] - bar4[0] + 1, "BAR4: the MSI-X BAR, 4 KiB");
            assertEquals(0, res.get(3)[1], "the upper half of the 64-bit BAR2 is no BAR");
            for (long[] r : List.of(bar0, bar2, bar4)) {
                assertTrue(r[1] < 1L << 32, "32-bit BARs only: " + Long.toHexString(r[1]));
                assertEquals(0, r[2] & 0x0010_0000L, "no IORESOURCE_MEM_64 flag");
            }

            int[] cfg = new int[256];
            int at = 0;
            for (String l : VmTestSupport.tagged(vm, "cfg: ")) for (String b : l.trim().split(" ")) cfg[at++] = Integer.parseInt(b, 16);
            assertEquals(256, at, "256 bytes of configuration space");
            List<Integer> caps = new ArrayList<>();
            for (int p = cfg[0x34]; p != 0 && caps.size() < 48; p = cfg[p + 1]) caps.add(cfg[p]);
            assertFalse(caps.contains(0x05) || caps.contains(0x11), "MSI/MSI-X hidden from the guest: " + caps);
            assertTrue(caps.contains(0x01) && caps.contains(0x10), "PM and PCI Express stay: " + caps);
            assertEquals(1, cfg[0x3D], "INTA");

            assertEquals(List.of("0x31544D44"), VmTestSupport.tagged(vm, "id: "), "the ID register, 'DMT1', read through the bridge");
            assertEquals(List.of("0x12345678 0x9ABCDEF0"), VmTestSupport.tagged(vm, "src: "), "posted writes then reads, in order");

            MpqemuBridge bridge = vm.bridges().getFirst();
            assertTrue(bridge.count(BridgeCounter.SYNC_SYSMEM) > 0, "guest RAM shared");
            assertTrue(bridge.count(BridgeCounter.DEVICE_RESET) > 0, "QEMU reset the device at machine reset");
            assertEquals(0, bridge.count(BridgeCounter.MALFORMED), console);
            assertEquals(0, vm.waitFor(Duration.ofSeconds(30)), "QEMU exits when the guest powers off");
        }
    }
}
