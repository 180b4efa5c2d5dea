package dev.vpcie.vrc;

import dev.vpcie.protocol.link.DirectTlpPort;
import java.time.Duration;

/** A root complex wired to one fake endpoint over a direct port pair, up from the start. */
final class Fixture implements AutoCloseable {
    final RootComplex rc;
    final DirectTlpPort[] ports;
    final FakeEndpoint endpoint;
    final EndpointLink link;

    /** Tests that are not about timeouts get a long one, so a loaded machine cannot turn a slow answer into all-ones. */
    Fixture(FakeFunction... functions) { this(Duration.ofSeconds(2), functions); }

    Fixture(Duration timeout, FakeFunction... functions) {
        rc = new RootComplex(RootComplexConfig.defaults().withHostMemorySize(16 << 20).withCompletionTimeout(timeout));
        ports = DirectTlpPort.pair("t" + System.nanoTime());
        ports[0].upWithoutTelling(); // TLPs flow from the start; tests about sessions call comeUp/goDown
        endpoint = new FakeEndpoint(ports[1]);
        for (FakeFunction f : functions) endpoint.with(f);
        link = rc.attach(ports[0]);
    }

    static Fixture nic() { return new Fixture(FakeFunction.nic(0, false)); }

    PcieDevice enumerateOne() throws InterruptedException {
        var found = rc.enumerate();
        if (found.size() != 1) throw new AssertionError("expected one function, found " + found);
        return found.getFirst();
    }

    @Override public void close() {
        rc.close();
        ports[1].close();
    }
}
