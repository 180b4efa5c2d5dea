package dev.vpcie.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vpcie.protocol.link.LinkConfig;
import dev.vpcie.protocol.transport.AfPacketTransport;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LinkBenchOptionsTest {
    @Test
    void defaultsMeasureEveryTransport() {
        LinkBench.Options o = LinkBench.parse(new String[0]);
        assertEquals(List.of(BenchTransport.AF_PACKET, BenchTransport.PCAP, BenchTransport.UDP), o.transports());
        assertEquals(Map.of(64, 1_000_000, 256, 400_000), o.streams());
        assertEquals(1_000_000, o.intervalNanos());
        assertEquals(0, o.group());
        assertEquals(LinkConfig.defaults().busyPoll(), o.linkConfig(1).busyPoll(), "the link's own default");
    }

    @Test
    void optionsAreParsed() {
        LinkBench.Options o = LinkBench.parse(new String[] {"--transports", "udp,af_packet", "--pings", "10", "--interval-us", "50",
                "--stream", "128:1000", "--group", "7", "--mtu", "9000", "--busy-poll-us", "1000", "--af-packet-rx", "recvmsg",
                "--qdisc-bypass", "on"});
        assertEquals(List.of(BenchTransport.UDP, BenchTransport.AF_PACKET), o.transports());
        assertEquals(10, o.pings());
        assertEquals(50_000, o.intervalNanos());
        assertEquals(Map.of(128, 1000), o.streams());
        assertEquals(7, o.linkConfig(1).group());
        assertEquals(9000, o.mtu());
        assertEquals(Duration.ofMillis(1), o.linkConfig(2).busyPoll());
        assertEquals(AfPacketTransport.Options.DEFAULT.withRxRing(false).withQdiscBypass(true), o.afPacket());
    }

    @Test
    void badOptionsAreRefusedClearly() {
        assertThrows(IllegalArgumentException.class, () -> LinkBench.parse(new String[] {"--transports", "tcp"}));
        assertThrows(IllegalArgumentException.class, () -> LinkBench.parse(new String[] {"--pings", "0"}));
        assertThrows(IllegalArgumentException.class, () -> LinkBench.parse(new String[] {"--stream", "65:10"}));
        assertThrows(IllegalArgumentException.class, () -> LinkBench.parse(new String[] {"--stream", "64"}));
        assertThrows(IllegalArgumentException.class, () -> LinkBench.parse(new String[] {"--group", "4095"}));
        assertThrows(IllegalArgumentException.class, () -> LinkBench.parse(new String[] {"--pings"}));
        assertThrows(IllegalArgumentException.class, () -> LinkBench.parse(new String[] {"--frobnicate", "1"}));
        assertThrows(IllegalArgumentException.class, () -> LinkBench.parse(new String[] {"--af-packet-rx", "mmap"}));
        assertThrows(IllegalArgumentException.class, () -> LinkBench.parse(new String[] {"--qdisc-bypass", "yes"}));
    }
}
