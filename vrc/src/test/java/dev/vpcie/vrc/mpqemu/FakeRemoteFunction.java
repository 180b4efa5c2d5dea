package dev.vpcie.vrc.mpqemu;

import dev.vpcie.protocol.link.LinkDownException;
import dev.vpcie.protocol.link.TlpHandler;
import dev.vpcie.protocol.link.TlpPort;
import dev.vpcie.protocol.tlp.Bdf;
import dev.vpcie.protocol.tlp.CfgRead;
import dev.vpcie.protocol.tlp.CfgWrite;
import dev.vpcie.protocol.tlp.Completion;
import dev.vpcie.protocol.tlp.Completions;
import dev.vpcie.protocol.tlp.CplStatus;
import dev.vpcie.protocol.tlp.IoRead;
import dev.vpcie.protocol.tlp.IoWrite;
import dev.vpcie.protocol.tlp.MemRead;
import dev.vpcie.protocol.tlp.MemWrite;
import dev.vpcie.protocol.tlp.Message;
import dev.vpcie.protocol.tlp.Tlp;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A one-function endpoint for the bridge tests, answering on the caller's thread; it is its own
 * TlpPort. 256 bytes of configuration space with per-byte write masks (BAR sizing falls out of
 * them) and byte arrays behind the BARs, resembling an 82576: BAR0 128 KiB memory, BAR2 32 bytes
 * I/O, BAR3 16 KiB memory, BAR4 64-bit prefetchable 1 MiB; capabilities PM (0x40), MSI (0x50),
 * MSI-X (0x70), PCI Express (0xA0, FLR capable); INTA. It can send DMA reads and writes and INTx
 * messages to the root complex, and records every request it was sent.
 */
final class FakeRemoteFunction implements TlpPort {
    final byte[] config = new byte[4096];
    final byte[] mask = new byte[4096];
    final long[] barSize = new long[6];
    final boolean[] barIo = new boolean[6], bar64 = new boolean[6];
    final byte[][] barMemory = new byte[6][];
    final List<Tlp> received = new ArrayList<>();
    volatile int flrCount;
    private volatile TlpHandler handler;
    private volatile int bus;
    private CompletableFuture<byte[]> pendingRead;
    private ByteArrayOutputStream pendingData;
    private int pendingLength;

    static FakeRemoteFunction nic() {
        FakeRemoteFunction f = new FakeRemoteFunction();
        f.set(0x00, 2, 0x8086);
        f.set(0x02, 2, 0x10C9);
        f.set(0x08, 4, 0x0200_0001);
        f.set(0x06, 2, 0x0010);
        f.writable(0x04, 2, 0x0407);
        f.set(0x2C, 2, 0x8086);
        f.set(0x2E, 2, 0xA03C);
        f.config[0x34] = 0x40;
        f.config[0x3D] = 1;
        f.writable(0x3C, 1, 0xFF);
        f.memoryBar(0, 128 << 10, false, false);
        f.ioBar(2, 32);
        f.memoryBar(3, 16 << 10, false, false);
        f.memoryBar(4, 1 << 20, true, true);
        f.set(0x40, 2, 0x5001);             // PM -> 0x50
        f.set(0x42, 2, 0xC823);
        f.set(0x50, 2, 0x7005);             // MSI -> 0x70
        f.set(0x52, 2, 0x0186);
        f.writable(0x52, 2, 0x0071);
        f.set(0x70, 2, 0xA011);             // MSI-X -> 0xA0
        f.set(0x72, 2, 0x0009);
        f.writable(0x72, 2, 0xC000);
        f.set(0x74, 4, 0x0000_0003);
        f.set(0x78, 4, 0x0000_2003);
        f.set(0xA0, 2, 0x0010);             // PCI Express, end of list
        f.set(0xA2, 2, 0x0002);
        f.set(0xA4, 4, 0x1000_8CC2);        // MPS 512 supported, FLR
        f.set(0xA8, 2, 0x2810);
        f.writable(0xA8, 2, 0x7CFF);
        return f;
    }

    /** A conventional function with no capabilities and a 64-byte I/O BAR, like the 82540EM. */
    static FakeRemoteFunction conventional() {
        FakeRemoteFunction f = new FakeRemoteFunction();
        f.set(0x00, 2, 0x8086);
        f.set(0x02, 2, 0x100E);
        f.set(0x08, 4, 0x0200_0002);
        f.writable(0x04, 2, 0x0407);
        f.config[0x3D] = 1;
        f.writable(0x3C, 1, 0xFF);
        f.memoryBar(0, 128 << 10, false, false);
        f.ioBar(1, 64);
        return f;
    }

    void set(int off, int width, long v) { for (int i = 0; i < width; i++) config[off + i] = (byte) (v >>> (8 * i)); }

    long get(int off, int width) {
        long v = 0;
        for (int i = width - 1; i >= 0; i--) v = v << 8 | (config[off + i] & 0xFF);
        return v;
    }

    void writable(int off, int width, long m) { for (int i = 0; i < width; i++) mask[off + i] = (byte) (m >>> (8 * i)); }

    void memoryBar(int index, long size, boolean is64, boolean prefetch) {
        barSize[index] = size;
        bar64[index] = is64;
        barMemory[index] = new byte[(int) size];
        int reg = 0x10 + 4 * index;
        set(reg, 4, (is64 ? 4 : 0) | (prefetch ? 8 : 0));
        writable(reg, 4, ~(size - 1) & 0xFFFF_FFF0L);
        if (is64) writable(reg + 4, 4, 0xFFFF_FFFFL);
    }

    void ioBar(int index, long size) {
        barSize[index] = size;
        barIo[index] = true;
        barMemory[index] = new byte[(int) size];
        int reg = 0x10 + 4 * index;
        set(reg, 4, 1);
        writable(reg, 4, ~(size - 1) & 0xFFFF_FFFCL);
    }

    long barAddress(int index) {
        long low = get(0x10 + 4 * index, 4);
        if (barIo[index]) return low & ~3L;
        long a = low & ~0xFL;
        if (bar64[index]) a |= get(0x14 + 4 * index, 4) << 32;
        return a;
    }

    int requesterId() { return Bdf.of(bus, 0, 0); }

    // ---- as the root complex's port ----

    @Override public synchronized void send(Tlp tlp) {
        if (handler == null) throw new LinkDownException("no handler");
        received.add(tlp);
        switch (tlp) {
            case CfgRead r -> {
                if (Bdf.device(r.target()) != 0 || Bdf.function(r.target()) != 0) {
                    handler.onTlp(Completions.unsupportedRequest(r, r.target()));
                    return;
                }
                byte[] dw = new byte[4];
                System.arraycopy(config, r.register(), dw, 0, 4);
                handler.onTlp(Completions.readData(r, r.target(), dw));
            }
            case CfgWrite w -> {
                if (Bdf.device(w.target()) != 0 || Bdf.function(w.target()) != 0) {
                    handler.onTlp(Completions.unsupportedRequest(w, w.target()));
                    return;
                }
                bus = Bdf.bus(w.target());
                boolean flr = false;
                for (int i = 0; i < 4; i++) {
                    if ((w.firstBe() & 1 << i) == 0) continue;
                    int off = w.register() + i;
                    if (off == 0xA9 && (w.data()[i] & 0x80) != 0 && (config[0x06] & 0x10) != 0) flr = true;
                    if (off == 0x06 || off == 0x07) {
                        config[off] &= (byte) ~(w.data()[i] & (off == 0x07 ? 0xF9 : 0x00)); // RW1C status bits
                        continue;
                    }
                    config[off] = (byte) (config[off] & ~mask[off] | w.data()[i] & mask[off]);
                }
                if (flr) functionLevelReset();
                handler.onTlp(Completions.writeDone(w, w.target()));
            }
            case MemRead r -> {
                int bar = decode(r.address(), false);
                if (bar < 0) {
                    handler.onTlp(Completions.unsupportedRequest(r, requesterId()));
                    return;
                }
                byte[] data = new byte[r.length() * 4];
                System.arraycopy(barMemory[bar], (int) (r.address() - barAddress(bar)), data, 0, data.length);
                for (Completion c : Completions.read(r, requesterId(), data, Completions.RCB_64, 256)) handler.onTlp(c);
            }
            case MemWrite w -> {
                int bar = decode(w.address(), false);
                if (bar < 0) return;
                int base = (int) (w.address() - barAddress(bar));
                for (int i = 0; i < w.data().length; i++) {
                    int dw = i / 4, lane = i % 4;
                    int be = dw == 0 ? w.firstBe() : dw == w.data().length / 4 - 1 ? w.lastBe() : 0xF;
                    if ((be & 1 << lane) != 0) barMemory[bar][base + i] = w.data()[i];
                }
            }
            case IoRead r -> {
                int bar = decode(r.address(), true);
                if (bar < 0) {
                    handler.onTlp(Completions.unsupportedRequest(r, requesterId()));
                    return;
                }
                byte[] dw = new byte[4];
                System.arraycopy(barMemory[bar], (int) (r.address() - barAddress(bar)), dw, 0, 4);
                handler.onTlp(Completions.readData(r, requesterId(), dw));
            }
            case IoWrite w -> {
                int bar = decode(w.address(), true);
                if (bar >= 0) {
                    int base = (int) (w.address() - barAddress(bar));
                    for (int i = 0; i < 4; i++) if ((w.firstBe() & 1 << i) != 0) barMemory[bar][base + i] = w.data()[i];
                }
                handler.onTlp(bar >= 0 ? Completions.writeDone(w, requesterId()) : Completions.unsupportedRequest(w, requesterId()));
            }
            case Completion c -> onCompletion(c);
            case Message m -> { }
        }
    }

    private int decode(long address, boolean io) {
        for (int i = 0; i < 6; i++) {
            if (barSize[i] == 0 || barIo[i] != io) continue;
            long base = barAddress(i);
            if (base != 0 && address >= base && address < base + barSize[i]) return i;
        }
        return -1;
    }

    private void functionLevelReset() {
        flrCount++;
        for (int i = 0; i < 6; i++) {
            int reg = 0x10 + 4 * i;
            if (barSize[i] == 0) continue;
            set(reg, 4, get(reg, 4) & (barIo[i] ? 3 : 0xF));
            if (bar64[i]) set(reg + 4, 4, 0);
        }
        set(0x04, 2, 0);
        set(0xA8, 2, 0x2810);
    }

    // ---- as the device, towards the root complex ----

    /** A DMA read of {@code length} bytes (one request, up to 4 KiB); null if UR or nothing came back. */
    byte[] dmaRead(long address, int length) throws Exception {
        CompletableFuture<byte[]> f = new CompletableFuture<>();
        synchronized (this) {
            pendingRead = f;
            pendingData = new ByteArrayOutputStream();
            pendingLength = length;
        }
        int dws = (length + 3) / 4;
        handler.onTlp(new MemRead(requesterId(), 7, address, dws, 0xF, dws > 1 ? 0xF : 0));
        return f.get(5, TimeUnit.SECONDS);
    }

    private void onCompletion(Completion c) {
        if (pendingRead == null) return;
        if (c.status() != CplStatus.SC) {
            pendingRead.complete(null);
            pendingRead = null;
            return;
        }
        pendingData.writeBytes(c.data());
        if (pendingData.size() >= pendingLength) {
            pendingRead.complete(java.util.Arrays.copyOf(pendingData.toByteArray(), pendingLength));
            pendingRead = null;
        }
    }

    /** A posted DMA write of whole DWs. */
    void dmaWrite(long address, byte[] data) {
        int dws = data.length / 4;
        handler.onTlp(new MemWrite(requesterId(), 0, address, 0xF, dws > 1 ? 0xF : 0, data));
    }

    void assertIntx() { handler.onTlp(Message.assertIntx(requesterId(), 0)); }

    void deassertIntx() { handler.onTlp(Message.deassertIntx(requesterId(), 0)); }

    @Override public void handler(TlpHandler h) { this.handler = h; }

    @Override public boolean isUp() { return true; }

    @Override public String describe() { return "fake-remote-function"; }

    @Override public void close() { }
}
