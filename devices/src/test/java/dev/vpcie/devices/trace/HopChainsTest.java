package dev.vpcie.devices.trace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.devices.trace.HopChains.Mark;
import java.util.List;
import org.junit.jupiter.api.Test;

class HopChainsTest {

    @Test
    void chainsPairEachStartWithTheFirstOfEachNextHopAndDropUnfinishedOnes() {
        List<Mark> marks = List.of(
                new Mark(Hop.TX_TAIL, 100), // abandoned: a new tail write comes before its descriptors
                new Mark(Hop.TX_TAIL, 1000), new Mark(Hop.TX_DESCRIPTORS, 1030), new Mark(Hop.TX_BUFFER, 1070),
                new Mark(Hop.TX_BUFFER, 1080), new Mark(Hop.TX_WIRE, 1100),
                new Mark(Hop.INTERRUPT, 1150), // no frame in yet: ignored
                new Mark(Hop.RX_WIRE, 2000), new Mark(Hop.RX_WRITTEN, 2005), new Mark(Hop.INTERRUPT, 2010));
        long[][] tx = HopChains.steps(marks, HopChains.TX);
        assertArrayEquals(new long[] {30}, tx[0]);
        assertArrayEquals(new long[] {40}, tx[1]);
        assertArrayEquals(new long[] {30}, tx[2]);
        assertArrayEquals(new long[] {100}, tx[3], "the whole way");
        long[][] rx = HopChains.steps(marks, HopChains.RX);
        assertArrayEquals(new long[] {5}, rx[0]);
        assertArrayEquals(new long[] {10}, rx[2]);
        assertTrue(HopChains.summary(marks).contains("tail write received -> descriptors fetched"));
    }
}
