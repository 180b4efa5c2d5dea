package dev.vpcie.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class KernelPingTest {
    @Test
    void recordsEachReplyTimeInNanoseconds() {
        Histogram h = KernelPing.parse("""
                PING 10.77.0.2 (10.77.0.2) 56(84) bytes of data.
                64 bytes from 10.77.0.2: icmp_seq=1 ttl=64 time=0.045 ms
                64 bytes from 10.77.0.2: icmp_seq=2 ttl=64 time=0.006 ms
                64 bytes from 10.77.0.2: icmp_seq=3 ttl=64 time=1.20 ms

                --- 10.77.0.2 ping statistics ---
                3 packets transmitted, 3 received, 0% packet loss, time 2ms
                rtt min/avg/max/mdev = 0.006/0.417/1.200/0.553 ms
                """);
        assertEquals(3, h.getTotalCount());
        assertEquals(45_000, h.getValueAtPercentile(50), 45);
        assertEquals(6_000, h.getMinValue(), 6);
        assertEquals(1_200_000, h.getMaxValue(), 1200);
    }

    @Test
    void noRepliesMeansAnEmptyHistogram() {
        assertEquals(0, KernelPing.parse("From 10.77.0.1 icmp_seq=1 Destination Host Unreachable").getTotalCount());
    }
}
