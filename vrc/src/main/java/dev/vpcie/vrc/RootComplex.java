package dev.vpcie.vrc;

import dev.vpcie.protocol.agent.AgentLoop;
import dev.vpcie.protocol.link.LinkDownException;
import dev.vpcie.protocol.link.TlpPort;
import dev.vpcie.protocol.tlp.Bdf;
import dev.vpcie.protocol.tlp.CfgRead;
import dev.vpcie.protocol.tlp.CfgWrite;
import dev.vpcie.protocol.tlp.ConfigType;
import dev.vpcie.protocol.tlp.IoRead;
import dev.vpcie.protocol.tlp.IoWrite;
import dev.vpcie.protocol.tlp.MemRead;
import dev.vpcie.protocol.tlp.MemWrite;
import dev.vpcie.protocol.tlp.Tlp;
import dev.vpcie.protocol.trace.PointEvent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Virtual Root Complex: host memory with DMA windows, the MSI window and interrupt
 * dispatch, one {@link EndpointLink} per endpoint (each endpoint is one bus below the root),
 * the {@link AddressMap} that routes every access, and request tracking with a completion
 * timeout. Every access ends with an {@link Outcome}: a read that times out, finds its link
 * down or is completed with UR/CA reports so (and reads all-ones, as real root complexes do);
 * a dead endpoint never hangs a caller.
 *
 * <p>Thread model: one {@link AgentLoop} runs the data path: the links (when they run on it,
 * see {@link #loop}), completion matching and timeouts, the devices' DMA reads and writes, and
 * interrupt handlers; nothing on it waits. Callers on other threads (drivers, the CLI,
 * benchmarks, the QEMU bridge) hand their requests to it ({@link AgentLoop#execute}) and wait
 * on a future it completes: the blocking methods here do that; the {@code ...Async} ones return
 * the future, which completes exceptionally with {@link LinkDownException} when the link is or
 * goes down (and when the root complex closes). Blocking methods called on the loop thread
 * itself throw {@link IllegalStateException}: waiting there would stop the loop that must
 * complete the wait.
 */
public final class RootComplex implements AutoCloseable {
    /** The root complex's own Routing ID, 00:00.0, used as requester ID of every request it sends. */
    public static final int REQUESTER_ID = 0;
    /** How often a configuration request answered with CRS is re-issued before it reads as all-ones. */
    static final int CONFIG_RETRY_LIMIT = 100;
    /** Posted writes a caller thread may have in flight to the loop before it waits for them to leave. */
    static final int POSTED_IN_FLIGHT = 1024;
    /** Beyond the completion timeout, how long a caller waits for the loop to end its request before calling it timed out itself. */
    private static final long LOOP_GRACE_NS = 5_000_000_000L;
    private static final Logger log = LoggerFactory.getLogger(RootComplex.class);
    /** Buses below the root: 1..255, one per endpoint. */
    public static final int MAX_BUSES = 255;

    private final RootComplexConfig config;
    private final Counters counters = new Counters();
    private final HostMemory hostMemory;
    /** Functions whose DMA a front-end serves from memory of its own (see {@link DmaMemory}). */
    private final Map<Integer, DmaMemory> dmaMemories = new ConcurrentHashMap<>();
    private final DmaWindows dmaWindows = new DmaWindows();
    private final AddressMap addressMap = new AddressMap();
    private final MsiWindow msiWindow;
    private final InterruptDispatcher dispatcher;
    private final AgentLoop loop;
    private final boolean ownsLoop;
    /**
     * Posted writes from other threads that have not left yet: a caller that gets ahead of the
     * link by this many waits, so the loop's queue and backlog stay bounded.
     */
    private final Semaphore postedPermits = new Semaphore(POSTED_IN_FLIGHT);
    private final Interrupts interrupts;
    private final DeviceRequests deviceRequests;
    private final Enumerator enumerator;
    private final List<EndpointLink> links = new CopyOnWriteArrayList<>();
    private final RareLog unassigned = new RareLog(log);
    private final HotPlug hotPlug;

    /** A root complex with a loop of its own ({@code vrc}), closed with it. */
    private volatile int dmaReadCompletionLimit;

    public RootComplex(RootComplexConfig config) { this(config, AgentLoop.start("vrc"), true); }

    /**
     * A root complex on {@code loop}, which stays the caller's (close it after this). Start the
     * links of the interconnect on the same loop ({@code LinkEndpoint.start(transport, config,
     * loop)}) and a TLP goes from the caller's request to the wire without a thread hand-off.
     */
    public RootComplex(RootComplexConfig config, AgentLoop loop) { this(config, loop, false); }

    private RootComplex(RootComplexConfig config, AgentLoop loop, boolean ownsLoop) {
        this.config = config;
        this.loop = loop;
        this.ownsLoop = ownsLoop;
        this.hostMemory = new HostMemory(config.hostMemorySize());
        this.msiWindow = new MsiWindow(config.msiWindow());
        this.dispatcher = new InterruptDispatcher(counters);
        this.interrupts = new Interrupts(this, msiWindow, dispatcher, counters);
        this.deviceRequests = new DeviceRequests(this, interrupts, counters);
        this.enumerator = new Enumerator(this);
        this.hotPlug = new HotPlug(this, enumerator, counters);
        PointEvent.load(); // here, not on the link thread at the first DMA read (see load())
    }

    public RootComplex() { this(RootComplexConfig.defaults()); }

    /**
     * Connects an endpoint reached through {@code port}; it becomes the next bus (1, 2, ...).
     * Callers bound how many they attach ({@link #MAX_BUSES}); one too many is a bug.
     */
    public synchronized EndpointLink attach(TlpPort port) {
        int bus = 1;
        while (bus <= MAX_BUSES && addressMap.linkForBus(bus) != null) bus++;
        if (bus > MAX_BUSES) throw new IllegalStateException("no bus numbers left: a root complex has " + MAX_BUSES + " buses");
        return attach(port, bus);
    }

    /**
     * Connects an endpoint at bus {@code bus} (1..{@link #MAX_BUSES}), which must be free: a
     * pinned bus ({@code vrc --bus}) or a claim. Nothing else moves: other buses keep their
     * functions, and BARs are placed per bus ({@link BusWindow}).
     */
    public synchronized EndpointLink attach(TlpPort port, int bus) {
        if (bus < 1 || bus > MAX_BUSES) throw new IllegalArgumentException("bus numbers are 1.." + MAX_BUSES + ": " + bus);
        if (addressMap.linkForBus(bus) != null) throw new IllegalArgumentException(String.format("bus %02x is taken", bus));
        CompletionTracker tracker = new CompletionTracker(counters, config.completionTimeout().toNanos(), REQUESTER_ID);
        EndpointLink link = new EndpointLink(port, bus, tracker, deviceRequests, loop, counters);
        addressMap.assignBus(bus, link);
        link.hotPlug(hotPlug);
        links.add(link);
        return link;
    }

    public List<EndpointLink> links() { return List.copyOf(links); }

    /**
     * An orderly hot removal of the endpoint on {@code bus}: its functions leave the address map
     * (with their DMA windows, MSI slots and BAR ranges), the link is closed (the endpoint gets a
     * CLOSE, resets its functions and is free for another VRC) and the bus is free. Drivers of
     * those functions must have been stopped first. Returns the functions that were there.
     */
    public List<PcieDevice> release(int bus) {
        EndpointLink link = addressMap.linkForBus(bus);
        if (link == null) throw new IllegalArgumentException("no endpoint on bus " + String.format("%02x", bus));
        List<PcieDevice> gone;
        synchronized (enumerator) { // not across a hot insertion's restoration
            gone = addressMap.removeBus(bus);
            for (PcieDevice d : gone) {
                dmaWindows.unmapAll(d.bdf());
                dmaMemories.remove(d.bdf());
                msiWindow.release(d);
            }
            enumerator.releaseBus(bus);
        }
        link.close();
        synchronized (this) {
            links.remove(link);
            addressMap.assignBus(bus, null);
        }
        log.info("bus {}: released {} ({})", String.format("%02x", bus), link.describe(), gone.stream().map(PcieDevice::name).toList());
        return gone;
    }

    /** Enumerates every attached endpoint; returns all functions found, by Routing ID. */
    public List<PcieDevice> enumerate() throws InterruptedException {
        List<PcieDevice> all = new ArrayList<>();
        for (EndpointLink link : links) all.addAll(enumerate(link));
        return all;
    }

    /**
     * Enumerates (or re-enumerates, after the endpoint restarted) the functions behind one
     * link: earlier functions of that bus, their DMA windows and MSI slots are dropped first.
     */
    public List<PcieDevice> enumerate(EndpointLink link) throws InterruptedException {
        // Under the enumerator's lock: a hot insertion's restoration (HotPlug) runs before or after, never across.
        synchronized (enumerator) {
            for (PcieDevice gone : addressMap.removeBus(link.bus())) {
                dmaWindows.unmapAll(gone.bdf());
                dmaMemories.remove(gone.bdf());
                msiWindow.release(gone);
            }
            link.clearRestarted();
            link.present(true);
            List<PcieDevice> found = enumerator.scan(link);
            for (PcieDevice d : found) addressMap.add(d);
            link.enumerated(); // after the scan: its first request may have been the one that took the new session
            return found;
        }
    }

    /** Every enumerated function, by Routing ID. */
    public List<PcieDevice> devices() {
        return addressMap.devices().stream().sorted(Comparator.comparingInt(PcieDevice::bdf)).toList();
    }

    public PcieDevice device(int bdf) {
        PcieDevice d = addressMap.device(bdf);
        if (d == null) throw new IllegalArgumentException("no function " + Bdf.toString(bdf) + " (found: "
                + devices().stream().map(PcieDevice::name).toList() + ")");
        return d;
    }

    public RootComplexConfig config() { return config; }

    /** The loop that runs the data path; work added to it may act on the root complex directly (without blocking). */
    public AgentLoop loop() { return loop; }
    public Counters counters() { return counters; }
    public HostMemory hostMemory() { return hostMemory; }

    /** The memory function {@code bdf}'s DMA reaches: host memory unless a front-end gave it its own. */
    public DmaMemory dmaMemory(int bdf) {
        DmaMemory m = dmaMemories.get(bdf);
        return m != null ? m : hostMemory;
    }

    /**
     * Serves function {@code bdf}'s DMA from {@code memory} instead of host memory (null goes
     * back to host memory). Its DMA windows keep applying, in {@code memory}'s addresses;
     * re-enumeration forgets the choice along with the windows.
     */
    public void dmaMemory(int bdf, DmaMemory memory) {
        if (memory == null) dmaMemories.remove(bdf);
        else dmaMemories.put(bdf, memory);
    }
    public DmaWindows dmaWindows() { return dmaWindows; }
    /**
     * How the root complex answers a device's DMA read: {@code 0} (the default) in completions of at
     * most the device's MPS, split at RCB boundaries, as a root port does; otherwise in completions
     * of at most {@code bytes} (128..4096, a power of two), and a read that does not start on a DW
     * boundary in one completion. NetTLP mode uses 4096, one CplD per MRd, because libtlp
     * mis-assembles split completions of unaligned reads.
     */
    public void dmaReadCompletionLimit(int bytes) {
        if (bytes != 0 && (bytes < 128 || bytes > 4096 || Integer.bitCount(bytes) != 1))
            throw new IllegalArgumentException("DMA read completion limit must be 0 (the device's MPS) or 128..4096, a power of two: " + bytes);
        dmaReadCompletionLimit = bytes;
    }

    public int dmaReadCompletionLimit() { return dmaReadCompletionLimit; }
    public AddressMap addressMap() { return addressMap; }
    Interrupts interrupts() { return interrupts; }
    Window msiWindow() { return msiWindow.window(); }

    // ---- configuration requests ----

    /**
     * Reads 1, 2 or 4 bytes of a function's configuration space (8: two DWs, low first). The value
     * is all-ones unless the outcome is success.
     */
    public Access configRead(int bdf, int offset, int width) {
        if (width == 8) {
            checkConfig(offset, 4);
            Access low = configRead(bdf, offset, 4);
            if (!low.outcome().ok()) return new Access(low.outcome(), -1L);
            Access high = configRead(bdf, offset + 4, 4);
            return high.outcome().ok() ? new Access(Outcome.SUCCESS, low.value() | high.value() << 32) : new Access(high.outcome(), -1L);
        }
        return configAccess(bdf, offset, width, true);
    }

    /** Writes 1, 2 or 4 bytes (8: two DWs, low first). Failures are counted, as a root complex drops them, and returned. */
    public Outcome configWrite(int bdf, int offset, int width, long value) {
        if (width == 8) {
            checkConfig(offset, 4);
            Outcome low = configWrite(bdf, offset, 4, value & 0xFFFF_FFFFL);
            return low.ok() ? configWrite(bdf, offset + 4, 4, value >>> 32) : low;
        }
        return configWriteAccess(bdf, offset, width, value);
    }

    /** A configuration read that reports how it ended; {@code count} false keeps expected URs (enumeration probes) out of the counters. */
    Access configAccess(int bdf, int offset, int width, boolean count) {
        checkConfig(offset, width);
        EndpointLink link = addressMap.linkForBus(Bdf.bus(bdf));
        if (link == null) return noRoute("configuration read of " + Bdf.toString(bdf) + ": no endpoint on bus " + Bdf.bus(bdf) + "; reads all-ones", width);
        int be = ((1 << width) - 1) << (offset & 3);
        Access a = null;
        for (int attempt = 0; attempt <= CONFIG_RETRY_LIMIT; attempt++) {
            a = nonPosted(link, tag -> new CfgRead(ConfigType.TYPE0, REQUESTER_ID, tag, bdf, offset & ~3, be),
                    4, -1, true, count);
            if (a.outcome() != Outcome.CONFIG_RETRY) break;
            counters.increment(Counter.CONFIG_RETRY);
            LockSupport.parkNanos(Math.min(1_000_000L << Math.min(attempt, 4), 10_000_000L));
        }
        if (!a.outcome().ok()) return new Access(a.outcome(), DwAccess.allOnes(width));
        return new Access(Outcome.SUCCESS, a.value() >>> (8 * (offset & 3)) & DwAccess.allOnes(width));
    }

    Outcome configWriteAccess(int bdf, int offset, int width, long value) {
        checkConfig(offset, width);
        EndpointLink link = addressMap.linkForBus(Bdf.bus(bdf));
        if (link == null) return noRoute("configuration write of " + Bdf.toString(bdf) + ": no endpoint on bus " + Bdf.bus(bdf) + "; dropped", width).outcome();
        int shift = offset & 3;
        int be = ((1 << width) - 1) << shift;
        byte[] data = new byte[4];
        for (int i = 0; i < width; i++) data[shift + i] = (byte) (value >>> (8 * i));
        Outcome o = Outcome.CONFIG_RETRY;
        for (int attempt = 0; attempt <= CONFIG_RETRY_LIMIT && o == Outcome.CONFIG_RETRY; attempt++) {
            if (attempt > 0) {
                counters.increment(Counter.CONFIG_RETRY);
                LockSupport.parkNanos(Math.min(1_000_000L << Math.min(attempt, 4), 10_000_000L));
            }
            o = nonPosted(link, tag -> new CfgWrite(ConfigType.TYPE0, REQUESTER_ID, tag, bdf, offset & ~3, be, data),
                    0, -1, false, true).outcome();
        }
        return o;
    }

    private static void checkConfig(int offset, int width) {
        if (width != 1 && width != 2 && width != 4)
            throw new IllegalArgumentException("configuration accesses are 1, 2, 4 or 8 bytes: " + width);
        if (offset < 0 || offset + width > 4096 || (offset & 3) + width > 4 || offset % width != 0)
            throw new IllegalArgumentException("configuration access of " + width + " bytes at 0x" + Integer.toHexString(offset)
                    + " must be naturally aligned inside the 4 KiB configuration space");
    }

    // ---- memory and I/O requests ----

    /** Reads 1, 2, 4 or 8 bytes at a bus address inside an assigned BAR; the value is all-ones unless the outcome is success. */
    public Access memRead(long address, int width) {
        DwAccess acc = DwAccess.of(address, width);
        check4k(address, width);
        AddressMap.Route route = addressMap.memory(address, width);
        if (route == null) return noRoute("memory read at 0x" + Long.toHexString(address) + ": no BAR decodes it; reads all-ones", width);
        PcieDevice d = route.device();
        counters.add(d.bdf(), FunctionCounters.Event.MMIO_READ, 1);
        if (!d.present()) return removed(width);
        Access a = nonPosted(d.link(), tag -> new MemRead(REQUESTER_ID, tag, acc.dwAddress(), acc.dwCount(), acc.firstBe(),
                acc.lastBe()), width, d.bdf(), true, true);
        return a.outcome().ok() ? a : new Access(a.outcome(), DwAccess.allOnes(width));
    }

    /**
     * Posted memory write of 1, 2, 4 or 8 bytes; dropped and counted when no BAR decodes it
     * ({@link Outcome#UNSUPPORTED_REQUEST}) or the link is known down ({@link Outcome#LINK_DOWN}).
     * Success means it was handed to the link: a posted write has no completion.
     */
    public Outcome memWrite(long address, int width, long value) {
        DwAccess acc = DwAccess.of(address, width);
        check4k(address, width);
        AddressMap.Route route = addressMap.memory(address, width);
        if (route == null)
            return noRoute("memory write at 0x" + Long.toHexString(address) + ": no BAR decodes it; dropped", width).outcome();
        counters.add(route.device().bdf(), FunctionCounters.Event.MMIO_WRITE, 1);
        if (!route.device().present()) return removed(width).outcome();
        return posted(route.device().link(), new MemWrite(REQUESTER_ID, 0, acc.dwAddress(), acc.firstBe(), acc.lastBe(), acc.payload(value)));
    }

    /**
     * Sends a posted TLP, in order with the caller's other requests; a link that is down drops
     * it (counted). From another thread it is handed to the loop and the caller goes on at once,
     * unless {@link #POSTED_IN_FLIGHT} of its writes have not left yet.
     */
    Outcome posted(EndpointLink link, Tlp tlp) {
        if (!link.isUp()) {
            counters.increment(Counter.LINK_DOWN_FAILURE);
            log.debug("posted request dropped, link to bus {} down", link.bus());
            return Outcome.LINK_DOWN;
        }
        if (loop.inLoop()) {
            link.sendPosted(tlp, null);
            return Outcome.SUCCESS;
        }
        try {
            postedPermits.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Outcome.LINK_DOWN;
        }
        try {
            loop.execute(() -> link.sendPosted(tlp, postedPermits));
            return Outcome.SUCCESS;
        } catch (IllegalStateException e) { // the loop is closed
            postedPermits.release();
            counters.increment(Counter.LINK_DOWN_FAILURE);
            log.debug("posted request dropped, root complex closed");
            return Outcome.LINK_DOWN;
        }
    }

    /** Reads 1, 2 or 4 bytes of I/O space; the value is all-ones unless the outcome is success. */
    public Access ioRead(long port, int width) {
        checkIo(port, width);
        AddressMap.Route route = addressMap.io(port, width);
        if (route == null) return noRoute("I/O read at 0x" + Long.toHexString(port) + ": no BAR decodes it; reads all-ones", width);
        if (!route.device().present()) return removed(width);
        int shift = (int) (port & 3);
        int be = ((1 << width) - 1) << shift;
        Access a = nonPosted(route.device().link(), tag -> new IoRead(REQUESTER_ID, tag, (int) port & ~3, be),
                4, route.device().bdf(), true, true);
        return new Access(a.outcome(), a.outcome().ok() ? a.value() >>> (8 * shift) & DwAccess.allOnes(width) : DwAccess.allOnes(width));
    }

    /** Writes 1, 2 or 4 bytes of I/O space (non-posted: the outcome is the completion's). */
    public Outcome ioWrite(long port, int width, long value) {
        checkIo(port, width);
        AddressMap.Route route = addressMap.io(port, width);
        if (route == null)
            return noRoute("I/O write at 0x" + Long.toHexString(port) + ": no BAR decodes it; dropped", width).outcome();
        if (!route.device().present()) return removed(width).outcome();
        int shift = (int) (port & 3);
        int be = ((1 << width) - 1) << shift;
        byte[] data = new byte[4];
        for (int i = 0; i < width; i++) data[shift + i] = (byte) (value >>> (8 * i));
        return nonPosted(route.device().link(), tag -> new IoWrite(REQUESTER_ID, tag, (int) port & ~3, be, data),
                0, route.device().bdf(), false, true).outcome();
    }

    private static void checkIo(long port, int width) {
        if (width != 1 && width != 2 && width != 4) throw new IllegalArgumentException("I/O accesses are 1, 2 or 4 bytes: " + width);
        if ((port & 3) + width > 4) throw new IllegalArgumentException("I/O access must not cross a DW: 0x" + Long.toHexString(port));
    }

    private static void check4k(long address, int width) {
        if ((address & 0xFFF) + width > 0x1000)
            throw new IllegalArgumentException("access at 0x" + Long.toHexString(address) + " of " + width + " bytes crosses a 4 KiB boundary");
    }

    /** An access to a function removed by surprise: it fails at once, as behind a port whose link is down. */
    private Access removed(int width) {
        counters.increment(Counter.LINK_DOWN_FAILURE);
        return new Access(Outcome.LINK_DOWN, DwAccess.allOnes(width));
    }

    private Access noRoute(String what, int width) {
        counters.increment(Counter.MASTER_ABORT);
        unassigned.warn("{}", what);
        return new Access(Outcome.UNSUPPORTED_REQUEST, DwAccess.allOnes(width));
    }

    /**
     * Sends a non-posted request and waits for its completion(s). {@code byteCount} is the data
     * expected back (0 for writes); {@code completer} the ID that must answer, or -1 for any.
     * The value is the first 8 bytes of the data, little-endian. Failures are counted ({@code
     * count} false keeps URs out, for enumeration's probes).
     */
    private Access nonPosted(EndpointLink link, IntFunction<Tlp> request, int byteCount, int completer, boolean expectsData,
                             boolean count) {
        if (loop.inLoop())
            throw new IllegalStateException("a blocking request on the root complex's loop thread would stop the loop that completes it;"
                    + " use the asynchronous form");
        CompletableFuture<Access> f = submit(link, request, byteCount, completer, expectsData);
        Access a;
        try {
            a = f.get(link.tracker().timeoutNanos() + LOOP_GRACE_NS, TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            a = new Access(Outcome.LINK_DOWN, -1);
        } catch (TimeoutException e) {
            log.error("the root complex's loop did not end a request within its completion timeout: is it stuck?");
            a = new Access(Outcome.TIMEOUT, -1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            a = new Access(Outcome.LINK_DOWN, -1);
        }
        countFailure(a.outcome(), count);
        return a;
    }

    private void countFailure(Outcome o, boolean count) {
        switch (o) {
            case UNSUPPORTED_REQUEST -> { if (count) counters.increment(Counter.UNSUPPORTED_REQUEST); }
            case COMPLETER_ABORT -> counters.increment(Counter.COMPLETER_ABORT);
            case LINK_DOWN -> counters.increment(Counter.LINK_DOWN_FAILURE);
            case SUCCESS, CONFIG_RETRY, TIMEOUT -> { }
        }
    }

    /**
     * Hands a non-posted request to the loop (or opens it at once on the loop thread). The future
     * completes with the access, or exceptionally with {@link LinkDownException} when the link is
     * or goes down before the completion, or the root complex is closed.
     */
    private CompletableFuture<Access> submit(EndpointLink link, IntFunction<Tlp> request, int byteCount, int completer,
                                             boolean expectsData) {
        CompletionTracker.Request r = link.tracker().newRequest(request, byteCount, completer, expectsData);
        if (loop.inLoop()) {
            link.submit(r);
        } else {
            try {
                loop.execute(() -> link.submit(r));
            } catch (IllegalStateException e) { // the loop is closed
                r.result.completeExceptionally(new LinkDownException("root complex closed"));
            }
        }
        return r.result;
    }

    /**
     * Reads 1, 2, 4 or 8 bytes at a bus address inside an assigned BAR without waiting: from any
     * thread, the loop's own included. The future completes on the loop thread with the access
     * (an outcome other than success for a timeout, UR or CA), or exceptionally with
     * {@link LinkDownException} when the link is or goes down first.
     */
    public CompletableFuture<Access> memReadAsync(long address, int width) {
        DwAccess acc = DwAccess.of(address, width);
        check4k(address, width);
        AddressMap.Route route = addressMap.memory(address, width);
        if (route == null) return CompletableFuture.completedFuture(noRoute("memory read at 0x" + Long.toHexString(address)
                + ": no BAR decodes it; reads all-ones", width));
        PcieDevice d = route.device();
        counters.add(d.bdf(), FunctionCounters.Event.MMIO_READ, 1);
        if (!d.present()) { // as for a link that is down: the future fails, as this method promises
            counters.increment(Counter.LINK_DOWN_FAILURE);
            return CompletableFuture.failedFuture(new LinkDownException(d.name() + " is removed (surprise removal) until its hot insertion"));
        }
        return submit(d.link(), tag -> new MemRead(REQUESTER_ID, tag, acc.dwAddress(), acc.dwCount(), acc.firstBe(), acc.lastBe()),
                width, d.bdf(), true).thenApply(a -> {
                    countFailure(a.outcome(), true);
                    return a.outcome().ok() ? a : new Access(a.outcome(), DwAccess.allOnes(width));
                });
    }

    /**
     * One raw TLP round trip on a link, answered by the endpoint's router without any device:
     * a configuration read of device 1 on the link's bus, an empty slot that completes with UR.
     * Returns the round-trip time in nanoseconds, or -1 when no completion came back.
     */
    public long tlpRoundTrip(EndpointLink link) {
        int emptySlot = Bdf.of(link.bus(), 1, 0);
        long t0 = System.nanoTime();
        Access a = nonPosted(link, tag -> new CfgRead(ConfigType.TYPE0, REQUESTER_ID, tag, emptySlot, 0, 0xF), 4, -1, true, false);
        long t1 = System.nanoTime();
        return a.outcome() == Outcome.SUCCESS || a.outcome() == Outcome.UNSUPPORTED_REQUEST ? t1 - t0 : -1;
    }

    @Override public void close() {
        // Writes handed to the loop leave before the links close, as they would have left a
        // blocking send; then TLPs already handed to the loop may still touch host memory.
        drainLoop();
        for (EndpointLink l : links) l.close();
        hotPlug.close();
        if (ownsLoop) loop.close();
        else drainLoop();
        hostMemory.close();
    }

    /** Waits (bounded) until the loop ran everything handed to it so far; nothing to wait for on the loop itself. */
    private void drainLoop() {
        if (loop.inLoop()) return;
        try {
            loop.call(() -> null).get(5, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            log.debug("loop did not drain before the root complex closed: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
