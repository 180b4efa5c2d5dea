package dev.vpcie.devices.nic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class NicStatisticsTest {
    private final NicStatistics stats = new NicStatistics();

    @Test
    void countersClearOnRead() {
        stats.received(64, DestinationKind.UNICAST);
        stats.received(1518, DestinationKind.BROADCAST);
        stats.received(100, DestinationKind.MULTICAST);
        assertEquals(3, stats.read(Statistic.GPRC.offset()));
        assertEquals(0, stats.read(Statistic.GPRC.offset()));
        assertEquals(1, stats.read(Statistic.BPRC.offset()));
        assertEquals(1, stats.read(Statistic.MPRC.offset()));
        assertEquals(1, stats.read(Statistic.PRC64.offset()));
        assertEquals(1, stats.read(Statistic.PRC127.offset()));
        assertEquals(1, stats.read(Statistic.PRC1522.offset()));
    }

    @Test
    void octetPairsClearWhenTheHighHalfIsRead() {
        stats.add(Statistic.GORCL, 0x1_0000_0010L);
        assertEquals(0x10, stats.read(Statistic.GORCL.offset()));
        assertEquals(0x10, stats.read(Statistic.GORCL.offset()), "reading the low half clears nothing");
        assertEquals(1, stats.read(Statistic.GORCH.offset()));
        assertEquals(0, stats.read(Statistic.GORCL.offset()));
        assertEquals(0, stats.peek(Statistic.GORCH));
    }

    @Test
    void transmitCountsEverything() {
        stats.transmitted(1024, DestinationKind.MULTICAST);
        stats.transmitted(65, DestinationKind.BROADCAST);
        assertEquals(2, stats.peek(Statistic.GPTC));
        assertEquals(2, stats.peek(Statistic.TPT));
        assertEquals(1089, stats.peek(Statistic.GOTCL));
        assertEquals(1089, stats.peek(Statistic.TOTH));
        assertEquals(1, stats.peek(Statistic.PTC1522));
        assertEquals(1, stats.peek(Statistic.PTC127));
        assertEquals(1, stats.peek(Statistic.MPTC));
        assertEquals(1, stats.peek(Statistic.BPTC));
    }

    @Test
    void countersStickAtTheirMaximum() {
        stats.add(Statistic.MPC, 0xFFFF_FFF0L);
        stats.add(Statistic.MPC, 100);
        assertEquals(0xFFFF_FFFF, stats.read(Statistic.MPC.offset()));
    }

    @Test
    void reservedOffsetsReadZero() {
        stats.arrived(64);
        assertEquals(0, stats.read(0x4024));
        assertEquals(0, stats.read(0x4084));
        assertEquals(0, stats.read(0x3FFC));
        assertEquals(1, stats.read(Statistic.TPR.offset()));
        assertEquals(64, stats.read(Statistic.TORL.offset()));
    }

    @Test
    void sizeBuckets() {
        assertEquals(0, NicStatistics.sizeBucket(64));
        assertEquals(1, NicStatistics.sizeBucket(65));
        assertEquals(1, NicStatistics.sizeBucket(127));
        assertEquals(2, NicStatistics.sizeBucket(128));
        assertEquals(3, NicStatistics.sizeBucket(511));
        assertEquals(4, NicStatistics.sizeBucket(512));
        assertEquals(5, NicStatistics.sizeBucket(1024));
        assertEquals(5, NicStatistics.sizeBucket(9018));
    }

    @Test
    void the82576HostCountersFollowGoodTraffic() {
        stats.received(100, DestinationKind.UNICAST);
        stats.transmitted(200, DestinationKind.UNICAST);
        stats.increment(Statistic.IAC);
        assertEquals(1, stats.read(Statistic.RPTHC.offset()));
        assertEquals(100, stats.read(Statistic.HGORCL.offset()));
        assertEquals(0, stats.read(Statistic.HGORCH.offset()));
        assertEquals(1, stats.read(Statistic.HGPTC.offset()));
        assertEquals(200, stats.read(Statistic.HGOTCL.offset()));
        assertEquals(1, stats.read(Statistic.IAC.offset()));
        assertEquals(0, stats.read(0x4108), "reserved in the 82576 block");
        assertEquals(0, stats.read(Statistic.END_82576), "past the block");
    }
}
