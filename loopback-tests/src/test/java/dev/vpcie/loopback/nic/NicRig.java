package dev.vpcie.loopback.nic;

import static org.junit.jupiter.api.Assertions.fail;

import dev.vpcie.devices.nic.NvmImage;
import dev.vpcie.devices.nic.e1000.E1000Function;
import dev.vpcie.devices.nic.e1000.E1000Nvm;
import dev.vpcie.devices.nic.e1000.E1000Options;
import dev.vpcie.devices.nic.igb.IgbFunction;
import dev.vpcie.devices.nic.igb.IgbNvm;
import dev.vpcie.devices.nic.igb.IgbOptions;
import dev.vpcie.devices.spi.MemoryEthernetWire;
import dev.vpcie.devices.spi.PcieFunction;
import dev.vpcie.endpoint.DeviceRegistry;
import dev.vpcie.endpoint.Endpoint;
import dev.vpcie.endpoint.EndpointConfig;
import dev.vpcie.protocol.link.DirectTlpPort;
import dev.vpcie.protocol.transport.MacAddress;
import dev.vpcie.testsupport.Await;
import dev.vpcie.vrc.PcieDevice;
import dev.vpcie.vrc.RootComplex;
import dev.vpcie.vrc.RootComplexConfig;
import dev.vpcie.vrc.nic.NicDriver;
import dev.vpcie.vrc.nic.NicDrivers;
import dev.vpcie.vrc.nic.NicOptions;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One NIC model in an endpoint, reached by a root complex over an in-memory TLP pipe, with its
 * wire an in-memory cable whose far end belongs to the test: frames the NIC sends arrive in
 * {@link #fromNic}, {@link #toNic} puts frames on the cable towards it, {@link #setCable} plugs
 * and unplugs it. The driver under test is the VRC's own.
 */
final class NicRig implements AutoCloseable {
    static final MacAddress NIC_MAC = MacAddress.parse("52:54:00:12:34:56");
    static final MacAddress PEER_MAC = MacAddress.parse("52:54:00:ab:cd:ef");
    static final long WAIT_S = 20;

    /** The models under test. */
    enum Model {
        E1000 {
            @Override PcieFunction create(NvmImage nvm) {
                E1000Options o = E1000Options.of(modelMac());
                return nvm == null ? new E1000Function(o) : new E1000Function(o, nvm);
            }

            @Override NvmImage nvm() {
                return E1000Nvm.image(E1000Options.of(modelMac()));
            }
        },
        IGB {
            @Override PcieFunction create(NvmImage nvm) {
                IgbOptions o = IgbOptions.of(modelMac());
                return nvm == null ? new IgbFunction(o) : new IgbFunction(o, nvm);
            }

            @Override NvmImage nvm() {
                return IgbNvm.image(IgbOptions.of(modelMac()));
            }
        };

        private static dev.vpcie.devices.nic.MacAddress modelMac() {
            return dev.vpcie.devices.nic.MacAddress.parse(NIC_MAC.toString());
        }

        abstract PcieFunction create(NvmImage nvm);

        abstract NvmImage nvm();
    }

    /** Runs the cable's deliveries on the function's thread once the endpoint exists. */
    private static final class FunctionThread implements Executor {
        volatile Executor target;

        @Override public void execute(Runnable r) { target.execute(r); }
    }

    final Model model;
    final PcieFunction function;
    final RootComplex rc;
    final Endpoint endpoint;
    private final AutoCloseable joined;
    final MemoryEthernetWire wire;
    final PcieDevice device;
    /** With {@link #NicRig(Model, int, int)} and more than one agent: the dmatest function 0 beside the NIC; else null. */
    final PcieDevice dmatest;
    final LinkedBlockingQueue<byte[]> fromNic = new LinkedBlockingQueue<>();
    private volatile Consumer<byte[]> peer = fromNic::add;
    private NicDriver driver;

    /** How the root complex reaches the endpoint; returns what to close after both. */
    @FunctionalInterface
    interface Join {
        AutoCloseable join(RootComplex rc, Endpoint endpoint) throws Exception;
    }

    /** An in-memory TLP pipe whose session is up. */
    static final Join IN_MEMORY = (rc, endpoint) -> {
        DirectTlpPort[] pipes = DirectTlpPort.pair();
        rc.attach(pipes[0]);
        endpoint.attach(pipes[1]);
        pipes[0].comeUp(1);
        return () -> {
            pipes[0].close();
            pipes[1].close();
        };
    };

    NicRig(Model model, int wireMaxFrame) throws Exception { this(model, wireMaxFrame, null, 1, IN_MEMORY); }

    NicRig(Model model, int wireMaxFrame, NvmImage nvm) throws Exception { this(model, wireMaxFrame, nvm, 1, IN_MEMORY); }

    /**
     * With {@code agents} above 1, the endpoint is {@code vpcie endpoint --agents N}: a dmatest as
     * function 0 on the first agent, the NIC as function 1 on the second.
     */
    NicRig(Model model, int wireMaxFrame, int agents) throws Exception { this(model, wireMaxFrame, null, agents, IN_MEMORY); }

    NicRig(Model model, int wireMaxFrame, NvmImage nvm, Join join) throws Exception { this(model, wireMaxFrame, nvm, 1, join); }

    private NicRig(Model model, int wireMaxFrame, NvmImage nvm, int agents, Join join) throws Exception {
        this.model = model;
        this.function = model.create(nvm);
        FunctionThread functionThread = new FunctionThread();
        this.wire = new MemoryEthernetWire(wireMaxFrame, functionThread, Runnable::run);
        wire.endB().setReceiver(frame -> {
            byte[] b = new byte[frame.remaining()];
            frame.get(b);
            peer.accept(b);
        });
        // Nothing is lost in memory, but a loaded machine can hold a completion back for hundreds of ms.
        Endpoint.Builder b = Endpoint.builder().config(EndpointConfig.defaults().withCompletionTimeout(Duration.ofSeconds(5))).agents(agents);
        if (agents > 1) b.function(DeviceRegistry.create("dmatest", 0));
        this.endpoint = b.function(function, List.of(wire.endA())).build();
        int nicFunction = agents > 1 ? 1 : 0;
        functionThread.target = endpoint.function(nicFunction);
        this.rc = new RootComplex(RootComplexConfig.defaults().withHostMemorySize(64L << 20).withCompletionTimeout(Duration.ofSeconds(5)));
        this.joined = join.join(rc, endpoint);
        Await.until(() -> endpoint.owner().isPresent() && rc.links().getFirst().isUp(), "the session is up");
        List<PcieDevice> found = rc.enumerate();
        if (found.size() != nicFunction + 1) fail("expected " + (nicFunction + 1) + " function(s), found " + found);
        this.device = found.get(nicFunction);
        this.dmatest = agents > 1 ? found.getFirst() : null;
    }

    /** Options for tests: the link awaited, a watchdog every second. */
    static NicOptions options() {
        return NicOptions.defaults().withLinkWait(Duration.ofSeconds(10)).withWatchdog(Duration.ofSeconds(1));
    }

    NicDriver open(NicOptions options) {
        driver = NicDrivers.open(device, NicDrivers.Kind.AUTO, options);
        return driver;
    }

    /** Replaces what the far end of the cable does with frames from the NIC (default: queue them in {@link #fromNic}). */
    void peer(Consumer<byte[]> p) { this.peer = p; }

    void toNic(byte[] frame) {
        if (!wire.endB().send(ByteBuffer.wrap(frame))) fail("the cable refused a frame of " + frame.length + " bytes");
    }

    byte[] nextFromNic() throws InterruptedException {
        byte[] f = fromNic.poll(WAIT_S, TimeUnit.SECONDS);
        if (f == null) fail("no frame from the NIC within " + WAIT_S + " s");
        return f;
    }

    void setCable(boolean up) { wire.setLinkUp(up); }

    @Override public void close() {
        if (driver != null) driver.close();
        endpoint.close();
        rc.close();
        try {
            joined.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing the interconnect", e);
        }
    }
}
