package dev.vpcie.devices.spi;

import static org.junit.jupiter.api.Assertions.*;

import dev.vpcie.devices.testing.ByteArrayDmaPort;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The convenience methods DmaPort builds on read/write, and DmaException's content. */
class DmaPortTest {
    private boolean busMaster = true;
    private final ByteArrayDmaPort port = new ByteArrayDmaPort(0x1000, 256, () -> busMaster);

    @Test
    void scalarAccessesAreLittleEndian() throws DmaException {
        port.writeInt(0x1000, 0x11223344);
        assertEquals(0x44, port.memory[0]);
        assertEquals(0x11223344, port.readInt(0x1000));
        port.writeLong(0x1008, 0x8877665544332211L);
        assertEquals(0x11, port.memory[8]);
        assertEquals((byte) 0x88, port.memory[15]);
        assertEquals(0x8877665544332211L, port.readLong(0x1008));
    }

    @Test
    void byteBuffersHeapAndDirectAdvanceTheirPosition() throws DmaException {
        for (int i = 0; i < 16; i++) port.memory[i] = (byte) i;
        ByteBuffer heap = ByteBuffer.allocate(8).position(2);
        port.read(0x1004, heap);
        assertEquals(8, heap.position());
        assertEquals(4, heap.get(2));
        ByteBuffer direct = ByteBuffer.allocateDirect(4);
        port.read(0x1000, direct);
        assertEquals(4, direct.position());
        assertEquals(3, direct.get(3));

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
    void failuresAreTypedAndNameTheAccess() {
        DmaException e = assertThrows(DmaException.class, () -> port.readInt(0x5000));
        assertEquals(DmaException.Reason.UNSUPPORTED_REQUEST, e.reason());
        assertEquals(0x5000, e.address());
        assertEquals(4, e.length());
        assertTrue(e.getMessage().contains("0x5000"), e.getMessage());
        busMaster = false;
        assertEquals(DmaException.Reason.BUS_MASTER_DISABLED, assertThrows(DmaException.class, () -> port.writeInt(0x1000, 1)).reason());
    }
}
