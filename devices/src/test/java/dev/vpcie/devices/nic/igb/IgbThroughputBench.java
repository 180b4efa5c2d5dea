package dev.vpcie.devices.nic.igb;

import static dev.vpcie.devices.nic.igb.IgbDriver.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vpcie.devices.nic.FrameRate;
import dev.vpcie.devices.nic.TestPackets;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * How fast the model itself moves frames with in-memory DMA (no interconnect): an upper bound for
 * what the NIC can do behind a link. Prints figures, asserts nothing. Run with
 * {@code -Dvpcie.bench=true -Dtest=IgbThroughputBench}.
 */
class IgbThroughputBench {
    @Test
    void transmitReceiveAndTso() {
        assumeTrue(Boolean.getBoolean("vpcie.bench"), "benchmark skipped: set -Dvpcie.bench=true");
        IgbHarness h = new IgbHarness();
        IgbDriver d = new IgbDriver(h, 256);
        d.probe();
        d.open(Mode.MSIX, 4);
        h.peerReceived.clear();
        h.wire.endB().setReceiver(f -> { }); // the peer discards

        byte[] frame = TestPackets.rawFrame(TestPackets.DST, d.mac, 1514, 1);
        FrameRate.print("TX 1514-byte frames, 32 per TDT write", 1514, () -> {
            for (int i = 0; i < 32; i++) d.dataDescriptors(0, frame, 0, frame.length << ADVTXD_PAYLEN_SHIFT);
            d.wr(tdt(0), d.txNextToUse[0]);
            d.cleanTx(0);
            d.dropRaised();
            return 32;
        });

        byte[] in = Flows.frame(d.mac, Flows.ipv4(10, 0, 0, 1), Flows.ipv4(10, 0, 0, 2), 1000, 80, TestPackets.TCP, 1460, 2);
        FrameRate.print("RX 1514-byte TCP frames (RSS, checksums), cleaned every 32", 1514, () -> {
            for (int i = 0; i < 32; i++) h.wire.endB().send(ByteBuffer.wrap(in));
            h.settle();
            int n = 0;
            for (int q = 0; q < 4; q++) n += d.cleanRx(q);
            d.received.clear();
            d.dropRaised();
            return n;
        });

        byte[] tso = TestPackets.ipFrame(false, TestPackets.TCP, 65_000 - 54, 3);
        TestPackets.seedForTso(tso, false, TestPackets.TCP);
        FrameRate.print("TSO 64 KB sends (MSS 1448) -> frames", 1502, () -> {
            long before = h.counters.get("tx-frames");
            d.transmitTso(1, tso, false, true, 1448);
            d.cleanTx(1);
            d.dropRaised();
            return (int) (h.counters.get("tx-frames") - before);
        });
    }
}
