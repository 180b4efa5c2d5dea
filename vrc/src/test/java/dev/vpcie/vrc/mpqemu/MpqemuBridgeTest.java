package dev.vpcie.vrc.mpqemu;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.protocol.transport.EventFd;
import dev.vpcie.testsupport.Await;
import dev.vpcie.vrc.Counter;
import dev.vpcie.vrc.PcieDevice;
import dev.vpcie.vrc.RootComplex;
import dev.vpcie.vrc.RootComplexConfig;
import dev.vpcie.vrc.mpqemu.MpqemuMessage.BarRead;
import dev.vpcie.vrc.mpqemu.MpqemuMessage.BarWrite;
import dev.vpcie.vrc.mpqemu.MpqemuMessage.DeviceReset;
import dev.vpcie.vrc.mpqemu.MpqemuMessage.PciConfigRead;
import dev.vpcie.vrc.mpqemu.MpqemuMessage.PciConfigWrite;
import dev.vpcie.vrc.mpqemu.MpqemuMessage.Region;
import dev.vpcie.vrc.mpqemu.MpqemuMessage.Ret;
import dev.vpcie.vrc.mpqemu.MpqemuMessage.SetIrqFd;
import dev.vpcie.vrc.mpqemu.MpqemuMessage.SyncSysmem;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The bridge end to end, with the test playing QEMU on the other end of the socket and a fake
 * function behind a real root complex.
 */
@Timeout(60)
class MpqemuBridgeTest {
    private static final long MIB = 1 << 20;
    private RootComplex rc;
    private FakeRemoteFunction f;
    private PcieDevice device;
    private MpqemuBridge bridge;
    private MpqemuChannel qemu;
    private int memfd = -1;
    private Arena arena;
    private MemorySegment ram;

    private void start(FakeRemoteFunction function) throws Exception {
        rc = new RootComplex(RootComplexConfig.defaults().withHostMemorySize(1 << 20).withCompletionTimeout(Duration.ofSeconds(2)));
        f = function;
        rc.attach(f);
        device = rc.enumerate().getFirst();
        UnixSocket[] pair = UnixSocket.pair();
        bridge = MpqemuBridge.start(device, pair[0], new MpqemuBridge.Options(Duration.ZERO));
        qemu = new MpqemuChannel(pair[1]);
    }

    @AfterEach void tearDown() {
        if (bridge != null) bridge.close();
        if (qemu != null) qemu.close();
        if (rc != null) rc.close();
        if (arena != null) arena.close();
        if (memfd >= 0) SharedMemory.close(memfd);
    }

    private long request(MpqemuMessage m) throws Exception {
        qemu.send(m);
        MpqemuMessage reply = qemu.receive();
        if (!(reply instanceof Ret r)) throw new AssertionError("expected RET, got " + reply);
        return r.value();
    }

    private int cfgRead(int addr, int len) throws Exception { return (int) request(new PciConfigRead(addr, len)); }

    private void cfgWrite(int addr, int len, int value) throws Exception { request(new PciConfigWrite(addr, value, len)); }

    /** QEMU's memory: a 4 MiB memfd laid out as a PC does (low RAM, VGA hole, RAM above 1 MiB). */
    private void syncRam() throws Exception {
        memfd = SharedMemory.create("guest", 4 * MIB);
        arena = Arena.ofShared();
        ram = SharedMemory.map(memfd, 0, 4 * MIB, arena);
        qemu.send(new SyncSysmem(List.of(new Region(0, 0xA0000, 0, memfd), new Region(0x100000, 3 * MIB, 0x100000, memfd))));
    }

    /** What the guest's firmware and Linux do: BARs at guest addresses, decoding and bus mastering on. */
    private void guestAssigns() throws Exception {
        cfgWrite(0x10, 4, 0xFEBC_0000);
        cfgWrite(0x18, 4, 0xC040);
        cfgWrite(0x1C, 4, 0xFEBE_0000);
        cfgWrite(0x20, 4, 0xFE00_0000);
        cfgWrite(0x04, 2, 0x0007);
    }

    @Test void qemusProbeSeesA32BitFunctionWithoutMsi() throws Exception {
        start(FakeRemoteFunction.nic());
        syncRam();
        assertEquals(0x8086, cfgRead(0x00, 2));
        assertEquals(0x10C9, cfgRead(0x02, 2));
        assertEquals(0x0200, cfgRead(0x0A, 2));
        assertEquals(0xA03C, cfgRead(0x2E, 2));
        long[] sizes = new long[7];
        for (int i = 0; i < 7; i++) {
            int reg = 0x10 + 4 * i;
            int orig = cfgRead(reg, 4);
            cfgWrite(reg, 4, 0xFFFF_FFFF);
            int v = cfgRead(reg, 4);
            cfgWrite(reg, 4, orig);
            sizes[i] = (~(v & 0xFFFF_FFF0L) + 1) & 0xFFFF_FFFFL;
        }
        assertArrayEquals(new long[] {128 << 10, 0, 32, 16 << 10, 1 << 20, 0, 0}, sizes);
        assertEquals(0x40, cfgRead(0x34, 1));
        assertEquals(0xA0, cfgRead(0x41, 1), "MSI and MSI-X unlinked");
        assertEquals(1, cfgRead(0x3D, 1));
        assertEquals(0, bridge.count(BridgeCounter.MALFORMED));
        assertEquals(1, bridge.count(BridgeCounter.SYNC_SYSMEM));
    }

    @Test void barAccessesBecomeMmioAndIoOfTheFunction() throws Exception {
        start(FakeRemoteFunction.nic());
        guestAssigns();
        assertEquals(0, request(new BarWrite(0xFEBC_0010L, 0xDEAD_BEEFL, 4, true)));
        assertEquals(0xDEAD_BEEFL, request(new BarRead(0xFEBC_0010L, 4, true)), "the read follows the posted write");
        request(new BarWrite(0xFE00_0FF8L, 0x0102_0304_0506_0708L, 8, true));
        assertEquals(0x0102_0304_0506_0708L, request(new BarRead(0xFE00_0FF8L, 8, true)), "BAR4, 64-bit at the root complex");
        assertEquals(0x0506_0708L, request(new BarRead(0xFE00_0FF8L, 4, true)));
        assertEquals(0x0304_0506L, request(new BarRead(0xFE00_0FFAL, 4, true)), "unaligned: byte by byte");
        request(new BarWrite(0xC05C, 0x1234_5678, 4, false));
        assertEquals(0x1234_5678, request(new BarRead(0xC05C, 4, false)));
        assertEquals(0x34, request(new BarRead(0xC05E, 1, false)));
        assertEquals(0x78, f.barMemory[2][0x1C] & 0xFF, "I/O BAR offset 0x1C");
        assertEquals(0xFFFF_FFFFL, request(new BarRead(0xFD00_0000L, 4, true)), "no BAR: all-ones");
        request(new BarWrite(0xFD00_0000L, 1, 4, true));
        cfgRead(0, 2); // served after the posted write
        assertEquals(2, bridge.count(BridgeCounter.BAR_UNMATCHED));
        assertEquals(0xE000_0000L, f.barAddress(0), "the function still decodes the root complex's address");
    }

    @Test void deviceDmaReachesGuestRamAndNothingElse() throws Exception {
        start(FakeRemoteFunction.nic());
        syncRam();
        guestAssigns();
        Await.until(() -> bridge.guestRam().layouts() == 1, "guest RAM mapped");
        for (int i = 0; i < 64; i++) ram.set(JAVA_BYTE, 0x201000 + i, (byte) (i + 1));
        byte[] got = f.dmaRead(0x201000, 64);
        for (int i = 0; i < 64; i++) assertEquals(i + 1, got[i]);
        f.dmaWrite(0x9F000, new byte[] {5, 6, 7, 8});
        Await.until(() -> ram.get(JAVA_BYTE, 0x9F003) == 8, "DMA write in guest RAM");
        assertNull(f.dmaRead(0xA0000, 4), "the VGA hole is not RAM: UR");
        assertNull(f.dmaRead(4 * MIB, 4), "past the end of RAM: UR");
        assertEquals(2, rc.counters().get(Counter.DMA_READ_REFUSED));
        assertSame(bridge.guestRam(), rc.dmaMemory(device.bdf()));
        assertEquals(2, rc.dmaWindows().mappings().size(), "DMA windows are exactly the two RAM sections");

        qemu.send(new SyncSysmem(List.of(new Region(0, MIB, 0, memfd))));
        Await.until(() -> rc.dmaWindows().mappings().size() == 1, "second layout and its windows");
        assertEquals(2, bridge.guestRam().layouts());
        assertNull(f.dmaRead(0x201000, 4), "RAM no longer there: refused");
    }

    @Test void intxRaisesTheIrqfdAndIsReRaisedWhileStillAsserted() throws Exception {
        start(FakeRemoteFunction.nic());
        try (EventFd line = EventFd.open(); EventFd resample = EventFd.open()) {
            qemu.send(new SetIrqFd(line.fd(), resample.fd()));
            guestAssigns(); // a round trip: SET_IRQFD has been handled after it
            assertEquals(PcieDevice.InterruptMode.INTX, device.interruptMode());
            f.assertIntx();
            Await.until(() -> drain(line), "irqfd raised");
            assertEquals(1, bridge.count(BridgeCounter.INTX_TRIGGER));
            resample.signal(); // guest EOI while the function still asserts
            Await.until(() -> drain(line), "re-raised");
            assertEquals(1, bridge.count(BridgeCounter.INTX_REASSERT));
            f.deassertIntx();
            Await.until(() -> !device.intxAsserted(), "deasserted");
            resample.signal();
            Await.until(() -> bridge.count(BridgeCounter.INTX_RESAMPLE) == 2, "resample seen");
            assertFalse(drain(line), "not raised again once the function deasserted");
            assertEquals(1, bridge.count(BridgeCounter.INTX_REASSERT));
        }
    }

    private static boolean drain(EventFd e) {
        try {
            return e.drain();
        } catch (Exception x) {
            throw new AssertionError(x);
        }
    }

    @Test void deviceResetIsAFunctionLevelResetThatKeepsTheRootComplexsSettings() throws Exception {
        start(FakeRemoteFunction.nic());
        guestAssigns();
        int devctl = (int) f.get(0xA8, 2);
        assertEquals(0, request(new DeviceReset()));
        assertEquals(1, f.flrCount);
        assertEquals(0xE000_0000L, f.barAddress(0), "BAR addresses restored after FLR");
        assertEquals(0x8_0000_0000L, f.barAddress(4));
        assertEquals(devctl & 0x70E0, f.get(0xA8, 2) & 0x70E0, "MPS and MRRS restored");
        assertEquals(0, f.get(0x04, 2), "command register cleared");
        assertEquals(0, cfgRead(0x10, 4), "the guest sees unassigned BARs");
        cfgWrite(0x10, 4, 0xFEBC_0000);
        cfgWrite(0x04, 2, 0x0002);
        request(new BarWrite(0xFEBC_0000L, 0x55, 4, true));
        assertEquals(0x55, request(new BarRead(0xFEBC_0000L, 4, true)), "MMIO works again after the reset");
    }

    @Test void deviceResetWithoutFlrClearsTheCommandRegister() throws Exception {
        start(FakeRemoteFunction.conventional());
        cfgWrite(0x10, 4, 0xFEBC_0000);
        cfgWrite(0x04, 2, 0x0007);
        request(new DeviceReset());
        assertEquals(0, f.flrCount);
        assertEquals(0, f.get(0x04, 2));
        assertEquals(0xE000_0000L, f.barAddress(0));
        assertEquals(0, cfgRead(0x34, 1), "no capabilities");
    }

    @Test void malformedMessagesAreCountedAndRequestsStillAnswered() throws Exception {
        start(FakeRemoteFunction.nic());
        UnixSocket s = qemu.socket();
        byte[] badRead = MpqemuCodec.encode(new PciConfigRead(0x10, 4)).bytes();
        badRead[16 + 8] = 3; // len 3
        s.send(badRead);
        assertEquals(-1L, ((Ret) qemu.receive()).value(), "QEMU waits for a reply: it gets all-ones");
        byte[] unknown = new byte[16];
        unknown[0] = 9;
        s.send(unknown);
        qemu.send(new Ret(5));
        byte[] irqfdWithoutFds = MpqemuCodec.encode(new DeviceReset()).bytes();
        irqfdWithoutFds[0] = (byte) Command.SET_IRQFD.code;
        s.send(irqfdWithoutFds);
        assertEquals(0x8086, cfgRead(0, 2), "still serving");
        assertEquals(4, bridge.count(BridgeCounter.MALFORMED));
        assertTrue(bridge.connected());
    }

    @Test void aLayoutThatCannotBeMappedIsCountedAndTheOldOneStays() throws Exception {
        start(FakeRemoteFunction.nic());
        syncRam();
        Await.until(() -> bridge.guestRam().layouts() == 1, "first layout");
        UnixSocket[] notMemory = UnixSocket.pair(); // a socket cannot be mapped
        try {
            qemu.send(new SyncSysmem(List.of(new Region(0, MIB, 0, notMemory[0].fd()))));
            assertEquals(0x8086, cfgRead(0, 2), "still serving");
            assertEquals(1, bridge.count(BridgeCounter.SYNC_SYSMEM_FAILED));
            assertEquals(2, bridge.guestRam().sections().size(), "the previous layout stays");
            assertEquals(2, rc.dmaWindows().mappings().size());
        } finally {
            notMemory[0].close();
            notMemory[1].close();
        }
    }

    @Test void lostFramingEndsTheConnection() throws Exception {
        start(FakeRemoteFunction.nic());
        byte[] huge = new byte[16];
        huge[0] = (byte) Command.BAR_READ.code;
        huge[9] = 1; // size 256
        qemu.socket().send(huge);
        assertTrue(bridge.awaitDisconnect(Duration.ofSeconds(10)));
        assertNull(qemu.receive(), "QEMU sees end of stream and reads all-ones from then on");
    }

    @Test void closeGivesTheFunctionBackItsHostMemory() throws Exception {
        start(FakeRemoteFunction.nic());
        syncRam();
        guestAssigns();
        bridge.close();
        assertSame(rc.hostMemory(), rc.dmaMemory(device.bdf()));
        assertEquals(List.of(), rc.dmaWindows().mappings());
        assertNull(qemu.receive());
        assertFalse(bridge.connected());
        bridge = null;
    }

    @Test void qemuClosingItsEndIsNoticed() throws Exception {
        start(FakeRemoteFunction.nic());
        qemu.close();
        assertTrue(bridge.awaitDisconnect(Duration.ofSeconds(10)));
        qemu = null;
    }
}
