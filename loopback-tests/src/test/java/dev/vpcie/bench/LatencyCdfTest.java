package dev.vpcie.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LatencyCdfTest {

    @Test
    void readsPingTimesAndDrawsAPng(@TempDir Path dir) throws Exception {
        Path ping = dir.resolve("ping.txt");
        Files.writeString(ping, """
                PING 10.66.0.2 (10.66.0.2) 56(84) bytes of data.
                64 bytes from 10.66.0.2: icmp_seq=1 ttl=64 time=0.250 ms
                64 bytes from 10.66.0.2: icmp_seq=2 ttl=64 time=0.050 ms
                64 bytes from 10.66.0.2: icmp_seq=3 ttl=64 time=1.20 ms

                --- 10.66.0.2 ping statistics ---
                rtt min/avg/max/mdev = 0.050/0.500/1.200/0.500 ms
                """);
        double[] us = LatencyCdf.samples(ping);
        assertArrayEquals(new double[] {50, 250, 1200}, us, 1e-9);
        assertEquals(250, LatencyCdf.percentile(us, 0.5), 1e-9);
        assertEquals(1200, LatencyCdf.percentile(us, 0.99), 1e-9);

        System.setProperty("java.awt.headless", "true");
        Path png = dir.resolve("cdf.png");
        LatencyCdf.main(new String[] {png.toString(), "test", "nic=" + ping, "direct=" + ping});
        byte[] head = Files.readAllBytes(png);
        assertEquals((byte) 0x89, head[0]);
        assertEquals('P', head[1]);
        assertEquals('N', head[2]);
        assertEquals('G', head[3]);
    }
}
