package dev.vpcie.loopback.nic;

import static dev.vpcie.loopback.nic.NicRig.NIC_MAC;
import static dev.vpcie.loopback.nic.NicRig.PEER_MAC;
import static org.junit.jupiter.api.Assertions.*;

import dev.vpcie.vrc.PcieDevice;
import dev.vpcie.vrc.nic.IrqMode;
import dev.vpcie.vrc.nic.LinkState;
import dev.vpcie.vrc.nic.NicDriver;
import dev.vpcie.vrc.nic.IntelNicDriver;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What only the 82576 driver does: RSS over several RX queues, MSI-X with a vector per queue, MSI and INTx fallbacks. */
class IgbDriverTest {
    /** Microsoft's RSS verification key, which the driver programs into RSSRK. */
    static final byte[] KEY = java.util.HexFormat.of().parseHex(
            "6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c6a42b73bbeac01fa");

    /** The Toeplitz hash (Microsoft RSS specification), written here independently of the model. */
    static int toeplitz(byte[] input) {
        int result = 0;
        long window = 0; // the 32 key bits aligned with the current input bit, plus lookahead
        for (int i = 0; i < 8; i++) window = window << 8 | (KEY[i] & 0xFF);
        int nextKeyByte = 8;
        for (byte b : input) {
            for (int bit = 7; bit >= 0; bit--) {
                if ((b >> bit & 1) != 0) result ^= (int) (window >>> 32);
                window <<= 1;
            }
            window |= nextKeyByte < KEY.length ? (long) (KEY[nextKeyByte++] & 0xFF) : 0;
        }
        return result;
    }

    @Test void toeplitzMatchesTheSpecificationsExample() {
        // From the Microsoft RSS verification suite: 66.9.149.187:2794 -> 161.142.100.80:1766, TCP/IPv4, hash 0x51ccc178.
        byte[] in = java.util.HexFormat.of().parseHex("420995bb" + "a18e6450" + "0aea" + "06e6");
        assertEquals(0x51ccc178, toeplitz(in));
    }

    @Test void rssSpreadsFlowsOverTheQueuesAsTheHashSays() throws Exception {
        try (NicRig rig = new NicRig(NicRig.Model.IGB, 1514)) {
            NicDriver d = rig.open(NicRig.options().withRxQueues(4));
            assertEquals(4, d.rxQueues());
            assertEquals(5, rig.device.vectors(), "one MSI-X vector for other causes, one per RX queue");
            LinkedBlockingQueue<int[]> seen = new LinkedBlockingQueue<>(); // {source port, queue}
            d.onReceive((frame, q) -> seen.add(new int[] {frame.getShort(frame.position() + 34) & 0xFFFF, q}));
            Map<Integer, Integer> queueOfPort = new HashMap<>();
            for (int flow = 0; flow < 64; flow++) {
                for (int i = 0; i < 3; i++) {
                    byte[] f = TestFrames.transport(NIC_MAC, PEER_MAC, true, 6, 100, 10_000 + flow, 80, 1);
                    fixIpv4Checksum(f);
                    rig.toNic(f);
                    int[] got = seen.poll(NicRig.WAIT_S, TimeUnit.SECONDS);
                    assertNotNull(got, "flow " + flow + " frame " + i);
                    Integer before = queueOfPort.putIfAbsent(got[0], got[1]);
                    if (before != null) assertEquals(before, got[1], "a flow stays on its queue");
                }
            }
            int[] perQueue = new int[4];
            for (Map.Entry<Integer, Integer> e : queueOfPort.entrySet()) {
                perQueue[e.getValue()]++;
                // Hash input for TCP/IPv4: source address, destination address, source port, destination port.
                ByteBuffer in = ByteBuffer.allocate(12).putInt(0x0A000001 + 1).putInt(0x0A000002).putShort((short) (int) e.getKey())
                        .putShort((short) 80);
                int expected = (toeplitz(in.array()) & 0x7F) % 4;
                assertEquals(expected, e.getValue(), "queue of flow from port " + e.getKey() + " = RETA[hash & 0x7f]");
            }
            for (int q = 0; q < 4; q++) assertTrue(perQueue[q] > 0, "queue " + q + " got flows: " + java.util.Arrays.toString(perQueue));
            assertEquals(4, d.stats().rxFramesPerQueue().size());
            assertEquals(192L, d.stats().rxFramesPerQueue().stream().mapToLong(Long::longValue).sum());
        }
    }

    private static void fixIpv4Checksum(byte[] f) {
        f[24] = 0;
        f[25] = 0;
        int c = TestFrames.checksum(f, 14, 20, 0);
        f[24] = (byte) (c >>> 8);
        f[25] = (byte) c;
    }

    @ParameterizedTest @EnumSource(value = IrqMode.class, names = {"MSIX", "MSI", "INTX"})
    void everyInterruptModeCarriesTrafficAndLinkChanges(IrqMode mode) throws Exception {
        try (NicRig rig = new NicRig(NicRig.Model.IGB, 1514)) {
            IntelNicDriver d = (IntelNicDriver) rig.open(NicRig.options().withIrqMode(mode));
            assertEquals(mode, d.interruptMode());
            assertEquals(switch (mode) {
                case MSIX -> PcieDevice.InterruptMode.MSIX;
                case MSI -> PcieDevice.InterruptMode.MSI;
                default -> PcieDevice.InterruptMode.INTX;
            }, rig.device.interruptMode());
            LinkedBlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
            d.onReceive((frame, q) -> {
                byte[] b = new byte[frame.remaining()];
                frame.get(b);
                received.add(b);
            });
            List<byte[]> in = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                byte[] out = TestFrames.raw(PEER_MAC, NIC_MAC, 60 + 14 * i, i);
                assertTrue(d.transmit(ByteBuffer.wrap(out)));
                assertArrayEquals(out, rig.nextFromNic());
                byte[] f = TestFrames.raw(NIC_MAC, PEER_MAC, 60 + 14 * i, -i);
                in.add(f);
                rig.toNic(f);
            }
            for (byte[] f : in) assertArrayEquals(f, received.poll(NicRig.WAIT_S, TimeUnit.SECONDS));
            assertEquals(0, d.stats().rxErrors());
            LinkedBlockingQueue<LinkState> changes = new LinkedBlockingQueue<>();
            d.onLinkChange(changes::add);
            assertTrue(changes.poll(NicRig.WAIT_S, TimeUnit.SECONDS).up());
            rig.setCable(false);
            assertEquals(LinkState.DOWN, changes.poll(NicRig.WAIT_S, TimeUnit.SECONDS));
            rig.setCable(true);
            assertTrue(changes.poll(NicRig.WAIT_S, TimeUnit.SECONDS).up());
        }
    }
}
