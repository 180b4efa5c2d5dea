package dev.vpcie.protocol.trace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.protocol.trace.PointChains.Mark;
import dev.vpcie.protocol.trace.PointChains.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class PointChainsTest {

    enum P implements TracePoint {
        A, B, C, D, X, Y, Z;

        @Override public String label() { return "point " + name(); }
    }

    private static final Path OUT = new Path("out", List.of(P.A, P.B, P.C, P.D));
    private static final Path IN = new Path("in", List.of(P.X, P.Y, P.Z));

    @Test
    void chainsPairEachStartWithTheFirstOfEachNextPointAndDropUnfinishedOnes() {
        List<Mark> marks = List.of(
                new Mark(P.A, 100), // abandoned: a new start comes before its next point
                new Mark(P.A, 1000), new Mark(P.B, 1030), new Mark(P.C, 1070),
                new Mark(P.C, 1080), new Mark(P.D, 1100),
                new Mark(P.Z, 1150), // no X yet: ignored
                new Mark(P.Y, 2005), new Mark(P.X, 2000), new Mark(P.Z, 2010)); // out of order: sorted by time
        long[][] out = PointChains.steps(marks, OUT);
        assertArrayEquals(new long[] {30}, out[0]);
        assertArrayEquals(new long[] {40}, out[1]);
        assertArrayEquals(new long[] {30}, out[2]);
        assertArrayEquals(new long[] {100}, out[3], "the whole way");
        long[][] in = PointChains.steps(marks, IN);
        assertArrayEquals(new long[] {5}, in[0]);
        assertArrayEquals(new long[] {10}, in[2]);
        String summary = PointChains.summary(marks, List.of(OUT, IN));
        assertTrue(summary.contains("point A -> point B"), summary);
        assertTrue(summary.contains("in: 1 frames"), summary);
    }

    @Test
    void aPathWithoutACompleteChainPrintsItsTitleOnly() {
        String summary = PointChains.summary(List.of(new Mark(P.A, 1)), List.of(OUT));
        assertTrue(summary.startsWith("out: 0 frames"), summary);
        assertTrue(summary.lines().count() == 1, summary);
    }
}
