package dev.vpcie.devices.nic.e1000;

import static dev.vpcie.devices.nic.e1000.E1000Driver.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vpcie.devices.nic.FrameRate;
import dev.vpcie.devices.nic.TestPackets;
import org.junit.jupiter.api.Test;

/**
 * How fast the model itself moves frames with in-memory DMA (no interconnect): an upper bound for
 * what the NIC can do behind a link. Prints figures, asserts nothing. Run with
 * {@code -Dvpcie.bench=true -Dtest=E1000ThroughputBench}.
 */
class E1000ThroughputBench {
    @Test
    void transmitReceiveAndTso() {
        assumeTrue(Boolean.getBoolean("vpcie.bench"), "benchmark skipped: set -Dvpcie.bench=true");
        E1000Harness h = new E1000Harness();
        E1000Driver d = new E1000Driver(h);
        d.probe();
        d.open();
        h.peerReceived.clear();
        h.wire.endB().setReceiver(f -> { }); // the peer discards

        byte[] frame = TestPackets.rawFrame(TestPackets.DST, d.mac, 1514, 1);
        FrameRate.print("TX 1514-byte frames, 32 per TDT write", 1514, () -> {
            for (int i = 0; i < 32; i++) {
                int slot = d.txNextToUse;
                h.memory.put(d.txBuffer(slot), frame, 0, frame.length);
                d.descriptor(slot, d.txBuffer(slot), frame.length | TXD_CMD_IFCS | TXD_CMD_EOP | (i == 31 ? TXD_CMD_RS : 0), 0);
                d.txNextToUse = (d.txNextToUse + 1) % d.txCount;
            }
            d.wr(TDT, d.txNextToUse);
            d.cleanTx();
            return 32;
        });

        byte[] in = TestPackets.rawFrame(d.mac, TestPackets.SRC, 1514, 2);
        FrameRate.print("RX 1514-byte frames, cleaned every 32", 1514, () -> {
            for (int i = 0; i < 32; i++) h.wire.endB().send(java.nio.ByteBuffer.wrap(in));
            h.settle();
            d.cleanRx();
            int n = d.received.size();
            d.received.clear();
            d.receivedStatus.clear();
            d.receivedErrors.clear();
            d.receivedSpecial.clear();
            return n;
        });

        byte[] tso = TestPackets.ipFrame(false, TestPackets.TCP, 65_000 - 54, 3);
        TestPackets.seedForTso(tso, false, TestPackets.TCP);
        FrameRate.print("TSO 64 KB sends (MSS 1448) -> frames", 1502, () -> {
            int before = h.counters.get("tx-frames") > 0 ? (int) h.counters.get("tx-frames") : 0;
            d.transmitTso(tso, false, 54, 1448);
            d.cleanTx();
            return (int) h.counters.get("tx-frames") - before;
        });
    }
}
