package dev.vpcie.cli;

import dev.vpcie.endpoint.Endpoint;
import dev.vpcie.protocol.link.LinkDownException;
import dev.vpcie.protocol.link.TlpHandler;
import dev.vpcie.protocol.link.TlpPort;
import dev.vpcie.protocol.tlp.Tlp;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** An in-memory network for {@code vpcie endpoint} tests: VRC links are made on demand and driven by the test. */
final class EndpointTestNetwork implements EndpointNetwork {
    final Options options;
    volatile Endpoint endpoint;
    volatile boolean closed;

    EndpointTestNetwork(Options options) { this.options = options; }

    @Override public void serve(Endpoint endpoint) { this.endpoint = endpoint; }

    @Override public int maxTlpLength() { return 1400; }

    @Override public String describe() { return "test:" + options.iface() + " group " + options.group(); }

    @Override public void close() { closed = true; }

    /** A VRC opens a link; returns it if the endpoint accepted it, else null. */
    Port open(String name) {
        Port p = new Port(name);
        return endpoint.offer(p) ? p : null;
    }

    /** A link whose session events the test triggers; TLPs sent to it are kept. */
    static final class Port implements TlpPort {
        final String name;
        final List<Tlp> sent = new CopyOnWriteArrayList<>();
        volatile TlpHandler handler;
        volatile boolean up, closed;

        Port(String name) { this.name = name; }

        void up(long epoch) {
            up = true;
            handler.onLinkUp(epoch);
        }

        void down(String reason) {
            up = false;
            handler.onLinkDown(reason);
        }

        @Override public void send(Tlp tlp) {
            if (!up) throw new LinkDownException(name + " is down");
            sent.add(tlp);
        }

        @Override public void handler(TlpHandler h) { this.handler = h; }

        @Override public boolean isUp() { return up; }

        @Override public String describe() { return name; }

        @Override public void close() {
            closed = true;
            if (up) down("closed");
        }
    }
}
