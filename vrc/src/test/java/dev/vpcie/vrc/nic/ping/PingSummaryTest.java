package dev.vpcie.vrc.nic.ping;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class PingSummaryTest {

    @Test void linesLikePing() {
        PingSummary s = new PingSummary("10.0.0.2", 4, 3, 0, 3_004_000_000L, new long[] {100_000, 200_000, 300_000});
        String text = s.format();
        assertTrue(text.startsWith("--- 10.0.0.2 ping statistics ---\n"), text);
        assertTrue(text.contains("4 packets transmitted, 3 received, 25% packet loss, time 3004ms\n"), text);
        // mdev = sqrt((0.01+0.04+0.09)/3 - 0.2^2) ms = 0.0816 ms
        assertTrue(text.contains("rtt min/avg/max/mdev = 0.100/0.200/0.300/0.082 ms\n"), text);
        assertTrue(text.contains("rtt median/p99 = 0.200/0.300 ms\n"), text);
    }

    @Test void percentilesByNearestRank() {
        long[] r = new long[100];
        for (int i = 0; i < 100; i++) r[i] = (100 - i) * 1000L; // reverse order: must be sorted
        PingSummary s = new PingSummary("x", 100, 100, 0, 1, r);
        assertEquals(50_000, s.medianNanos());
        assertEquals(99_000, s.percentileNanos(99));
        assertEquals(100_000, s.percentileNanos(100));
        assertEquals(1_000, s.minNanos());
    }

    @Test void noRepliesNoRttLine() {
        PingSummary s = new PingSummary("10.0.0.9", 3, 0, 0, 2_000_000_000L, new long[0]);
        assertTrue(s.format().contains("3 packets transmitted, 0 received, 100% packet loss"));
        assertFalse(s.format().contains("rtt"));
        assertEquals(0, new PingSummary("x", 0, 0, 0, 0, new long[0]).lossPercent());
    }

    @Test void fractionalLossAndDuplicates() {
        PingSummary s = new PingSummary("h", 3, 2, 1, 0, new long[] {1, 2});
        assertTrue(s.format().contains("3 packets transmitted, 2 received, +1 duplicates, 33.3% packet loss"), s.format());
    }

    @Test void replyLine() {
        var r = new Pinger.Reply(7, 64, dev.vpcie.vrc.nic.packet.Ipv4Address.parse("10.0.0.2"), 64, 81_234, false);
        assertEquals("64 bytes from 10.0.0.2: icmp_seq=7 ttl=64 time=0.081 ms", r.format());
    }
}
