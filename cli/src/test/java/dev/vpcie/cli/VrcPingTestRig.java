package dev.vpcie.cli;

import dev.vpcie.devices.nic.e1000.E1000Function;
import dev.vpcie.devices.nic.e1000.E1000Options;
import dev.vpcie.devices.spi.MemoryEthernetWire;
import dev.vpcie.endpoint.Endpoint;
import dev.vpcie.endpoint.EndpointConfig;
import dev.vpcie.protocol.link.DirectTlpPort;
import dev.vpcie.protocol.link.TlpPort;
import dev.vpcie.protocol.transport.MacAddress;
import dev.vpcie.testsupport.Await;
import dev.vpcie.vrc.nic.packet.EchoResponder;
import dev.vpcie.vrc.nic.packet.Ipv4Address;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * For the NIC commands' tests: an endpoint hosting an 82540EM model, reached over an in-memory
 * {@link DirectTlpPort} pair, whose wire ends at a host answering ARP and ping for 10.0.0.2.
 */
final class VrcPingTestRig implements AutoCloseable {
    static final MacAddress NIC_MAC = MacAddress.parse("52:54:00:12:34:56"), PEER_MAC = MacAddress.parse("52:54:00:00:00:02");

    private static final class Late implements Executor {
        volatile Executor target;

        @Override public void execute(Runnable r) { target.execute(r); }
    }

    private final DirectTlpPort[] ports = DirectTlpPort.pair("ping");
    final DirectTlpPort vrcEnd = ports[0], endpointEnd = ports[1];
    final Endpoint endpoint;
    final MemoryEthernetWire wire;

    VrcPingTestRig() {
        Late functionThread = new Late();
        wire = new MemoryEthernetWire(1514, functionThread, Runnable::run);
        EchoResponder peer = new EchoResponder(PEER_MAC, Ipv4Address.parse("10.0.0.2"), 64);
        wire.endB().setReceiver(frame -> {
            byte[] b = new byte[frame.remaining()];
            frame.get(b);
            peer.respond(b, b.length).ifPresent(reply -> wire.endB().send(ByteBuffer.wrap(reply)));
        });
        E1000Function nic = new E1000Function(E1000Options.of(dev.vpcie.devices.nic.MacAddress.parse(NIC_MAC.toString())));
        endpoint = Endpoint.builder().config(EndpointConfig.defaults().withCompletionTimeout(Duration.ofSeconds(1)))
                .function(nic, List.of(wire.endA())).build();
        functionThread.target = endpoint.function(0);
        endpoint.attach(endpointEnd);
    }

    /** The connector {@code vpcie vrc} uses in the tests: this endpoint, its session up once the VRC listens. */
    VrcConnector connector() {
        return target -> new VrcConnector.Connection() {
            @Override public List<TlpPort> ports() { return List.of(vrcEnd); }

            @Override public void awaitUp() {
                vrcEnd.comeUp(1);
                // the endpoint takes the session on its pipe thread
                Await.until(() -> endpoint.owner().isPresent(), "the endpoint takes the session");
            }

            @Override public int maxTlpLength() { return 1400; }

            @Override public void close() {}
        };
    }

    @Override public void close() {
        endpoint.close();
        vrcEnd.close();
        endpointEnd.close();
    }
}
