package dev.vpcie.devices.spi;

import static org.junit.jupiter.api.Assertions.*;

import dev.vpcie.devices.testing.ByteArrayDmaPort;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The convenience methods DmaPort builds on write, the issue/complete shape of reads, and DmaException's content. */
class DmaPortTest {
    private boolean busMaster = true;
    private final ByteArrayDmaPort port = new ByteArrayDmaPort(0x1000, 256, () -> busMaster);

    @Test
    void scalarWritesAreLittleEndianAndReadBack() throws DmaException {
        port.writeInt(0x1000, 0x11223344);
        assertEquals(0x44, port.memory[0]);
        port.writeLong(0x1008, 0x8877665544332211L);
        assertEquals(0x11, port.memory[8]);
        assertEquals((byte) 0x88, port.memory[15]);
        byte[] b = new byte[16];
        List<DmaException> done = new ArrayList<>();
        port.read(0, 0x1000, b, 0, 16, done::add);
        assertTrue(done.isEmpty(), "a read's handler never runs inside read()");
        assertEquals(1, port.completeReads());
        assertEquals(1, done.size());
        assertNull(done.getFirst());
        assertEquals(0x11223344, DmaPort.le32(b, 0));
        assertEquals(0x8877665544332211L, DmaPort.le64(b, 8));
    }

    @Test
    void byteBufferWritesAdvanceTheirPosition() throws DmaException {
        ByteBuffer src = ByteBuffer.allocateDirect(3).put(new byte[] {9, 8, 7}).flip();
        port.write(0x1020, src);
        assertEquals(3, src.position());
        assertEquals(7, port.memory[0x22]);
        ByteBuffer heapSrc = ByteBuffer.wrap(new byte[] {1, 2, 3, 4}, 1, 2);
        port.write(0x1030, heapSrc);
        assertEquals(2, port.memory[0x30]);
        assertEquals(3, port.memory[0x31]);
    }

    @Test
    void failuresAreTypedNameTheAccessAndFailTheReadsAfterThem() {
        List<DmaException> done = new ArrayList<>();
        port.read(0, 0x1000, new byte[4], 0, 4, done::add);
        port.read(0, 0x5000, new byte[4], 0, 4, done::add);
        port.read(0, 0x1000, new byte[4], 0, 4, done::add);
        port.completeReads();
        assertNull(done.get(0));
        DmaException e = done.get(1);
        assertEquals(DmaException.Reason.UNSUPPORTED_REQUEST, e.reason());
        assertEquals(0x5000, e.address());
        assertEquals(4, e.length());
        assertTrue(e.getMessage().contains("0x5000"), e.getMessage());
        assertNotNull(done.get(2), "nothing after a failure is delivered as data");
        busMaster = false;
        assertEquals(DmaException.Reason.BUS_MASTER_DISABLED, assertThrows(DmaException.class, () -> port.writeInt(0x1000, 1)).reason());
    }

    @Test
    void aFailureStaysInItsStream() {
        List<DmaException> one = new ArrayList<>();
        List<DmaException> two = new ArrayList<>();
        port.read(1, 0x5000, new byte[4], 0, 4, one::add);
        port.read(2, 0x1000, new byte[4], 0, 4, two::add);
        port.read(1, 0x1000, new byte[4], 0, 4, one::add);
        port.completeReads();
        assertNotNull(one.get(0));
        assertNotNull(one.get(1), "nothing after a failure is data in its stream");
        assertEquals(java.util.Collections.singletonList(null), two, "another stream's read is delivered as data");
    }
}
