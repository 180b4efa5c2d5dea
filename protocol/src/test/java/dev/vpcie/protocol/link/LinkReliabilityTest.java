package dev.vpcie.protocol.link;

import static org.junit.jupiter.api.Assertions.*;

import dev.vpcie.protocol.transport.FaultInjectingTransport.Faults;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Exactly-once, in-order delivery over a damaged cable: two agents driven with a fake clock,
 * frames lost, duplicated, reordered and delayed in both directions by a seeded model.
 */
class LinkReliabilityTest {
    static final int FORWARD = 100_000, BACKWARD = 20_000;

    @ParameterizedTest(name = "loss {0}%, dup {1}%, reorder {2}%, delay {3} ns")
    @CsvSource({
            "0, 0, 0, 0",
            "1, 0, 0, 0",
            "10, 0, 0, 0",
            "30, 0, 0, 0",
            "0, 2, 5, 0",
            "1, 2, 5, 50000",
            "10, 5, 10, 100000",
            "30, 5, 10, 30000",
    })
    void everyTlpArrivesOnceAndInOrder(double loss, double dup, double reorder, long delayNs) {
        Faults faults = Faults.NONE.withLoss(loss).withDuplicates(dup).withReorder(reorder, 3).withDelay(delayNs);
        try (AgentPair p = new AgentPair(AgentPair.testConfig(), faults, 42)) {
            Recorder atA = new Recorder(), atB = new Recorder();
            AtomicReference<Link> accepted = new AtomicReference<>();
            p.b.onAccept(l -> {
                l.handler(atB);
                accepted.set(l);
            });
            Link ab = p.a.connect(p.endB.address(), 1);
            ab.handler(atA);
            assertTrue(p.runUntil(() -> ab.isUp() && accepted.get() != null && accepted.get().isUp(), 100_000), "session set up");
            Link ba = accepted.get();

            int sentAB = 0, sentBA = 0;
            long steps = 0;
            while (atB.count() < FORWARD || atA.count() < BACKWARD) {
                while (sentAB < FORWARD && ab.trySend(Recorder.tlp(sentAB))) sentAB++;
                while (sentBA < BACKWARD && ba.trySend(Recorder.tlp(sentBA))) sentBA++;
                p.step();
                assertNull(atB.error, atB.error);
                assertNull(atA.error, atA.error);
                assertTrue(++steps < 2_000_000, "stuck: " + atB.count() + "/" + FORWARD + " and " + atA.count() + "/" + BACKWARD
                        + " delivered; " + ab.counters() + " / " + ba.counters());
            }
            // Let stragglers (duplicates, late retransmissions) arrive: none may be delivered again.
            p.runUntil(() -> false, 20_000);
            assertEquals(FORWARD, atB.count());
            assertEquals(BACKWARD, atA.count());
            assertEquals(java.util.List.of("up"), atA.events, "no session churn");
            assertEquals(java.util.List.of("up"), atB.events, "no session churn");
            LinkCounters c = p.a.counters();
            assertEquals(FORWARD, c.tlpsSent());
            assertEquals(FORWARD, ba.counters().tlpsReceived());
            assertTrue(ba.counters().framesReceived() > 0);
            if (loss > 0) assertTrue(c.retransmits() > 0, "losses were repaired by retransmission: " + c);
            System.out.printf("loss %s%% dup %s%% reorder %s%% delay %d ns: %d steps; A %s%n", loss, dup, reorder, delayNs, steps, c);
        }
    }
}
