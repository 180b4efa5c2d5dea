package dev.vpcie.endpoint;

import dev.vpcie.devices.config.ConfigSpace;
import dev.vpcie.devices.config.PciExpressCapability;
import dev.vpcie.devices.spi.Accesses;
import dev.vpcie.devices.spi.Counters;
import dev.vpcie.devices.spi.DeviceContext;
import dev.vpcie.devices.spi.EthernetPort;
import dev.vpcie.devices.spi.PcieFunction;
import dev.vpcie.devices.spi.ResetKind;
import dev.vpcie.devices.spi.TimerQueue;
import dev.vpcie.protocol.agent.AgentLoop;
import dev.vpcie.protocol.link.LinkDownException;
import dev.vpcie.protocol.pci.PciConfig;
import dev.vpcie.protocol.tlp.Bdf;
import dev.vpcie.protocol.tlp.CfgRead;
import dev.vpcie.protocol.tlp.CfgWrite;
import dev.vpcie.protocol.tlp.Completion;
import dev.vpcie.protocol.tlp.Completions;
import dev.vpcie.protocol.tlp.IoRead;
import dev.vpcie.protocol.tlp.IoWrite;
import dev.vpcie.protocol.tlp.MemRead;
import dev.vpcie.protocol.tlp.MemWrite;
import dev.vpcie.protocol.tlp.Message;
import dev.vpcie.protocol.tlp.Tlp;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The home of one function on the endpoint's agent thread: everything the function does — its
 * configuration accesses, MMIO and I/O handlers, DMA read handlers, interrupt decisions, timers
 * and Ethernet callbacks — runs there, one at a time, so the model is single-threaded and never
 * blocks (DMA reads complete by callback), and PCIe ordering holds (a completion leaves after the
 * work that produced it; the DMA engine keeps the function's requests in call order).
 *
 * <p>Requests are served as the link delivers them ({@link #handle}); between events the agent's
 * duty cycle calls {@link #doWork}, which hands back finished DMA reads, times out late ones and
 * runs the timers that are due — so {@code schedule(0, task)} runs after the events of the cycle,
 * as {@link dev.vpcie.devices.spi.Timers} promises. Each request carries the session generation it
 * arrived in; one that outlived its session is dropped unanswered.
 *
 * <h2>What the host does around the model</h2>
 * <ul>
 *   <li>Type 0 configuration writes: captures the Routing ID ({@link ConfigSpace#captureRoutingId})
 *       before applying the write, then completes it; a write that initiated a Function Level Reset
 *       resets the function after its completion has gone out (base spec 6.6.2).</li>
 *   <li>Memory/I-O requests: decoded again against the live BARs, split by their byte enables into
 *       naturally aligned accesses ({@link PcieFunction#mmioReadBlock}/{@link PcieFunction#mmioWriteBlock}
 *       per run of enabled bytes); reads answered with completions of at most Max Payload Size,
 *       split on the Read Completion Boundary.</li>
 *   <li>Multi-function: the endpoint, not the model, knows whether it hosts several functions, so
 *       function 0's Header Type reads with the Multi-Function bit set when it does.</li>
 *   <li>A model that throws (a bug) gets its read answered with Completer Abort, and is counted
 *       and logged; the host carries on.</li>
 * </ul>
 */
public final class FunctionHost implements Executor {
    private static final Logger log = LoggerFactory.getLogger(FunctionHost.class);

    private final PcieFunction function;
    private final int number;
    private final String name;
    private final ConfigSpace config;
    private final Upstream upstream;
    private final EndpointConfig settings;
    private final RouterCounters routerCounters;
    private final LongSupplier clock;
    private final boolean multiFunction;
    private final TimerQueue timers;
    private final Counters counters = new Counters();
    private final DmaEngine dma;
    private final InterruptRouter interrupts;
    private final AgentLoop loop;
    private volatile BarDecoder decoder;
    private boolean resetAfterCompletion;

    FunctionHost(PcieFunction function, int number, boolean multiFunction, Upstream upstream, EndpointConfig settings,
                 RouterCounters routerCounters, LongSupplier clock, List<EthernetPort> ethernetPorts, AgentLoop loop) {
        if (number < 0 || number > 7) throw new IllegalArgumentException("function number must be 0..7: " + number);
        this.function = function;
        this.number = number;
        this.name = function.name() + number;
        this.config = function.config();
        this.upstream = upstream;
        this.settings = settings;
        this.routerCounters = routerCounters;
        this.clock = clock;
        this.multiFunction = multiFunction;
        this.loop = loop;
        this.timers = new TimerQueue(clock);
        this.dma = new DmaEngine(config, number, upstream, settings, clock, counters, routerCounters);
        this.interrupts = new InterruptRouter(config, number, dma, counters, routerCounters);
        config.pciExpress().ifPresent(p -> p.setFunctionLevelResetHandler(() -> resetAfterCompletion = true));
        function.attach(new DeviceContext(name, dma, interrupts, timers, counters, ethernetPorts));
        this.decoder = BarDecoder.of(config);
    }

    /** The function number (0..7) within the endpoint's device 0. */
    public int number() { return number; }

    /** The model's instance name, e.g. {@code dmatest0}. */
    public String name() { return name; }

    public PcieFunction function() { return function; }

    /** The function's event counters (DMA, interrupts, the model's own). */
    public Counters counters() { return counters; }

    /** The decoding the router uses: BARs and enables as of the last configuration write or reset. */
    BarDecoder decoder() { return decoder; }

    DmaEngine dma() { return dma; }

    /**
     * Whether work that makes more traffic should wait: the link's backlog is long (its window
     * stays full). A wire stops reading its socket meanwhile; the kernel's buffer holds the frames.
     */
    public boolean holdingBack() { return upstream.congested(); }

    /** The agent loop the function runs on (a wire reads its socket there). */
    public AgentLoop loop() { return loop; }

    /**
     * Runs {@code task} on the function's (the agent's) thread: at once when called there, else in
     * the agent's next cycle. Ethernet callbacks and tests use this.
     */
    @Override public void execute(Runnable task) {
        if (loop.inLoop()) guarded("task", task);
        else loop.execute(() -> guarded("task", task));
    }

    /**
     * Serves a request that arrived in session {@code generation}: at once on the function's agent
     * thread, else handed to it (an endpoint with functions on several agents), in arrival order.
     */
    void handle(Tlp tlp, int generation) {
        if (loop.inLoop()) serve(tlp, generation);
        else onLoop(() -> serve(tlp, generation));
    }

    /** A completion for the function's DMA engine, on the function's agent thread as {@link #handle}. */
    void completion(Completion c) {
        if (loop.inLoop()) complete(c);
        else onLoop(() -> complete(c));
    }

    /** The owning session ended: a hot reset, on the function's agent thread. */
    void sessionEnded() {
        if (loop.inLoop()) hotReset();
        else onLoop(this::hotReset);
    }

    private void complete(Completion c) {
        try {
            dma.onCompletion(c);
        } catch (RuntimeException e) {
            modelError("DMA read handler", e);
        }
    }

    private void onLoop(Runnable r) {
        try {
            loop.execute(r);
        } catch (IllegalStateException e) {
            // the loop is closed: the endpoint is too, and drops what still arrives
        }
    }

    /**
     * Between events: hands back finished DMA reads and times out late ones, then runs the timers
     * that are due (not while {@code holdBack}: the link's backlog is long). Agent thread.
     */
    int doWork(long nowNs, boolean holdBack) {
        int work = dmaWork(nowNs);
        if (!holdBack) {
            try {
                work += timers.runExpired(nowNs);
            } catch (RuntimeException e) {
                modelError("timer task", e);
            }
            work += dmaWork(nowNs);
        }
        return work;
    }

    private int dmaWork(long nowNs) {
        try {
            return dma.doWork(nowNs);
        } catch (RuntimeException e) {
            modelError("DMA read handler", e);
            return 1;
        }
    }

    /**
     * The earliest time {@link #doWork} has something to do without an event; while it holds back,
     * only the DMA deadlines count (a due timer waits for the link's window, which an ACK opens).
     */
    long nextDeadlineNs(boolean holdBack) {
        return holdBack ? dma.nextDeadlineNs() : Math.min(timers.nextDeadlineNs(), dma.nextDeadlineNs());
    }

    private void guarded(String what, Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            modelError(what, e);
        }
    }

    private void serve(Tlp tlp, int generation) {
        if (generation != upstream.generation()) {
            routerCounters.count(RouterEvent.STALE_REQUEST);
            return;
        }
        if (tlp.nonPosted() && upstream.full()) { // this agent's backlog (the router sees only the first agent's)
            routerCounters.count(RouterEvent.BACKLOG_FULL);
            return;
        }
        try {
            switch (tlp) {
                case CfgRead c -> configRead(c, generation);
                case CfgWrite c -> configWrite(c, generation);
                case MemRead m -> memoryRead(m, generation);
                case MemWrite m -> memoryWrite(m);
                case IoRead i -> ioRead(i, generation);
                case IoWrite i -> ioWrite(i, generation);
                case Completion c -> throw new IllegalArgumentException("completions go to the DMA engine, not here: " + c);
                case Message m -> throw new IllegalArgumentException("messages are the router's: " + m);
            }
        } catch (RuntimeException e) {
            modelError(tlp.getClass().getSimpleName(), e);
            if (tlp.nonPosted()) respond(Completions.completerAbort(tlp, completerId()), generation);
        }
    }

    private void configRead(CfgRead c, int generation) {
        int value = config.readDword(c.register());
        if (c.register() == (PciConfig.HEADER_TYPE & ~3) && number == 0 && multiFunction)
            value |= PciConfig.HeaderType.MULTI_FUNCTION << (8 * (PciConfig.HEADER_TYPE & 3));
        respond(Completions.readData(c, c.target(), littleEndian(value)), generation);
    }

    private void configWrite(CfgWrite c, int generation) {
        config.captureRoutingId(c.target());
        config.writeDword(c.register(), littleEndian(c.data(), 0), c.firstBe());
        decoder = BarDecoder.of(config);
        respond(Completions.writeDone(c, c.target()), generation);
        if (resetAfterCompletion) {
            resetAfterCompletion = false;
            log.info("{}: Function Level Reset", name);
            dma.drop(false);
            function.reset(ResetKind.FUNCTION_LEVEL);
            interrupts.reset(false);
            decoder = BarDecoder.of(config);
        }
    }

    private void memoryRead(MemRead m, int generation) {
        int bar = config.decodeMemory(m.address());
        if (bar < 0) {
            routerCounters.count(RouterEvent.MEMORY_READ_UNCLAIMED);
            respond(Completions.unsupportedRequest(m, completerId()), generation);
            return;
        }
        long offset = m.address() - config.barAddress(bar);
        int span = m.length() * 4;
        if (offset + span > config.bar(bar).size()) {
            routerCounters.count(RouterEvent.CROSSES_BAR_END);
            respond(Completions.unsupportedRequest(m, completerId()), generation);
            return;
        }
        byte[] data = new byte[span];
        for (EnabledBytes.Run run : EnabledBytes.of(m.length(), m.firstBe(), m.lastBe()))
            function.mmioReadBlock(bar, offset + run.offset(), data, run.offset(), run.length());
        int mps = Math.min(config.maxPayloadSize(), settings.maxPayloadLimit());
        for (Completion c : Completions.read(m, completerId(), data, readCompletionBoundary(), mps)) respond(c, generation);
    }

    private void memoryWrite(MemWrite m) {
        int bar = config.decodeMemory(m.address());
        if (bar < 0) {
            routerCounters.count(RouterEvent.MEMORY_WRITE_UNCLAIMED);
            return;
        }
        long offset = m.address() - config.barAddress(bar);
        if (offset + m.data().length > config.bar(bar).size()) {
            routerCounters.count(RouterEvent.CROSSES_BAR_END);
            return;
        }
        for (EnabledBytes.Run run : EnabledBytes.of(m.length(), m.firstBe(), m.lastBe()))
            function.mmioWriteBlock(bar, offset + run.offset(), m.data(), run.offset(), run.length());
    }

    private void ioRead(IoRead r, int generation) {
        long address = r.address() & 0xFFFF_FFFFL;
        int bar = config.decodeIo(address);
        if (bar < 0) {
            routerCounters.count(RouterEvent.IO_UNCLAIMED);
            respond(Completions.unsupportedRequest(r, completerId()), generation);
            return;
        }
        long offset = address - config.barAddress(bar);
        byte[] dw = new byte[4];
        for (EnabledBytes.Run run : EnabledBytes.of(1, r.firstBe(), 0)) {
            Accesses.forEachAligned(offset + run.offset(), run.length(), (o, size) -> {
                long v = function.ioRead(bar, o, size);
                for (int i = 0; i < size; i++) dw[(int) (o - offset) + i] = (byte) (v >>> (8 * i));
            });
        }
        respond(Completions.readData(r, completerId(), dw), generation);
    }

    private void ioWrite(IoWrite w, int generation) {
        long address = w.address() & 0xFFFF_FFFFL;
        int bar = config.decodeIo(address);
        if (bar < 0) {
            routerCounters.count(RouterEvent.IO_UNCLAIMED);
            respond(Completions.unsupportedRequest(w, completerId()), generation);
            return;
        }
        long offset = address - config.barAddress(bar);
        byte[] dw = w.data();
        for (EnabledBytes.Run run : EnabledBytes.of(1, w.firstBe(), 0)) {
            Accesses.forEachAligned(offset + run.offset(), run.length(), (o, size) -> {
                long v = 0;
                for (int i = 0; i < size; i++) v |= (dw[(int) (o - offset) + i] & 0xFFL) << (8 * i);
                function.ioWrite(bar, o, size, v);
            });
        }
        respond(Completions.writeDone(w, completerId()), generation);
    }

    /** The session ended: a conventional (hot) reset, and the Routing ID is forgotten. */
    private void hotReset() {
        dma.drop(true);
        try {
            function.reset(ResetKind.HOT);
        } catch (RuntimeException e) {
            modelError("hot reset", e);
        }
        interrupts.reset(true);
        decoder = BarDecoder.of(config);
    }

    /** RCB from the function's Link Control register (64 bytes unless software set the RCB bit). */
    private int readCompletionBoundary() {
        return config.pciExpress()
                .map(PciExpressCapability::offset)
                .map(at -> (config.read(at + PciConfig.Pcie.LINK_CONTROL, 2) & PciConfig.Pcie.LNKCTL_READ_COMPLETION_BOUNDARY_128) != 0
                        ? Completions.RCB_128 : Completions.RCB_64)
                .orElse(Completions.RCB_64);
    }

    private void respond(Completion c, int generation) {
        try {
            upstream.send(c, generation);
        } catch (LinkDownException e) {
            routerCounters.count(RouterEvent.SEND_FAILED_LINK_DOWN);
        }
    }

    private int completerId() {
        int id = config.routingId();
        return id == ConfigSpace.NOT_CAPTURED ? Bdf.of(0, 0, number) : id;
    }

    private void modelError(String what, RuntimeException e) {
        routerCounters.count(RouterEvent.MODEL_ERROR);
        counters.counter("model-errors").increment();
        log.error("{}: the model failed in {}", name, what, e);
    }

    private static byte[] littleEndian(int v) {
        return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    }

    private static int littleEndian(byte[] b, int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF) << 16 | (b[at + 3] & 0xFF) << 24;
    }

    @Override public String toString() { return "FunctionHost[" + name + ", fn " + number + "]"; }
}
