package dev.vpcie.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.vpcie.protocol.link.DirectTlpPort;
import dev.vpcie.protocol.link.TlpHandler;
import dev.vpcie.protocol.tlp.Attributes;
import dev.vpcie.protocol.tlp.ByteEnables;
import dev.vpcie.protocol.tlp.CfgRead;
import dev.vpcie.protocol.tlp.CfgWrite;
import dev.vpcie.protocol.tlp.Completion;
import dev.vpcie.protocol.tlp.CompletionAssembler;
import dev.vpcie.protocol.tlp.Completions;
import dev.vpcie.protocol.tlp.ConfigType;
import dev.vpcie.protocol.tlp.CplStatus;
import dev.vpcie.protocol.tlp.IoRead;
import dev.vpcie.protocol.tlp.IoWrite;
import dev.vpcie.protocol.tlp.MemRead;
import dev.vpcie.protocol.tlp.MemWrite;
import dev.vpcie.protocol.tlp.Message;
import dev.vpcie.protocol.tlp.Tlp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A stand-in for the VRC on the other end of a {@link DirectTlpPort}: sends configuration, memory and
 * I/O requests and waits for their completions; serves the device's DMA from a byte array of host
 * memory at {@link #MEMORY_BASE}, with fault rules (answer UR, CA, nothing, poisoned, or hold reads
 * back until several are outstanding); and records everything else the device sends.
 */
final class TestHost implements TlpHandler {
    static final int REQUESTER = 0; // 00:00.0
    static final long MEMORY_BASE = 0x1_0000_0000L;
    static final long TIMEOUT_S = 10;

    /** What the host does with a device's memory read. */
    enum Answer { DATA, UR, CA, NOTHING, POISONED }

    final DirectTlpPort port;
    final byte[] memory;
    /** Every TLP the device sent, in order. */
    final List<Tlp> fromDevice = new CopyOnWriteArrayList<>();
    /** Device memory writes outside host memory (interrupt messages land here) and INTx messages, in order. */
    final LinkedBlockingQueue<Tlp> messages = new LinkedBlockingQueue<>();
    private final Map<Integer, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicInteger nextTag = new AtomicInteger();
    private volatile Predicate<MemRead> refuse = r -> false;
    private volatile Answer refusal = Answer.DATA;
    private volatile int holdUntil;
    private final List<MemRead> held = new ArrayList<>();
    private final AtomicInteger maxHeld = new AtomicInteger();
    private volatile int completionPayload = 256;

    private record Pending(Tlp request, CompletionAssembler assembler, LinkedBlockingQueue<Object> result) {}

    TestHost(DirectTlpPort port, int memoryBytes) {
        this.port = port;
        this.memory = new byte[memoryBytes];
        port.handler(this);
    }

    // ------------------------------------------------------------------ configuration

    /** Device reads matching {@code which} get {@code answer} instead of data. */
    void refuseReads(Predicate<MemRead> which, Answer answer) {
        this.refuse = which;
        this.refusal = answer;
    }

    /** Holds device reads back until {@code n} are outstanding, then answers them all, newest first. 0 turns it off. */
    synchronized void holdReadsUntil(int n) { this.holdUntil = n; }

    /** Most device reads that were outstanding at once while holding. */
    int maxOutstandingSeen() { return maxHeld.get(); }

    /** Payload size of the completions the host sends for device reads. */
    void completionPayload(int bytes) { this.completionPayload = bytes; }

    // ------------------------------------------------------------------ requests to the device

    int configRead(int bdf, int register) throws InterruptedException {
        Completion c = single(new CfgRead(ConfigType.TYPE0, REQUESTER, tag(), bdf, register & ~3, 0xF));
        assertEquals(CplStatus.SC, c.status(), "config read of " + Integer.toHexString(register));
        return le(c.data(), 0);
    }

    /** The completion of a config request of {@code type} (for UR checks). */
    Completion configReadRaw(ConfigType type, int bdf, int register) throws InterruptedException {
        return single(new CfgRead(type, REQUESTER, tag(), bdf, register, 0xF));
    }

    void configWrite(int bdf, int register, int value) throws InterruptedException {
        configWrite(bdf, register, value, 0xF);
    }

    void configWrite(int bdf, int register, int value, int be) throws InterruptedException {
        Completion c = single(new CfgWrite(ConfigType.TYPE0, REQUESTER, tag(), bdf, register & ~3, be, le(value)));
        assertEquals(CplStatus.SC, c.status(), "config write of " + Integer.toHexString(register));
    }

    /** Reads {@code len} (1..4096) bytes at {@code address}; throws AssertionError unless successful. */
    byte[] memRead(long address, int len) throws InterruptedException {
        Object r = memReadResult(address, len);
        if (r instanceof byte[] b) return b;
        throw new AssertionError("memory read at 0x" + Long.toHexString(address) + " failed: " + r);
    }

    /** The bytes, or the failing CplStatus. */
    Object memReadResult(long address, int len) throws InterruptedException {
        ByteEnables.Span s = ByteEnables.of(address, len);
        MemRead r = new MemRead(REQUESTER, tag(), s.dwAddress(), s.length(), s.firstBe(), s.lastBe());
        return await(r);
    }

    /** A little-endian value of {@code size} bytes. */
    long memReadValue(long address, int size) throws InterruptedException {
        byte[] b = memRead(address, size);
        long v = 0;
        for (int i = size - 1; i >= 0; i--) v = v << 8 | (b[i] & 0xFF);
        return v;
    }

    void memWrite(long address, byte[] data) throws InterruptedException {
        ByteEnables.Span s = ByteEnables.of(address, data.length);
        byte[] payload = new byte[s.length() * 4];
        System.arraycopy(data, 0, payload, (int) (address & 3), data.length);
        port.send(new MemWrite(REQUESTER, 0, s.dwAddress(), s.firstBe(), s.lastBe(), payload));
    }

    void memWriteValue(long address, int size, long value) throws InterruptedException {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) b[i] = (byte) (value >>> (8 * i));
        memWrite(address, b);
    }

    /** Sends any request and returns its (single) completion. */
    Completion single(Tlp request) throws InterruptedException {
        LinkedBlockingQueue<Object> q = new LinkedBlockingQueue<>();
        pending.put(request.tag(), new Pending(request, null, q));
        port.send(request);
        Object o = q.poll(TIMEOUT_S, TimeUnit.SECONDS);
        assertNotNull(o, "no completion for " + request);
        return (Completion) o;
    }

    private Object await(MemRead r) throws InterruptedException {
        LinkedBlockingQueue<Object> q = new LinkedBlockingQueue<>();
        pending.put(r.tag(), new Pending(r, CompletionAssembler.forRequest(r), q));
        port.send(r);
        Object o = q.poll(TIMEOUT_S, TimeUnit.SECONDS);
        assertNotNull(o, "no completion for " + r);
        return o;
    }

    int tag() { return nextTag.getAndIncrement() & 0xFF; }

    /** The next interrupt or INTx message (or memory write outside host memory), waiting a bounded time. */
    Tlp nextMessage() throws InterruptedException {
        Tlp t = messages.poll(TIMEOUT_S, TimeUnit.SECONDS);
        assertNotNull(t, "no message from the device");
        return t;
    }

    // ------------------------------------------------------------------ from the device (dispatcher thread)

    /** Assertion failures on the dispatcher thread, which must not die of them; the fixture checks this is empty. */
    final List<Throwable> errors = new CopyOnWriteArrayList<>();

    @Override public void onTlp(Tlp tlp) {
        try {
            handle(tlp);
        } catch (RuntimeException | AssertionError e) {
            errors.add(e);
        }
    }

    private void handle(Tlp tlp) {
        fromDevice.add(tlp);
        switch (tlp) {
            case Completion c -> completion(c);
            case MemRead r -> dmaRead(r);
            case MemWrite w -> dmaWrite(w);
            case Message m -> messages.add(m);
            case CfgRead r -> throw new AssertionError("an endpoint sent a configuration request: " + r);
            case CfgWrite w -> throw new AssertionError("an endpoint sent a configuration request: " + w);
            case IoRead r -> throw new AssertionError("an endpoint sent an I/O request: " + r);
            case IoWrite w -> throw new AssertionError("an endpoint sent an I/O request: " + w);
        }
    }

    private void completion(Completion c) {
        Pending p = pending.get(c.tag());
        if (p == null) throw new AssertionError("completion for no request: " + c);
        if (p.assembler() == null) {
            pending.remove(c.tag());
            p.result().add(c);
            return;
        }
        CompletionAssembler.State s = p.assembler().accept(c);
        switch (s) {
            case PENDING -> { }
            case DONE -> {
                pending.remove(c.tag());
                p.result().add(p.assembler().bytes());
            }
            case FAILED -> {
                pending.remove(c.tag());
                p.result().add(c.status() != CplStatus.SC ? c.status() : p.assembler().failure());
            }
        }
    }

    private void dmaRead(MemRead r) {
        List<MemRead> batch;
        synchronized (this) {
            if (holdUntil > 0) {
                held.add(r);
                maxHeld.accumulateAndGet(held.size(), Math::max);
                if (held.size() < holdUntil) return;
                batch = new ArrayList<>(held.reversed());
                held.clear();
            } else {
                batch = List.of(r);
            }
        }
        for (MemRead m : batch) answer(m);
    }

    /** Answers whatever is held (the last reads of a transfer smaller than the hold count). */
    void releaseHeld() {
        List<MemRead> batch;
        synchronized (this) {
            batch = new ArrayList<>(held);
            held.clear();
        }
        for (MemRead m : batch) answer(m);
    }

    private void answer(MemRead r) {
        if (refuse.test(r)) {
            switch (refusal) {
                case DATA -> { }
                case UR -> {
                    port.send(Completions.unsupportedRequest(r, REQUESTER));
                    return;
                }
                case CA -> {
                    port.send(Completions.completerAbort(r, REQUESTER));
                    return;
                }
                case NOTHING -> {
                    return;
                }
                case POISONED -> {
                    Completion ok = completionsFor(r).getFirst();
                    port.send(new Completion(ok.completer(), ok.status(), ok.bcm(), ok.byteCount(), ok.requester(), ok.tag(),
                            ok.lowerAddress(), new Attributes(0, false, false, false, true), ok.data()));
                    return;
                }
            }
        }
        for (Completion c : completionsFor(r)) port.send(c);
    }

    private List<Completion> completionsFor(MemRead r) {
        byte[] data = new byte[r.length() * 4];
        long off = r.address() - MEMORY_BASE;
        if (off < 0 || off + data.length > memory.length) throw new AssertionError("device read outside host memory: " + r);
        synchronized (memory) {
            System.arraycopy(memory, (int) off, data, 0, data.length);
        }
        return Completions.read(r, REQUESTER, data, Completions.RCB_64, completionPayload);
    }

    private void dmaWrite(MemWrite w) {
        long off = w.address() - MEMORY_BASE;
        if (off < 0 || off + w.data().length > memory.length) {
            messages.add(w);
            return;
        }
        synchronized (memory) {
            for (EnabledBytes.Run run : EnabledBytes.of(w.length(), w.firstBe(), w.lastBe()))
                System.arraycopy(w.data(), run.offset(), memory, (int) off + run.offset(), run.length());
        }
    }

    /** A copy of host memory at {@code address}. */
    byte[] memory(long address, int len) {
        synchronized (memory) {
            byte[] b = new byte[len];
            System.arraycopy(memory, (int) (address - MEMORY_BASE), b, 0, len);
            return b;
        }
    }

    void fill(long address, byte[] data) {
        synchronized (memory) {
            System.arraycopy(data, 0, memory, (int) (address - MEMORY_BASE), data.length);
        }
    }

    static byte[] le(int v) { return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)}; }

    static int le(byte[] b, int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF) << 16 | (b[at + 3] & 0xFF) << 24;
    }
}
