package dev.vpcie.devices.nic.e1000;

import static dev.vpcie.devices.nic.e1000.E1000Driver.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.devices.nic.TestPackets;
import dev.vpcie.devices.regs.RegisterTable;
import org.junit.jupiter.api.Test;

/** The register file's edges: the I/O window, masks, unknown registers, loopback, DMA failures. */
class E1000RegistersTest {

    @Test
    void ioWindowReachesTheRegisterFile() {
        E1000Harness h = new E1000Harness();
        E1000Driver d = new E1000Driver(h);
        d.enableDevice();
        h.function.ioWrite(1, 0, 4, STATUS);
        assertEquals(STATUS, h.function.ioRead(1, 0, 4));
        assertEquals(d.rd(STATUS), (int) h.function.ioRead(1, 4, 4));
        d.wrIo(RDTR, 0x1234);
        assertEquals(0x1234, d.rd(RDTR));
        assertEquals(0x34, d.rdIo(RDTR) & 0xFF);
        h.function.ioWrite(1, 0, 4, RDTR);
        assertEquals(0x12, h.function.ioRead(1, 5, 1), "byte 1 of the selected register");
        h.function.ioWrite(1, 0x10, 4, 5);
        assertEquals(0, h.function.ioRead(1, 0x10, 4), "reserved offsets");
        assertEquals(1, h.counters.get("io-bar-reserved-accesses") - 1);
        assertThrows(IllegalArgumentException.class, () -> h.function.mmioRead(1, 0, 4));
    }

    @Test
    void registerMasksAndUnknownRegisters() {
        E1000Harness h = new E1000Harness();
        E1000Driver d = new E1000Driver(h);
        d.enableDevice();
        d.wr(RDLEN, 0xFFFF_FFFF);
        assertEquals(0x000F_FF80, d.rd(RDLEN));
        d.wr(RDBAL, 0xFFFF_FFFF);
        assertEquals(0xFFFF_FFF0, d.rd(RDBAL));
        d.wr(RDH, 0xFFFF_FFFF);
        assertEquals(0xFFFF, d.rd(RDH));
        d.wr(STATUS, 0);
        assertTrue((d.rd(STATUS) & STATUS_LU) != 0, "STATUS is read-only");
        assertEquals(0, d.rd(0x0100 + 0x1000 * 7), "unknown register reads 0, not all-ones");
        assertEquals(1, h.function.registerCounters().get(RegisterTable.UNKNOWN_READS));
        d.wr(CTRL_EXT, 0x2000);
        assertEquals(0, d.rd(CTRL_EXT) & 0x2000, "EE_RST self-clears");
        assertEquals(0x8100, d.rd(VET));
        assertEquals(0x0010_0030, d.rd(PBA));
        d.wr(RA + 12, 0xFFFF_FFFF);
        assertEquals(0x8003_FFFF, d.rd(RA + 12), "RAH: AV, ASEL, address bits");
        h.function.mmioWrite(0, RA + 8, 2, 0xBEEF);
        h.function.mmioWrite(0, RA + 10, 2, 0xCAFE);
        assertEquals(0xCAFE_BEEF, d.rd(RA + 8), "partial writes merge");
        long both = h.function.mmioRead(0, RDBAL, 8);
        assertEquals(0xFFFF_FFF0L, both & 0xFFFF_FFFFL, "8-byte access: two registers, low first");
    }

    @Test
    void eecdGrantFollowsRequestAndThePartIsPresent() {
        E1000Harness h = new E1000Harness();
        E1000Driver d = new E1000Driver(h);
        d.enableDevice();
        assertEquals(EECD_PRES, d.rd(EECD) & (EECD_PRES | EECD_GNT));
        d.wr(EECD, EECD_REQ);
        assertEquals(EECD_PRES | EECD_GNT | EECD_REQ, d.rd(EECD) & (EECD_PRES | EECD_GNT | EECD_REQ));
    }

    @Test
    void macLoopbackReceivesWhatIsSent() {
        E1000Harness h = new E1000Harness();
        E1000Driver d = new E1000Driver(h);
        d.probe();
        d.rctlExtra = RCTL_LBM_MAC;
        d.open();
        byte[] f = TestPackets.rawFrame(d.mac, d.mac, 500, 1);
        d.transmit(f);
        assertTrue(h.peerReceived.isEmpty(), "nothing on the wire");
        assertArrayEquals(f, d.drainReceived().get(0));
    }

    @Test
    void dmaFailuresAreCountedNotFatal() {
        E1000Harness h = new E1000Harness();
        E1000Driver d = new E1000Driver(h);
        d.probe();
        d.open();
        // A receive ring outside host memory (software must not change descriptors the
        // hardware owns, so move the ring instead: that drops what was prefetched).
        d.wr(RDBAL, 0x7000_0000);
        h.peerSend(TestPackets.rawFrame(d.mac, TestPackets.SRC, 100, 1));
        assertEquals(1, h.counters.get("rx-dma-errors"));
        assertEquals(0, h.function.receiveBuffered(), "the frame is dropped");
        d.wr(RDBAL, (int) RX_RING);
        d.wr(RDH, 0);
        byte[] ok = TestPackets.rawFrame(d.mac, TestPackets.SRC, 100, 2);
        h.peerSend(ok);
        assertArrayEquals(ok, d.drainReceived().get(0), "the ring works again once it is valid");
        // A transmit ring outside host memory.
        d.wr(TDBAL, 0x7000_0000);
        d.wr(TDT, 1);
        assertEquals(1, h.counters.get("tx-dma-errors"));
        assertTrue(h.peerReceived.isEmpty());
    }

    @Test
    void microwireWritesNeedEwen() {
        E1000Harness h = new E1000Harness();
        E1000Driver d = new E1000Driver(h);
        d.enableDevice();
        MicrowireWriter w = new MicrowireWriter(d);
        w.command(0b101, 0x30, 16, 0xBEEF); // WRITE without EWEN: refused
        assertEquals(0, d.readEeprom(0x30));
        w.command(0b100, 0b110000, 0, 0); // EWEN
        w.command(0b101, 0x30, 16, 0xBEEF);
        assertEquals(0xBEEF, d.readEeprom(0x30));
        w.command(0b111, 0x30, 0, 0); // ERASE
        assertEquals(0xFFFF, d.readEeprom(0x30));
        w.command(0b100, 0, 0, 0); // EWDS
        w.command(0b101, 0x30, 16, 0x1111);
        assertEquals(0xFFFF, d.readEeprom(0x30));
    }

    /** Clocks a microwire command (opcode, 6-bit address, optional data) into EECD. */
    private record MicrowireWriter(E1000Driver d) {
        void command(int opcode, int address, int dataBits, int data) {
            d.wr(EECD, EECD_REQ);
            d.wr(EECD, EECD_REQ | EECD_CS);
            long bits = (long) opcode << (6 + dataBits) | (long) address << dataBits | data;
            for (int i = 3 + 6 + dataBits - 1; i >= 0; i--) {
                int di = (bits >>> i & 1) != 0 ? EECD_DI : 0;
                d.wr(EECD, EECD_REQ | EECD_CS | di);
                d.wr(EECD, EECD_REQ | EECD_CS | di | EECD_SK);
                d.wr(EECD, EECD_REQ | EECD_CS | di);
            }
            d.wr(EECD, EECD_REQ);
            assertEquals(EECD_DO, d.rd(EECD) & EECD_DO, "ready");
            d.wr(EECD, 0);
        }
    }
}
