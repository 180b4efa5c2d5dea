package dev.vpcie.vrc;

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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Virtual Root Complex: host memory with DMA windows, the MSI window and interrupt
 * dispatch, one {@link EndpointLink} per endpoint (each endpoint is one bus below the root),
 * the {@link AddressMap} that routes every access, and request tracking with a completion
 * timeout. A read that times out, finds its link down or is completed with UR/CA returns
 * all-ones and is counted, as real root complexes do; a dead endpoint never hangs a caller.
 *
 * <p>Thread model: callers (drivers, CLI, benchmarks) block in the read methods; link threads
 * deliver completions to them and serve device DMA and interrupts without blocking; interrupt
 * handlers run on one dispatcher thread.
 */
public final class RootComplex implements AutoCloseable {
    /** The root complex's own Routing ID, 00:00.0, used as requester ID of every request it sends. */
    public static final int REQUESTER_ID = 0;
    /** How often a configuration request answered with CRS is re-issued before it reads as all-ones. */
    static final int CONFIG_RETRY_LIMIT = 100;
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
    private final Interrupts interrupts;
    private final DeviceRequests deviceRequests;
    private final Enumerator enumerator;
    private final List<EndpointLink> links = new CopyOnWriteArrayList<>();
    private final RareLog unassigned = new RareLog(log);

    public RootComplex(RootComplexConfig config) {
        this.config = config;
        this.hostMemory = new HostMemory(config.hostMemorySize());
        this.msiWindow = new MsiWindow(config.msiWindow());
        this.dispatcher = new InterruptDispatcher(counters);
        this.interrupts = new Interrupts(this, msiWindow, dispatcher, counters);
        this.deviceRequests = new DeviceRequests(this, interrupts, counters);
        this.enumerator = new Enumerator(this);
    }

    public RootComplex() { this(RootComplexConfig.defaults()); }

    /**
     * Connects an endpoint reached through {@code port}; it becomes the next bus (1, 2, ...).
     * Callers bound how many they attach ({@link #MAX_BUSES}); one too many is a bug.
     */
    public synchronized EndpointLink attach(TlpPort port) {
        int bus = links.size() + 1;
        if (bus > MAX_BUSES) throw new IllegalStateException("no bus numbers left: a root complex has " + MAX_BUSES + " buses");
        CompletionTracker tracker = new CompletionTracker(counters, config.completionTimeout().toNanos(), REQUESTER_ID);
        EndpointLink link = new EndpointLink(port, bus, tracker, deviceRequests);
        addressMap.assignBus(bus, link);
        links.add(link);
        return link;
    }

    public List<EndpointLink> links() { return List.copyOf(links); }

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
        for (PcieDevice gone : addressMap.removeBus(link.bus())) {
            dmaWindows.unmapAll(gone.bdf());
            dmaMemories.remove(gone.bdf());
            msiWindow.release(gone);
        }
        link.clearRestarted();
        List<PcieDevice> found = enumerator.scan(link);
        for (PcieDevice d : found) addressMap.add(d);
        return found;
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
    public AddressMap addressMap() { return addressMap; }
    Interrupts interrupts() { return interrupts; }
    Window msiWindow() { return msiWindow.window(); }

    // ---- configuration requests ----

    /** Reads 1, 2 or 4 bytes of a function's configuration space (8: two DWs, low first); all-ones on failure. */
    public long configRead(int bdf, int offset, int width) {
        if (width == 8) {
            checkConfig(offset, 4);
            return configRead(bdf, offset, 4) | configRead(bdf, offset + 4, 4) << 32;
        }
        return configAccess(bdf, offset, width, true).value();
    }

    /** Writes 1, 2 or 4 bytes (8: two DWs, low first). Failures are counted, as a root complex drops them. */
    public void configWrite(int bdf, int offset, int width, long value) {
        if (width == 8) {
            checkConfig(offset, 4);
            configWrite(bdf, offset, 4, value & 0xFFFF_FFFFL);
            configWrite(bdf, offset + 4, 4, value >>> 32);
            return;
        }
        configWriteAccess(bdf, offset, width, value);
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

    /** Reads 1, 2, 4 or 8 bytes at a bus address inside an assigned BAR; all-ones on failure. */
    public long memRead(long address, int width) { return memAccess(address, width).value(); }

    /** Like {@link #memRead} but reporting how the read ended. */
    public Access memAccess(long address, int width) {
        DwAccess acc = DwAccess.of(address, width);
        check4k(address, width);
        AddressMap.Route route = addressMap.memory(address, width);
        if (route == null) return noRoute("memory read at 0x" + Long.toHexString(address) + ": no BAR decodes it; reads all-ones", width);
        PcieDevice d = route.device();
        Access a = nonPosted(d.link(), tag -> new MemRead(REQUESTER_ID, tag, acc.dwAddress(), acc.dwCount(), acc.firstBe(),
                acc.lastBe()), width, d.bdf(), true, true);
        return a.outcome().ok() ? a : new Access(a.outcome(), DwAccess.allOnes(width));
    }

    /** Posted memory write of 1, 2, 4 or 8 bytes; dropped and counted when no BAR decodes it or the link is down. */
    public void memWrite(long address, int width, long value) {
        DwAccess acc = DwAccess.of(address, width);
        check4k(address, width);
        AddressMap.Route route = addressMap.memory(address, width);
        if (route == null) {
            noRoute("memory write at 0x" + Long.toHexString(address) + ": no BAR decodes it; dropped", width);
            return;
        }
        posted(route.device().link(), new MemWrite(REQUESTER_ID, 0, acc.dwAddress(), acc.firstBe(), acc.lastBe(), acc.payload(value)));
    }

    /** Sends a posted TLP; a link that is down drops it (counted). */
    void posted(EndpointLink link, Tlp tlp) {
        try {
            link.send(tlp);
        } catch (LinkDownException e) {
            counters.increment(Counter.LINK_DOWN_FAILURE);
            log.debug("posted request dropped, link to bus {} down: {}", link.bus(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public long ioRead(long port, int width) {
        checkIo(port, width);
        AddressMap.Route route = addressMap.io(port, width);
        if (route == null) return noRoute("I/O read at 0x" + Long.toHexString(port) + ": no BAR decodes it; reads all-ones", width).value();
        int shift = (int) (port & 3);
        int be = ((1 << width) - 1) << shift;
        Access a = nonPosted(route.device().link(), tag -> new IoRead(REQUESTER_ID, tag, (int) port & ~3, be),
                4, route.device().bdf(), true, true);
        return a.outcome().ok() ? a.value() >>> (8 * shift) & DwAccess.allOnes(width) : DwAccess.allOnes(width);
    }

    public void ioWrite(long port, int width, long value) {
        checkIo(port, width);
        AddressMap.Route route = addressMap.io(port, width);
        if (route == null) {
            noRoute("I/O write at 0x" + Long.toHexString(port) + ": no BAR decodes it; dropped", width);
            return;
        }
        int shift = (int) (port & 3);
        int be = ((1 << width) - 1) << shift;
        byte[] data = new byte[4];
        for (int i = 0; i < width; i++) data[shift + i] = (byte) (value >>> (8 * i));
        nonPosted(route.device().link(), tag -> new IoWrite(REQUESTER_ID, tag, (int) port & ~3, be, data),
                0, route.device().bdf(), false, true);
    }

    private static void checkIo(long port, int width) {
        if (width != 1 && width != 2 && width != 4) throw new IllegalArgumentException("I/O accesses are 1, 2 or 4 bytes: " + width);
        if ((port & 3) + width > 4) throw new IllegalArgumentException("I/O access must not cross a DW: 0x" + Long.toHexString(port));
    }

    private static void check4k(long address, int width) {
        if ((address & 0xFFF) + width > 0x1000)
            throw new IllegalArgumentException("access at 0x" + Long.toHexString(address) + " of " + width + " bytes crosses a 4 KiB boundary");
    }

    private Access noRoute(String what, int width) {
        counters.increment(Counter.MASTER_ABORT);
        unassigned.warn("{}", what);
        return new Access(Outcome.UNSUPPORTED_REQUEST, DwAccess.allOnes(width));
    }

    /**
     * Sends a non-posted request and waits for its completion(s). {@code byteCount} is the data
     * expected back (0 for writes); {@code completer} the ID that must answer, or -1 for any.
     * The value is the first 8 bytes of the data, little-endian.
     */
    private Access nonPosted(EndpointLink link, IntFunction<Tlp> request, int byteCount, int completer, boolean expectsData,
                             boolean count) {
        CompletionTracker tracker = link.tracker();
        try {
            CompletionTracker.Request r = tracker.open(byteCount, completer, expectsData);
            if (r == null) {
                counters.increment(Counter.COMPLETION_TIMEOUT);
                return new Access(Outcome.TIMEOUT, -1);
            }
            try {
                link.send(request.apply(r.tag));
            } catch (LinkDownException e) {
                tracker.abandon(r);
                counters.increment(Counter.LINK_DOWN_FAILURE);
                return new Access(Outcome.LINK_DOWN, -1);
            }
            Outcome o = r.await();
            switch (o) {
                case SUCCESS -> { return new Access(o, DwAccess.value(r.data(), 0, Math.min(8, byteCount))); }
                case UNSUPPORTED_REQUEST -> { if (count) counters.increment(Counter.UNSUPPORTED_REQUEST); }
                case COMPLETER_ABORT -> counters.increment(Counter.COMPLETER_ABORT);
                case LINK_DOWN -> counters.increment(Counter.LINK_DOWN_FAILURE);
                case CONFIG_RETRY, TIMEOUT -> { }
            }
            return new Access(o, -1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Access(Outcome.LINK_DOWN, -1);
        }
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
        for (EndpointLink l : links) l.close();
        dispatcher.close();
        hostMemory.close();
    }
}
