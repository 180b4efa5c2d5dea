package dev.vpcie.protocol.transport;

import static org.junit.jupiter.api.Assertions.*;

import dev.vpcie.protocol.transport.FaultInjectingTransport.Faults;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FaultInjectingTransportTest {
    long now;

    @Test void specParsesAndPrintsBack() {
        Faults f = Faults.parse("loss=5,dup=1,reorder=2,delay=200us,seed=42");
        assertEquals(5, f.lossPercent());
        assertEquals(1, f.duplicatePercent());
        assertEquals(2, f.reorderPercent());
        assertEquals(200_000, f.delayNanos());
        assertEquals(42, f.seed());
        assertEquals(3, f.reorderDepth());
        assertEquals(f, Faults.parse(f.toString()));
        assertEquals(Faults.NONE, Faults.parse(""));
        assertEquals(Faults.NONE, Faults.parse("none"));
        Faults g = Faults.parse(" loss = 0.5% , depth=8, hold=2ms, delay=1.5ms ");
        assertEquals(0.5, g.lossPercent());
        assertEquals(8, g.reorderDepth());
        assertEquals(2_000_000, g.reorderHoldNanos());
        assertEquals(1_500_000, g.delayNanos());
    }

    @Test void badSpecsSayWhatIsWrong() {
        for (String[] bad : new String[][] {
                {"loss=5,jitter=3", "unknown key 'jitter'"},
                {"loss=150", "0..100"},
                {"loss", "expected key=value"},
                {"delay=200", "needs a unit"},
                {"dup=x", "not a percentage"},
                {"seed=1.5", "not a whole number"},
                {"depth=0", "depth must be 1..1024"}}) {
            var e = assertThrows(IllegalArgumentException.class, () -> Faults.parse(bad[0]));
            assertTrue(e.getMessage().contains(bad[1]), bad[0] + " -> " + e.getMessage());
        }
    }

    List<Integer> run(Faults faults, int frames, long stepNs) throws IOException {
        try (MemoryTransport.Pair p = MemoryTransport.pair()) {
            FaultInjectingTransport t = new FaultInjectingTransport(p.b(), faults, () -> now);
            List<Integer> got = new ArrayList<>();
            ByteBuffer dst = ByteBuffer.allocate(2000);
            for (int i = 0; i < frames; i++) {
                ByteBuffer f = ByteBuffer.allocate(60);
                f.putInt(0, i);
                p.a().send(f);
                now += stepNs;
                for (int n; (n = t.receive(dst, 0)) > 0; ) got.add(dst.getInt(0));
            }
            for (int i = 0; i < 1000; i++) { // let held and delayed frames out
                now += stepNs;
                for (int n; (n = t.receive(dst, 0)) > 0; ) got.add(dst.getInt(0));
            }
            return got;
        }
    }

    @Test void noFaultsChangeNothing() throws IOException {
        assertEquals(java.util.stream.IntStream.range(0, 100).boxed().toList(), run(Faults.NONE, 100, 1000));
    }

    @Test void lossDropsAboutThatShare() throws IOException {
        List<Integer> got = run(Faults.parse("loss=30,seed=1"), 10_000, 1000);
        assertTrue(got.size() > 6500 && got.size() < 7500, "about 70% arrive: " + got.size());
        assertEquals(got.stream().sorted().toList(), got, "loss alone keeps order");
        assertEquals(List.of(), run(Faults.parse("loss=100"), 100, 1000));
    }

    @Test void duplicatesAreAdjacentCopies() throws IOException {
        List<Integer> got = run(Faults.parse("dup=100,seed=1"), 50, 1000);
        assertEquals(100, got.size());
        for (int i = 0; i < 50; i++) assertEquals(List.of(i, i), got.subList(2 * i, 2 * i + 2));
    }

    @Test void reorderingHoldsFramesBackButLosesNone() throws IOException {
        List<Integer> got = run(Faults.parse("reorder=20,depth=3,seed=5"), 1000, 1000);
        assertEquals(1000, got.size());
        assertNotEquals(got.stream().sorted().toList(), got, "something was reordered");
        assertEquals(java.util.stream.IntStream.range(0, 1000).boxed().toList(), got.stream().sorted().toList());
    }

    @Test void delayHoldsEveryFrameUntilDue() throws IOException {
        try (MemoryTransport.Pair p = MemoryTransport.pair()) {
            FaultInjectingTransport t = new FaultInjectingTransport(p.b(), Faults.parse("delay=100us"), () -> now);
            ByteBuffer dst = ByteBuffer.allocate(2000);
            p.a().send(ByteBuffer.allocate(60));
            assertEquals(0, t.receive(dst, 0));
            now += 99_000;
            assertEquals(0, t.receive(dst, 0));
            now += 1_000;
            assertEquals(60, t.receive(dst, 0));
        }
    }

    @Test void sameSeedSameDamage() throws IOException {
        Faults f = Faults.parse("loss=10,dup=5,reorder=10,seed=9");
        assertEquals(run(f, 2000, 1000), run(f, 2000, 1000));
        assertNotEquals(run(f, 2000, 1000), run(f.withSeed(10), 2000, 1000));
    }

    @Test void blockingReceiveWaitsForDelayedFramesOnTheRealClock() throws Exception {
        try (MemoryTransport.Pair p = MemoryTransport.pair()) {
            FaultInjectingTransport t = new FaultInjectingTransport(p.b(), Faults.parse("delay=1ms"));
            p.a().send(ByteBuffer.allocate(60));
            assertEquals(60, t.receive(ByteBuffer.allocate(2000), 30_000_000_000L), "the delayed frame arrives within the wait");
            assertEquals(new FaultInjectingTransport.Stats(1, 0, 0, 0, 0), t.stats());
        }
    }
}
