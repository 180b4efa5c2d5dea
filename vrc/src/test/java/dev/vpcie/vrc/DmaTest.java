package dev.vpcie.vrc;

import static org.junit.jupiter.api.Assertions.*;

import dev.vpcie.protocol.tlp.Bdf;
import dev.vpcie.protocol.tlp.CplStatus;
import dev.vpcie.testsupport.Await;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DmaTest {

    private static byte[] pattern(int n, int seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test void deviceReadsMappedHostMemoryAtOddAlignmentsAndSizes() throws Exception {
        try (Fixture fx = Fixture.nic()) {
            PcieDevice d = fx.enumerateOne();
            DmaBuffer buf = fx.rc.hostMemory().allocate(16 << 10);
            byte[] content = pattern((int) buf.length(), 1);
            buf.segment().copyFrom(java.lang.foreign.MemorySegment.ofArray(content));
            d.mapDma(buf);
            for (int offset : new int[] {0, 1, 2, 3, 63, 64, 65, 4093}) {
                for (int length : new int[] {1, 2, 3, 4, 5, 7, 64, 65, 255, 256, 257, 1000}) {
                    long addr = buf.busAddress() + offset;
                    if ((addr & 0xFFF) + length > 0x1000) continue; // one MRd never crosses 4 KiB
                    FakeEndpoint.DmaResult r = fx.endpoint.dmaRead(0, addr, length);
                    assertNotNull(r, "completion for " + length + " bytes at +" + offset);
                    assertEquals(CplStatus.SC, r.status());
                    assertArrayEquals(Arrays.copyOfRange(content, offset, offset + length), r.data(),
                            length + " bytes at +" + offset);
                }
            }
            assertEquals(0, fx.rc.counters().get(Counter.DMA_READ_REFUSED));
        }
    }

    @Test void readCompletionsAreSplitAtTheFunctionsMaxPayloadSize() throws Exception {
        try (Fixture fx = Fixture.nic()) {
            PcieDevice d = fx.enumerateOne();
            assertEquals(256, d.maxPayloadSize());
            DmaBuffer buf = fx.rc.hostMemory().allocate(4096);
            byte[] content = pattern(4096, 2);
            buf.segment().copyFrom(java.lang.foreign.MemorySegment.ofArray(content));
            d.mapDma(buf);
            // The fake reassembles by Byte Count / Lower Address and fails on any mismatch.
            FakeEndpoint.DmaResult r = fx.endpoint.dmaRead(0, buf.busAddress() + 100, 1024);
            assertArrayEquals(Arrays.copyOfRange(content, 100, 1124), r.data());
        }
    }

    @Test void deviceWritesLandInMappedHostMemory() throws Exception {
        try (Fixture fx = Fixture.nic()) {
            PcieDevice d = fx.enumerateOne();
            DmaBuffer buf = fx.rc.hostMemory().allocate(8192);
            d.mapDma(buf);
            byte[] data = pattern(3001, 3);
            fx.endpoint.dmaWrite(0, buf.busAddress() + 3, data);
            Await.until(() -> buf.segment().get(ValueLayout.JAVA_BYTE, 3 + 3000) == data[3000], "writes applied");
            byte[] back = buf.segment().asSlice(0, 3010).toArray(ValueLayout.JAVA_BYTE);
            assertArrayEquals(data, Arrays.copyOfRange(back, 3, 3004));
            assertEquals(0, back[0] | back[1] | back[2], "bytes before the write untouched");
            assertEquals(0, back[3004] | back[3005], "bytes after the write untouched");
        }
    }

    @Test void dmaOutsideTheWindowsIsRefusedAndCounted() throws Exception {
        try (Fixture fx = Fixture.nic()) {
            PcieDevice d = fx.enumerateOne();
            DmaBuffer mapped = fx.rc.hostMemory().allocate(4096);
            DmaBuffer secret = fx.rc.hostMemory().allocate(4096);
            secret.segment().fill((byte) 0x5A);
            DmaWindows.Mapping m = d.mapDma(mapped);

            FakeEndpoint.DmaResult r = fx.endpoint.dmaRead(0, secret.busAddress(), 16);
            assertEquals(CplStatus.UR, r.status(), "read of unmapped memory answered UR");
            r = fx.endpoint.dmaRead(0, mapped.busAddress() + 4090, 12);
            assertEquals(CplStatus.UR, r.status(), "a read straddling the window's end is refused whole");
            assertEquals(2, fx.rc.counters().get(Counter.DMA_READ_REFUSED));

            fx.endpoint.dmaWrite(0, secret.busAddress() + 8, new byte[] {1, 2, 3, 4});
            Await.until(() -> fx.rc.counters().get(Counter.DMA_WRITE_REFUSED) == 1, "write refused");
            assertEquals(0x5A, secret.segment().get(ValueLayout.JAVA_BYTE, 8), "unmapped memory untouched");

            // Only the enabled bytes are read: a 1-byte read at the window's last byte is fine.
            r = fx.endpoint.dmaRead(0, mapped.busAddress() + 4095, 1);
            assertEquals(CplStatus.SC, r.status());

            d.unmapDma(m);
            r = fx.endpoint.dmaRead(0, mapped.busAddress(), 4);
            assertEquals(CplStatus.UR, r.status(), "unmapped again");
            assertEquals(3, fx.rc.counters().get(Counter.DMA_READ_REFUSED));
        }
    }

    @Test void zeroBytesBesideAWindowNeverLeak() throws Exception {
        try (Fixture fx = Fixture.nic()) {
            PcieDevice d = fx.enumerateOne();
            DmaBuffer buf = fx.rc.hostMemory().allocate(4096);
            buf.segment().fill((byte) 0x77);
            d.mapDma(buf.busAddress() + 2, 1); // one byte mapped, in the middle of a DW
            FakeEndpoint.DmaResult r = fx.endpoint.dmaRead(0, buf.busAddress() + 2, 1);
            assertArrayEquals(new byte[] {0x77}, r.data());
        }
    }

    @Test void aRequesterFromAnotherBusIsRefused() throws Exception {
        try (Fixture fx = Fixture.nic()) {
            PcieDevice d = fx.enumerateOne();
            DmaBuffer buf = fx.rc.hostMemory().allocate(4096);
            d.mapDma(buf);
            // The fake claims to be 05:00.0, which lives behind no link of this endpoint.
            fx.endpoint.bus = 5;
            FakeEndpoint.DmaResult r = fx.endpoint.dmaRead(0, buf.busAddress(), 4);
            assertEquals(CplStatus.UR, r.status());
            assertNotEquals(Bdf.of(5, 0, 0), d.bdf());
        }
    }

    @Test void hostMemoryAllocatorAlignsAndReusesFreedBlocks() {
        try (HostMemory mem = new HostMemory(1 << 20)) {
            DmaBuffer a = mem.allocate(100, 64);
            DmaBuffer b = mem.allocate(5000);
            assertEquals(0, a.busAddress() % 64);
            assertEquals(0, b.busAddress() % 4096);
            assertTrue(a.busAddress() >= HostMemory.FIRST_ALLOCATABLE);
            assertTrue(b.busAddress() >= a.end());
            mem.free(a);
            assertEquals(a.busAddress(), mem.allocate(100, 64).busAddress(), "freed block reused first-fit");
            assertThrows(IllegalArgumentException.class, () -> mem.free(new DmaBuffer(a.busAddress() + 8, 8, a.segment())), "not an allocation");
            assertThrows(IllegalStateException.class, () -> mem.allocate(2 << 20));
            assertThrows(IllegalArgumentException.class, () -> mem.allocate(10, 3));
        }
    }

    @Test void dmaWindowsMergeOverlapsAndUnmapByHandle() {
        DmaWindows w = new DmaWindows();
        DmaWindows.Mapping a = w.map(7, 0x1000, 0x1000), b = w.map(7, 0x1800, 0x1000);
        assertTrue(w.permits(7, 0x1000, 0x1800), "union of overlapping windows");
        assertFalse(w.permits(7, 0x1000, 0x1801));
        assertFalse(w.permits(8, 0x1000, 4), "another requester");
        w.unmap(a);
        assertFalse(w.permits(7, 0x1000, 4));
        assertTrue(w.permits(7, 0x1800, 0x1000));
        w.unmap(b);
        assertFalse(w.permits(7, 0x1800, 4));
        assertThrows(IllegalArgumentException.class, () -> w.unmap(b));
        assertThrows(IllegalArgumentException.class, () -> w.map(7, 0, 0));
    }
}
