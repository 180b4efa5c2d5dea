package dev.vpcie.loopback.vm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.devices.spi.EthernetPort;
import dev.vpcie.devices.spi.PcieFunction;
import dev.vpcie.endpoint.Endpoint;
import dev.vpcie.endpoint.EndpointConfig;
import dev.vpcie.protocol.link.Link;
import dev.vpcie.protocol.link.LinkConfig;
import dev.vpcie.protocol.link.LinkEndpoint;
import dev.vpcie.protocol.transport.MemoryTransport;
import dev.vpcie.vrc.PcieDevice;
import dev.vpcie.vrc.RootComplex;
import dev.vpcie.vrc.RootComplexConfig;
import dev.vpcie.vrc.mpqemu.ChildProcess;
import dev.vpcie.vrc.mpqemu.MpqemuBridge;
import dev.vpcie.vrc.mpqemu.QemuVm;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;

/**
 * The VM set-up with everything real from the link layer up: an endpoint hosting the device
 * models and a root complex, joined by the reliable link over an in-memory transport, the
 * functions enumerated, then QEMU booted with one bridge per function.
 */
final class VmRig implements AutoCloseable {
    static final Duration PATIENCE = Duration.ofSeconds(20);

    /** One function for the endpoint, with the wires it transmits on (none for dmatest). */
    record Function(PcieFunction model, List<EthernetPort> ports) {}

    final MemoryTransport.Pair interconnect = MemoryTransport.pair();
    final LinkEndpoint endpointLinks, vrcLinks;
    final Endpoint endpoint;
    final RootComplex rc;
    final List<PcieDevice> devices;
    private QemuVm vm;

    VmRig(List<Function> functions) throws Exception {
        LinkConfig config = LinkConfig.defaults().withKeepalive(Duration.ofMillis(100), Duration.ofSeconds(5));
        endpointLinks = LinkEndpoint.start(interconnect.b(), config);
        Endpoint.Builder b = Endpoint.builder().config(EndpointConfig.defaults().withMaxPayloadLimit(
                EndpointConfig.payloadLimitFor(endpointLinks.maxTlpLength())));
        for (Function f : functions) b.function(f.model(), f.ports());
        endpoint = b.build();
        endpointLinks.onAccept(l -> {
            if (!endpoint.offer(l)) l.close();
        });
        vrcLinks = LinkEndpoint.start(interconnect.a(), config);
        int mps = Math.min(256, EndpointConfig.payloadLimitFor(vrcLinks.maxTlpLength()));
        rc = new RootComplex(RootComplexConfig.defaults().withHostMemorySize(1 << 20).withCompletionTimeout(Duration.ofSeconds(2))
                .withPayloadSizes(mps, 512));
        Link link = vrcLinks.connect(interconnect.b().address(), endpointLinks.hostInstance());
        rc.attach(link);
        assertTrue(link.awaitUp(PATIENCE), "no session between the VRC and the endpoint");
        devices = rc.enumerate();
    }

    static VmRig of(PcieFunction... models) throws Exception {
        return new VmRig(java.util.Arrays.stream(models).map(m -> new Function(m, List.of())).toList());
    }

    /** Boots QEMU with every enumerated function behind a bridge; the console is copied to {@code copy}. */
    QemuVm boot(QemuVm.Accel accel, List<String> qemuArgs, OutputStream copy) throws Exception {
        vm = QemuVm.start(new QemuVm.Spec(GuestKernel.QEMU, 256, accel, qemuArgs), devices, MpqemuBridge.Options.defaults(), copy,
                ChildProcess.Stdin.DEV_NULL);
        return vm;
    }

    @Override public void close() {
        if (vm != null) vm.close();
        rc.close();
        vrcLinks.close();
        endpoint.close();
        endpointLinks.close();
        interconnect.close();
    }
}
