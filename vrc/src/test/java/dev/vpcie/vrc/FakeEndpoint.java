package dev.vpcie.vrc;

import dev.vpcie.protocol.link.DirectTlpPort;
import dev.vpcie.protocol.link.TlpHandler;
import dev.vpcie.protocol.tlp.Attributes;
import dev.vpcie.protocol.tlp.Bdf;
import dev.vpcie.protocol.tlp.CfgRead;
import dev.vpcie.protocol.tlp.CfgWrite;
import dev.vpcie.protocol.tlp.Completion;
import dev.vpcie.protocol.tlp.CplStatus;
import dev.vpcie.protocol.tlp.IoRead;
import dev.vpcie.protocol.tlp.IoWrite;
import dev.vpcie.protocol.tlp.MemRead;
import dev.vpcie.protocol.tlp.MemWrite;
import dev.vpcie.protocol.tlp.Message;
import dev.vpcie.protocol.tlp.Tlp;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A minimal endpoint for the root complex's unit tests, answering on the far end of a
 * {@link DirectTlpPort}: configuration requests from {@link FakeFunction}s (UR for device
 * numbers other than 0 and for absent functions), memory and I/O requests from BAR arrays, and
 * device-side DMA reads/writes, MSI, MSI-X and INTx issued by the test. Its completions follow
 * the spec's Byte Count / Lower Address rules so the root complex's reassembly is exercised.
 */
final class FakeEndpoint implements TlpHandler {
    final DirectTlpPort port;
    final FakeFunction[] functions = new FakeFunction[8];
    /** Drop everything from now on (a hung or dead device with the link still up). */
    volatile boolean stopped;
    /** Answer this many configuration requests with CRS before serving them. */
    final AtomicInteger configRetries = new AtomicInteger();
    /** Split every memory read completion into one completion per DW. */
    volatile boolean splitCompletions;
    /** Bus/device captured from type-0 configuration writes (-1 until the first). */
    volatile int bus = -1, device = -1;
    final AtomicInteger unexpected = new AtomicInteger();
    private final Map<Integer, DmaRead> reads = new ConcurrentHashMap<>();
    private final AtomicInteger nextTag = new AtomicInteger();

    FakeEndpoint(DirectTlpPort port) {
        this.port = port;
        port.handler(this);
    }

    FakeEndpoint with(FakeFunction f) {
        functions[f.function] = f;
        return this;
    }

    int requesterId(int fn) { return Bdf.of(Math.max(bus, 0), Math.max(device, 0), fn); }

    @Override public void onTlp(Tlp tlp) {
        if (stopped) return;
        switch (tlp) {
            case CfgRead r -> configRead(r);
            case CfgWrite w -> configWrite(w);
            case MemRead r -> memRead(r);
            case MemWrite w -> memWrite(w);
            case IoRead r -> ioRead(r);
            case IoWrite w -> ioWrite(w);
            case Completion c -> dmaCompletion(c);
            case Message m -> unexpected.incrementAndGet();
        }
    }

    private FakeFunction target(int target) {
        return Bdf.device(target) == 0 ? functions[Bdf.function(target)] : null;
    }

    private void configRead(CfgRead r) {
        FakeFunction f = target(r.target());
        if (f == null) { send(ur(r.requester(), r.tag(), r.target())); return; }
        if (configRetries.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            send(new Completion(r.target(), CplStatus.CRS, false, 4, r.requester(), r.tag(), 0, Attributes.DEFAULT, null));
            return;
        }
        byte[] dw = new byte[4];
        System.arraycopy(f.config, r.register(), dw, 0, 4);
        send(new Completion(r.target(), CplStatus.SC, false, 4, r.requester(), r.tag(), 0, Attributes.DEFAULT, dw));
    }

    private void configWrite(CfgWrite w) {
        FakeFunction f = target(w.target());
        if (f == null) { send(ur(w.requester(), w.tag(), w.target())); return; }
        bus = Bdf.bus(w.target());
        device = Bdf.device(w.target());
        f.configWrite(w.register(), w.firstBe(), w.data());
        send(new Completion(w.target(), CplStatus.SC, false, 4, w.requester(), w.tag(), 0, Attributes.DEFAULT, null));
    }

    private record Hit(FakeFunction f, int bar, int offset) {}

    private Hit hit(long address, boolean io) {
        for (FakeFunction f : functions) {
            if (f == null || (io ? !f.ioEnabled() : !f.memoryEnabled())) continue;
            int bar = f.decode(address, io);
            if (bar >= 0) return new Hit(f, bar, (int) (address - f.barBase(bar)));
        }
        return null;
    }

    private void memRead(MemRead r) {
        Hit h = hit(r.address(), false);
        if (h == null) { send(ur(r.requester(), r.tag(), requesterId(0))); return; }
        int completer = requesterId(h.f.function);
        int lastBe = r.length() == 1 ? r.firstBe() : r.lastBe();
        int first = Integer.numberOfTrailingZeros(r.firstBe());
        int byteCount = (r.length() - 1) * 4 + (32 - Integer.numberOfLeadingZeros(lastBe)) - first;
        byte[] all = new byte[r.length() * 4];
        System.arraycopy(h.f.barMemory[h.bar], h.offset, all, 0, all.length);
        if (!splitCompletions) {
            send(new Completion(completer, CplStatus.SC, false, byteCount, r.requester(), r.tag(),
                    (int) ((r.address() + first) & 0x7F), Attributes.DEFAULT, all));
            return;
        }
        for (int dw = 0; dw < r.length(); dw++) {
            int from = dw == 0 ? first : dw * 4;
            byte[] one = new byte[4];
            System.arraycopy(all, dw * 4, one, 0, 4);
            send(new Completion(completer, CplStatus.SC, false, byteCount - (from - first), r.requester(), r.tag(),
                    (int) ((r.address() + from) & 0x7F), Attributes.DEFAULT, one));
        }
    }

    private void memWrite(MemWrite w) {
        Hit h = hit(w.address(), false);
        if (h == null) { unexpected.incrementAndGet(); return; }
        int lastBe = w.length() == 1 ? w.firstBe() : w.lastBe();
        byte[] mem = h.f.barMemory[h.bar];
        for (int i = 0; i < w.data().length; i++) {
            int dw = i / 4, be = dw == 0 ? w.firstBe() : dw == w.length() - 1 ? lastBe : 0xF;
            if ((be & 1 << (i & 3)) != 0) mem[h.offset + i] = w.data()[i];
        }
    }

    private void ioRead(IoRead r) {
        Hit h = hit(r.address(), true);
        if (h == null) { send(ur(r.requester(), r.tag(), requesterId(0))); return; }
        byte[] dw = new byte[4];
        System.arraycopy(h.f.barMemory[h.bar], h.offset, dw, 0, 4);
        send(new Completion(requesterId(h.f.function), CplStatus.SC, false, 4, r.requester(), r.tag(), 0, Attributes.DEFAULT, dw));
    }

    private void ioWrite(IoWrite w) {
        Hit h = hit(w.address(), true);
        if (h == null) { send(ur(w.requester(), w.tag(), requesterId(0))); return; }
        for (int i = 0; i < 4; i++) if ((w.firstBe() & 1 << i) != 0) h.f.barMemory[h.bar][h.offset + i] = w.data()[i];
        send(new Completion(requesterId(h.f.function), CplStatus.SC, false, 4, w.requester(), w.tag(), 0, Attributes.DEFAULT, null));
    }

    private static Completion ur(int requester, int tag, int completer) {
        return new Completion(completer, CplStatus.UR, false, 4, requester, tag, 0, Attributes.DEFAULT, null);
    }

    private void send(Tlp t) { port.send(t); }

    // ---- device-initiated traffic, called from test threads ----

    /** What a DMA read got back: the status of its (last) completion and the bytes. */
    record DmaResult(CplStatus status, byte[] data) {}

    private static final class DmaRead {
        final byte[] data;
        int received;
        volatile CplStatus status;
        final CountDownLatch done = new CountDownLatch(1);

        DmaRead(int length) { data = new byte[length]; }
    }

    /** A device DMA read of {@code length} bytes (at most 4 KiB, not crossing 4 KiB); null when nothing came back within 5 s. */
    DmaResult dmaRead(int fn, long address, int length) throws InterruptedException {
        int tag = nextTag.getAndIncrement() & 0xFF;
        DmaRead pending = new DmaRead(length);
        reads.put(tag, pending);
        long dwStart = address & ~3L, end = address + length;
        int dws = (int) ((end - dwStart + 3) / 4);
        long mask = ((1L << length) - 1);
        int firstBe = dws == 1 ? (int) ((mask << (address & 3)) & 0xF) : 0xF << (address & 3) & 0xF;
        int lastBe = dws == 1 ? 0 : 0xF >>> ((4 - (int) (end & 3)) & 3);
        port.send(new MemRead(requesterId(fn), tag, dwStart, dws, firstBe, lastBe));
        boolean done = pending.done.await(5, TimeUnit.SECONDS);
        reads.remove(tag);
        return done ? new DmaResult(pending.status, pending.data) : null;
    }

    private void dmaCompletion(Completion c) {
        DmaRead r = reads.get(c.tag());
        if (r == null) { unexpected.incrementAndGet(); return; }
        if (c.status() != CplStatus.SC) {
            r.status = c.status();
            r.done.countDown();
            return;
        }
        int skip = c.lowerAddress() & 3;
        int take = Math.min(c.byteCount(), c.data().length - skip);
        System.arraycopy(c.data(), skip, r.data, r.received, take);
        r.received += take;
        if (r.received == r.data.length) {
            r.status = CplStatus.SC;
            r.done.countDown();
        }
    }

    /** A posted DMA write (any alignment, split into MWr of at most 128 bytes, none crossing 4 KiB). */
    void dmaWrite(int fn, long address, byte[] bytes) {
        int pos = 0;
        while (pos < bytes.length) {
            long a = address + pos;
            int chunk = (int) Math.min(bytes.length - pos, Math.min(128 - (a & 3), 0x1000 - (a & 0xFFF)));
            long dwStart = a & ~3L, end = a + chunk;
            int dws = (int) ((end - dwStart + 3) / 4);
            byte[] data = new byte[dws * 4];
            System.arraycopy(bytes, pos, data, (int) (a & 3), chunk);
            long mask = (1L << Math.min(chunk, 62)) - 1;
            int firstBe = dws == 1 ? (int) ((mask << (a & 3)) & 0xF) : 0xF << (a & 3) & 0xF;
            int lastBe = dws == 1 ? 0 : 0xF >>> ((4 - (int) (end & 3)) & 3);
            port.send(new MemWrite(requesterId(fn), 0, dwStart, firstBe, lastBe, data));
            pos += chunk;
        }
    }

    /** Signals MSI-X vector {@code v} of a function as its table says (unless masked; returns whether sent). */
    boolean msix(int fn, int v) {
        FakeFunction f = functions[fn];
        if ((f.get16(0x72) & 0x8000) == 0 || (f.get16(0x72) & 0x4000) != 0) return false;
        byte[] table = f.barMemory[3];
        int e = v * 16;
        long address = le(table, e, 4) | le(table, e + 4, 4) << 32;
        long data = le(table, e + 8, 4);
        if ((le(table, e + 12, 4) & 1) != 0) return false;
        byte[] payload = new byte[4];
        for (int i = 0; i < 4; i++) payload[i] = (byte) (data >>> (8 * i));
        port.send(new MemWrite(requesterId(fn), 0, address, 0xF, 0, payload));
        return true;
    }

    /** Signals MSI vector {@code v}: data with the vector ORed into the enabled low bits, 16-bit write. */
    boolean msi(int fn, int v) {
        FakeFunction f = functions[fn];
        int control = f.get16(0x52);
        if ((control & 1) == 0) return false;
        int enabled = 1 << (control >>> 4 & 7);
        if (v >= enabled || (f.get32(0x60) & 1 << v) != 0) return false;
        long address = (f.get32(0x54) & 0xFFFF_FFFFL) | (long) f.get32(0x58) << 32;
        int data = f.get16(0x5C) & ~(enabled - 1) | v;
        port.send(new MemWrite(requesterId(fn), 0, address, 0x3, 0, new byte[] {(byte) data, (byte) (data >>> 8), 0, 0}));
        return true;
    }

    void intx(int fn, boolean assertIt) {
        port.send(assertIt ? Message.assertIntx(requesterId(fn), 0) : Message.deassertIntx(requesterId(fn), 0));
    }

    private static long le(byte[] b, int off, int n) {
        long v = 0;
        for (int i = n - 1; i >= 0; i--) v = v << 8 | (b[off + i] & 0xFF);
        return v;
    }
}
