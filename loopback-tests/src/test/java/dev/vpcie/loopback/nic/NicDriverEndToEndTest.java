package dev.vpcie.loopback.nic;

import static dev.vpcie.loopback.nic.NicRig.NIC_MAC;
import static dev.vpcie.loopback.nic.NicRig.PEER_MAC;
import static org.junit.jupiter.api.Assertions.*;

import dev.vpcie.testsupport.Await;
import dev.vpcie.vrc.nic.LinkState;
import dev.vpcie.vrc.nic.NicDriver;
import dev.vpcie.vrc.nic.NicStats;
import dev.vpcie.vrc.nic.TxOffload;
import dev.vpcie.vrc.nic.packet.EchoResponder;
import dev.vpcie.vrc.nic.packet.Ipv4Address;
import dev.vpcie.vrc.nic.ping.PingSummary;
import dev.vpcie.vrc.nic.ping.Pinger;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The VRC's NIC drivers against the NIC models, in memory: bring-up, frames of every size both
 * ways, ping, link changes, statistics. Each test runs for every model.
 */
class NicDriverEndToEndTest {

    /** The rig each test runs on: the in-memory pipe here; subclasses swap in another interconnect. */
    NicRig rig(NicRig.Model model, int wireMaxFrame, dev.vpcie.devices.nic.NvmImage nvm) throws Exception {
        return new NicRig(model, wireMaxFrame, nvm);
    }


    @ParameterizedTest @EnumSource(NicRig.Model.class)
    void bringUpFindsTheMacAndTheLink(NicRig.Model model) throws Exception {
        try (NicRig rig = rig(model, 1514, null)) {
            NicDriver d = rig.open(NicRig.options());
            assertEquals(NIC_MAC, d.macAddress());
            assertEquals(new LinkState(true, 1000, true), d.link());
            assertEquals(1514, d.maxFrameSize());
        }
    }

    @ParameterizedTest(name = "{0}, busy polling {1}") @org.junit.jupiter.params.provider.CsvSource({"E1000, false", "E1000, true", "IGB, false", "IGB, true"})
    void pingThroughTheNicGetsEveryReply(NicRig.Model model, boolean busyPoll) throws Exception {
        try (NicRig rig = rig(model, 1514, null)) {
            NicDriver d = rig.open(NicRig.options().withBusyPoll(busyPoll ? Duration.ofMillis(5) : Duration.ZERO));
            EchoResponder peer = new EchoResponder(PEER_MAC, Ipv4Address.parse("10.0.0.2"), 64);
            rig.peer(f -> peer.respond(f, f.length).ifPresent(rig::toNic));
            Pinger.Settings s = Pinger.Settings.defaults(Ipv4Address.parse("10.0.0.2"), Ipv4Address.parse("10.0.0.1"), d.macAddress())
                    .withCount(20).withInterval(Duration.ofMillis(2));
            List<Pinger.Reply> replies = new ArrayList<>();
            try (Pinger pinger = new Pinger(d, s)) {
                assertEquals(PEER_MAC, pinger.resolve());
                PingSummary summary = pinger.run(replies::add, () -> false);
                assertEquals(20, summary.transmitted());
                assertEquals(20, summary.received(), summary.format());
                assertEquals(0, summary.duplicates());
            }
            assertEquals(20, replies.size());
            for (int i = 0; i < 20; i++) assertEquals(i + 1, replies.get(i).sequence());
        }
    }

    @ParameterizedTest @EnumSource(NicRig.Model.class)
    void everyFrameSizeCrossesBothWaysByteIdentical(NicRig.Model model) throws Exception {
        try (NicRig rig = rig(model, 1514, null)) {
            NicDriver d = rig.open(NicRig.options());
            // NIC -> wire, in batches of 16 behind one doorbell.
            for (int size = 60; size <= 1514; size += 16) {
                List<byte[]> batch = new ArrayList<>();
                for (int s = size; s < Math.min(size + 16, 1515); s++) {
                    byte[] f = TestFrames.raw(PEER_MAC, NIC_MAC, s, s);
                    batch.add(f);
                    assertTrue(d.transmit(ByteBuffer.wrap(f), TxOffload.NONE, true), "room for frame of " + s);
                }
                d.flush();
                for (byte[] f : batch) assertArrayEquals(f, rig.nextFromNic(), "frame of " + f.length + " bytes sent by the NIC");
            }
            // wire -> NIC
            LinkedBlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
            d.onReceive((frame, q) -> {
                byte[] b = new byte[frame.remaining()];
                frame.get(b);
                received.add(b);
            });
            for (int size = 60; size <= 1514; size++) {
                byte[] f = TestFrames.raw(NIC_MAC, PEER_MAC, size, -size);
                rig.toNic(f);
                byte[] got = received.poll(NicRig.WAIT_S, TimeUnit.SECONDS);
                assertNotNull(got, "frame of " + size + " bytes received");
                assertArrayEquals(f, got, "frame of " + size + " bytes received");
            }
            NicStats st = d.stats();
            assertEquals(1455, st.txFrames());
            assertEquals(1455, st.rxFrames());
            assertEquals(0, st.rxErrors());
            assertEquals(1455, st.hardware("GPTC"), "the NIC counted what it sent");
            assertEquals(1455, st.hardware("GPRC"), "the NIC counted what it received");
        }
    }

    @ParameterizedTest @EnumSource(NicRig.Model.class)
    void jumboFramesCrossBothWays(NicRig.Model model) throws Exception {
        try (NicRig rig = rig(model, 9014, null)) {
            NicDriver d = rig.open(NicRig.options().withMaxFrameSize(9014));
            LinkedBlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
            d.onReceive((frame, q) -> {
                byte[] b = new byte[frame.remaining()];
                frame.get(b);
                received.add(b);
            });
            for (int size : new int[] {1515, 2048, 2049, 4096, 4097, 6000, 8192, 9013, 9014}) {
                byte[] out = TestFrames.raw(PEER_MAC, NIC_MAC, size, size);
                assertTrue(d.transmit(ByteBuffer.wrap(out)));
                assertArrayEquals(out, rig.nextFromNic(), "jumbo frame of " + size + " bytes sent");
                byte[] in = TestFrames.raw(NIC_MAC, PEER_MAC, size, -size);
                rig.toNic(in);
                byte[] got = received.poll(NicRig.WAIT_S, TimeUnit.SECONDS);
                assertNotNull(got, "jumbo frame of " + size + " bytes received");
                assertArrayEquals(in, got, "jumbo frame of " + size + " bytes received");
            }
            assertThrows(IllegalArgumentException.class, () -> d.transmit(ByteBuffer.allocate(9015)), "larger than the configured maximum");
        }
    }

    @ParameterizedTest @EnumSource(NicRig.Model.class)
    void linkDownAndUpReachTheDriverAndTrafficResumes(NicRig.Model model) throws Exception {
        try (NicRig rig = rig(model, 1514, null)) {
            NicDriver d = rig.open(NicRig.options());
            LinkedBlockingQueue<LinkState> changes = new LinkedBlockingQueue<>();
            d.onLinkChange(changes::add);
            assertTrue(changes.poll(NicRig.WAIT_S, TimeUnit.SECONDS).up(), "the listener hears the current state first");
            rig.setCable(false);
            assertEquals(LinkState.DOWN, changes.poll(NicRig.WAIT_S, TimeUnit.SECONDS), "cable pulled");
            assertFalse(d.link().up());
            rig.setCable(true);
            LinkState up = changes.poll(NicRig.WAIT_S, TimeUnit.SECONDS);
            assertNotNull(up);
            assertTrue(up.up(), "cable plugged back: " + up);
            byte[] f = TestFrames.raw(PEER_MAC, NIC_MAC, 100, 1);
            assertTrue(d.transmit(ByteBuffer.wrap(f)));
            assertArrayEquals(f, rig.nextFromNic());
            assertEquals(3, d.stats().linkChanges(), "up at bring-up, down, up");
        }
    }

    @ParameterizedTest @EnumSource(NicRig.Model.class)
    void checksumInsertionProducesFramesThatVerify(NicRig.Model model) throws Exception {
        try (NicRig rig = rig(model, 1514, null)) {
            NicDriver d = rig.open(NicRig.options());
            int seed = 0;
            for (boolean ipv4 : new boolean[] {true, false}) {
                for (TxOffload.L4 l4 : TxOffload.L4.values()) {
                    for (int payload : new int[] {0, 1, 17, 1000, ipv4 ? 1460 - (l4 == TxOffload.L4.UDP ? -12 : 0) : 1440}) {
                        int ipLen = ipv4 ? 20 : 40;
                        byte[] f = TestFrames.transport(PEER_MAC, NIC_MAC, ipv4, l4.protocol, payload, 40000 + seed, 80, seed++);
                        assertFalse(TestFrames.checksumsVerify(f) && payload > 0, "the checksum field starts wrong");
                        assertTrue(d.transmit(ByteBuffer.wrap(f), new TxOffload.Checksum(14, ipv4, 14 + ipLen, l4, false), false));
                        byte[] got = rig.nextFromNic();
                        String what = (ipv4 ? "IPv4 " : "IPv6 ") + l4 + " with " + payload + " bytes";
                        assertEquals(f.length, got.length, what);
                        assertTrue(TestFrames.checksumsVerify(got), what + ": checksums verify");
                        int field = 14 + ipLen + l4.checksumOffset;
                        for (int i = 0; i < f.length; i++)
                            if (i != field && i != field + 1) assertEquals(f[i], got[i], what + ": byte " + i + " unchanged");
                    }
                }
            }
        }
    }

    @ParameterizedTest @EnumSource(NicRig.Model.class)
    void tsoCutsSegmentsWhoseChecksumsVerify(NicRig.Model model) throws Exception {
        try (NicRig rig = rig(model, 1514, null)) {
            NicDriver d = rig.open(NicRig.options());
            for (boolean ipv4 : new boolean[] {true, false}) {
                int ipLen = ipv4 ? 20 : 40, mss = ipv4 ? 1460 : 1440, payload = 20_000;
                byte[] f = TestFrames.transport(PEER_MAC, NIC_MAC, ipv4, 6, payload, 5555, 80, ipv4 ? 1 : 2);
                int headers = 14 + ipLen + 20;
                assertTrue(d.transmit(ByteBuffer.wrap(f), new TxOffload.Segmentation(14, ipv4, 14 + ipLen, 20, mss), false));
                int segments = (payload + mss - 1) / mss, offset = 0;
                for (int i = 0; i < segments; i++) {
                    byte[] seg = rig.nextFromNic();
                    String what = (ipv4 ? "IPv4" : "IPv6") + " segment " + i;
                    assertTrue(TestFrames.checksumsVerify(seg), what + ": checksums verify");
                    int len = TestFrames.tcpPayloadLength(seg);
                    assertEquals(Math.min(mss, payload - offset), len, what + ": payload length");
                    assertEquals(headers + len, seg.length, what + ": frame length");
                    assertEquals(1_000_000 + offset, TestFrames.tcpSequence(seg), what + ": sequence number");
                    boolean last = i == segments - 1;
                    assertEquals(last ? 0x19 : 0x10, TestFrames.tcpFlags(seg), what + ": FIN and PSH only on the last segment");
                    for (int b = 0; b < len; b++) assertEquals(f[headers + offset + b], seg[headers + b], what + ": payload byte " + b);
                    for (int b = 0; b < 12; b++) assertEquals(f[b], seg[b], what + ": MAC addresses");
                    offset += len;
                }
                assertEquals(payload, offset);
                assertTrue(rig.fromNic.isEmpty(), "no more segments than the payload needs");
            }
        }
    }

    /** Sends numbered frames until stopped, waiting for ring space as a TAP bridge would. */
    private static Thread sender(NicDriver d, java.util.concurrent.atomic.AtomicBoolean stop) {
        return Thread.ofPlatform().daemon().start(() -> {
            try {
                for (int n = 0; !stop.get(); n++) {
                    byte[] f = TestFrames.raw(PEER_MAC, NIC_MAC, 60 + n % 1400, n);
                    while (!stop.get() && !d.transmit(ByteBuffer.wrap(f))) d.awaitTxSpace(TimeUnit.MILLISECONDS.toNanos(50));
                    if (n % 8 == 7) d.awaitTxSpace(TimeUnit.MILLISECONDS.toNanos(50));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    @ParameterizedTest @EnumSource(NicRig.Model.class)
    void aResetMidTrafficRecovers(NicRig.Model model) throws Exception {
        try (NicRig rig = rig(model, 1514, null)) {
            NicDriver d = rig.open(NicRig.options().withWatchdog(Duration.ofMillis(200)));
            java.util.concurrent.atomic.AtomicLong arrived = new java.util.concurrent.atomic.AtomicLong();
            rig.peer(f -> arrived.incrementAndGet());
            LinkedBlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
            d.onReceive((frame, q) -> received.add(new byte[frame.remaining()]));
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            Thread t = sender(d, stop);
            try {
                Await.until(() -> arrived.get() > 100, "traffic flows");
                d.reset();
                assertEquals(1, d.stats().resets());
                long after = arrived.get();
                Await.until(() -> arrived.get() > after + 100, "traffic flows again after the driver's reset");
                assertEquals(1, d.stats().resets(), "no hang detected after the reset");

                // A reset behind the driver's back (CTRL.RST written directly): the watchdog notices and recovers.
                rig.device.mmioWrite(0, 0x0000, 4, 0x0400_0000L);
                Await.until(() -> d.stats().resets() == 2, "the watchdog resets the NIC");
                long later = arrived.get();
                Await.until(() -> arrived.get() > later + 100, "traffic flows again after the external reset");
                assertEquals(2, d.stats().resets(), "one recovery for one external reset");
            } finally {
                stop.set(true);
                t.join(5000);
            }
            received.clear();
            rig.toNic(TestFrames.raw(NIC_MAC, PEER_MAC, 200, 9));
            assertNotNull(received.poll(NicRig.WAIT_S, TimeUnit.SECONDS), "receive works after the resets");
            // Rings run on the root complex's loop while the control thread reads the link: traffic
            // may flow again before the link state is known, so wait for it rather than assume it.
            Await.until(() -> d.link().up(), "the link is up again");
        }
    }

    @ParameterizedTest @EnumSource(NicRig.Model.class)
    void theFastPathReadsNoRegistersBeyondInterruptCauses(NicRig.Model model) throws Exception {
        try (NicRig rig = rig(model, 1514, null)) {
            NicDriver d = rig.open(NicRig.options().withWatchdog(Duration.ofMinutes(5))); // no watchdog reads meanwhile
            LinkedBlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
            d.onReceive((frame, q) -> received.add(new byte[frame.remaining()]));
            NicStats before = d.stats();
            for (int i = 0; i < 256; i++) {
                ByteBuffer f = ByteBuffer.wrap(TestFrames.raw(PEER_MAC, NIC_MAC, 60 + i, i));
                while (!d.transmit(f, TxOffload.NONE, i % 16 != 15)) assertTrue(d.awaitTxSpace(TimeUnit.SECONDS.toNanos(5)));
                rig.toNic(TestFrames.raw(NIC_MAC, PEER_MAC, 60 + i, -i));
            }
            d.flush();
            for (int i = 0; i < 256; i++) {
                rig.nextFromNic();
                assertNotNull(received.poll(NicRig.WAIT_S, TimeUnit.SECONDS));
            }
            NicStats after = d.stats();
            long reads = after.mmioReads() - before.mmioReads(), interrupts = after.interrupts() - before.interrupts();
            assertTrue(interrupts > 0);
            assertTrue(reads <= expectedReads(d, interrupts), reads + " register reads for " + interrupts + " interrupts, 512 frames");
        }
    }

    /** INTx and MSI must read the cause register once per interrupt; MSI-X needs no read at all. */
    private static long expectedReads(NicDriver d, long interrupts) {
        return ((dev.vpcie.vrc.nic.IntelNicDriver) d).interruptMode() == dev.vpcie.vrc.nic.IrqMode.MSIX ? 0 : interrupts;
    }

    @ParameterizedTest @EnumSource(NicRig.Model.class)
    void aBadNvmChecksumIsRefusedClearly(NicRig.Model model) throws Exception {
        int[] words = model.nvm().words();
        words[0x10] ^= 1;
        try (NicRig rig = rig(model, 1514, dev.vpcie.devices.nic.NvmImage.ofWords(words))) {
            var e = assertThrows(dev.vpcie.vrc.nic.NicException.class, () -> rig.open(NicRig.options()));
            assertTrue(e.getMessage().contains("Checksum Is Not Valid"), e.getMessage());
            assertTrue(e.getMessage().contains("0xbabb") || e.getMessage().contains("0xbab9"), e.getMessage());
            assertEquals(0, rig.rc.hostMemory().allocatedBytes(), "nothing left allocated");
        }
    }
}
