package dev.vpcie.endpoint;

import dev.vpcie.devices.spi.PcieFunction;
import dev.vpcie.protocol.link.DirectTlpPort;
import dev.vpcie.protocol.pci.PciConfig;
import dev.vpcie.protocol.tlp.Bdf;
import dev.vpcie.testsupport.Await;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An endpoint with test functions, wired to a {@link TestHost} through a {@link DirectTlpPort} pair,
 * with a session up. {@link #enable} places the {@link TestFunction}'s BARs and turns on decoding
 * and bus mastering, as enumeration would.
 */
final class Fixture implements AutoCloseable {
    static final int BUS = 5;
    static final long REGS = 0xE000_0000L, MEMORY = 0x2_0000_0000L, MSIX = 0xE000_1000L;
    static final int IO = 0x1000;

    final DirectTlpPort[] ports = DirectTlpPort.pair();
    final TestHost host = new TestHost(ports[0], 16 << 20);
    final Endpoint endpoint;

    /**
     * Settings for tests that are not about timeouts: a completion timeout far beyond any scheduling
     * delay of a loaded test machine, so a slow run cannot turn into a failed DMA.
     */
    static final EndpointConfig CONFIG = EndpointConfig.defaults().withCompletionTimeout(Duration.ofSeconds(5));

    Fixture(PcieFunction... functions) { this(CONFIG, functions); }

    Fixture(EndpointConfig config, PcieFunction... functions) {
        Endpoint.Builder b = Endpoint.builder().config(config);
        for (PcieFunction f : functions) b.function(f);
        endpoint = b.build();
        endpoint.attach(ports[1]);
        ports[0].comeUp(0x1234);
        Await.until(() -> endpoint.owner().isPresent(), "the session comes up");
    }

    static int bdf(int fn) { return Bdf.of(BUS, 0, fn); }

    /** Places BAR0, BAR2 (64-bit), BAR4 and BAR5 (I/O) of a TestFunction and enables memory, I/O and bus mastering. */
    void enable(int fn) throws InterruptedException {
        long offset = fn * 0x10_0000L;
        host.configWrite(bdf(fn), PciConfig.BAR0, (int) (REGS + offset));
        host.configWrite(bdf(fn), PciConfig.BAR2, (int) (MEMORY + offset));
        host.configWrite(bdf(fn), PciConfig.BAR3, (int) ((MEMORY + offset) >>> 32));
        host.configWrite(bdf(fn), PciConfig.BAR4, (int) (MSIX + offset));
        host.configWrite(bdf(fn), PciConfig.BAR5, IO + 0x100 * fn);
        command(fn, PciConfig.Command.MEMORY_SPACE_ENABLE | PciConfig.Command.IO_SPACE_ENABLE | PciConfig.Command.BUS_MASTER_ENABLE);
    }

    void command(int fn, int value) throws InterruptedException {
        host.configWrite(bdf(fn), PciConfig.COMMAND, value, 0b0011);
    }

    /** Runs {@code work} on function {@code fn}'s thread and returns what it returns (or throws what it throws). */
    <T> T onFunction(int fn, FunctionWork<T> work) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        endpoint.function(fn).execute(() -> {
            try {
                f.complete(work.run());
            } catch (Exception | AssertionError e) {
                f.completeExceptionally(e);
            }
        });
        try {
            return f.get(TestHost.TIMEOUT_S, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception x) throw x;
            throw (AssertionError) e.getCause();
        } catch (TimeoutException e) {
            throw new AssertionError("function " + fn + " did not finish the work in " + TestHost.TIMEOUT_S + " s");
        }
    }

    /**
     * Issues a DMA read of {@code fn}'s model on its thread and waits here (not there) for its
     * handler: the blocking helper the tests want. Throws the read's failure.
     */
    byte[] read(int n, TestFunction fn, long address, byte[] dst, int off, int len) throws Exception {
        CompletableFuture<dev.vpcie.devices.spi.DmaException> done = onFunction(n, () -> {
            CompletableFuture<dev.vpcie.devices.spi.DmaException> cf = new CompletableFuture<>();
            fn.context.dma().read(0, address, dst, off, len, cf::complete);
            return cf;
        });
        dev.vpcie.devices.spi.DmaException e;
        try {
            e = done.get(TestHost.TIMEOUT_S, TimeUnit.SECONDS);
        } catch (TimeoutException x) {
            throw new AssertionError("the read's handler did not run in " + TestHost.TIMEOUT_S + " s");
        }
        if (e != null) throw e;
        return dst;
    }

    /** {@link #read(int, TestFunction, long, byte[], int, int)} into a new array. */
    byte[] read(int n, TestFunction fn, long address, int len) throws Exception { return read(n, fn, address, new byte[len], 0, len); }

    /** Work for a function's thread. */
    @FunctionalInterface
    interface FunctionWork<T> {
        T run() throws Exception;
    }

    @Override public void close() {
        endpoint.close();
        ports[0].close();
        ports[1].close();
        List<Throwable> errors = host.errors;
        if (!errors.isEmpty()) {
            AssertionError e = new AssertionError("the test host failed: " + errors.getFirst(), errors.getFirst());
            errors.stream().skip(1).forEach(e::addSuppressed);
            throw e;
        }
    }
}
