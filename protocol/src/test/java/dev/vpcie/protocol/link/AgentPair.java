package dev.vpcie.protocol.link;

import dev.vpcie.protocol.transport.FaultInjectingTransport;
import dev.vpcie.protocol.transport.FaultInjectingTransport.Faults;
import dev.vpcie.protocol.transport.FrameTransport;
import dev.vpcie.protocol.transport.MemoryTransport;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * Two link agents on the ends of a memory cable, driven step by step with a fake clock: each
 * step advances time and lets each agent do its work once. Deterministic for a given seed.
 */
final class AgentPair implements AutoCloseable {
    static final long STEP_NS = 10_000;

    final MemoryTransport.Pair cable;
    final FrameTransport endA, endB;
    LinkAgent a, b;
    long now = 1_000_000_000L;
    boolean runA = true, runB = true;
    private final LinkConfig configA, configB;
    private final long seed;

    AgentPair(LinkConfig configA, LinkConfig configB, Faults faults, long seed) {
        this.cable = MemoryTransport.pair();
        this.seed = seed;
        this.configA = configA;
        this.configB = configB;
        this.endA = faults == null ? cable.a() : new FaultInjectingTransport(cable.a(), faults.withSeed(seed), () -> now);
        this.endB = faults == null ? cable.b() : new FaultInjectingTransport(cable.b(), faults.withSeed(seed + 1), () -> now);
        this.a = new LinkAgent(endA, configA, new SplittableRandom(seed + 2));
        this.b = new LinkAgent(endB, configB, new SplittableRandom(seed + 3));
    }

    AgentPair(LinkConfig config, Faults faults, long seed) { this(config, config, faults, seed); }

    /** Fast timers so tests need few steps: RTO 200 µs..20 ms, keepalive 5 ms, link down after 50 ms. */
    static LinkConfig testConfig() {
        return LinkConfig.defaults()
                .withRto(java.time.Duration.ofNanos(500_000), java.time.Duration.ofNanos(200_000), java.time.Duration.ofMillis(20))
                .withKeepalive(java.time.Duration.ofMillis(5), java.time.Duration.ofMillis(50));
    }

    /** Replaces A by a fresh agent on the same cable end, as a crashed and restarted process. */
    LinkAgent restartA(long newSeed) {
        a = new LinkAgent(endA, configA, new SplittableRandom(newSeed));
        return a;
    }

    /** Replaces B by a fresh agent on the same cable end, as a crashed and restarted process. */
    LinkAgent restartB(long newSeed) {
        b = new LinkAgent(endB, configB, new SplittableRandom(newSeed));
        return b;
    }

    /** A and B up with each other; returns {A's link, B's link}. B's links get {@code handlerB}. */
    Link[] connect(TlpHandler handlerA, TlpHandler handlerB) {
        Link[] accepted = new Link[1];
        b.onAccept(l -> {
            l.handler(handlerB);
            accepted[0] = l;
        });
        Link ab = a.connect(endB.address(), configB.hostInstance());
        ab.handler(handlerA);
        if (!runUntil(() -> ab.isUp() && accepted[0] != null && accepted[0].isUp(), 100_000))
            throw new AssertionError("session did not come up");
        return new Link[] {ab, accepted[0]};
    }

    void step() {
        now += STEP_NS;
        if (runA) a.doWork(now);
        if (runB) b.doWork(now);
    }

    /** Steps until the condition holds; false if it did not within {@code maxSteps}. */
    boolean runUntil(BooleanSupplier condition, long maxSteps) {
        for (long i = 0; i < maxSteps; i++) {
            if (condition.getAsBoolean()) return true;
            step();
        }
        return condition.getAsBoolean();
    }

    @Override public void close() { cable.close(); }
}
