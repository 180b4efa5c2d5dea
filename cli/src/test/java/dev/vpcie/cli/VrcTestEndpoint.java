package dev.vpcie.cli;

import dev.vpcie.protocol.link.LinkDownException;
import dev.vpcie.protocol.link.TlpHandler;
import dev.vpcie.protocol.link.TlpPort;
import dev.vpcie.protocol.pci.PciConfig;
import dev.vpcie.protocol.tlp.Bdf;
import dev.vpcie.protocol.tlp.CfgRead;
import dev.vpcie.protocol.tlp.CfgWrite;
import dev.vpcie.protocol.tlp.Completions;
import dev.vpcie.protocol.tlp.MemRead;
import dev.vpcie.protocol.tlp.MemWrite;
import dev.vpcie.protocol.tlp.Tlp;

/**
 * A one-function endpoint for the CLI tests, answering directly on the caller's thread: a
 * 256-byte configuration space with one 4 KiB 32-bit memory BAR backed by a byte array.
 * Everything else is answered UR. It is its own TlpPort, so the VRC talks to it without a link.
 */
final class VrcTestEndpoint implements TlpPort {
    final byte[] config = new byte[256];
    final byte[] bar0 = new byte[4096];
    private volatile TlpHandler handler;
    private int bus;

    VrcTestEndpoint() {
        set(PciConfig.VENDOR_ID, 2, 0x8086);
        set(PciConfig.DEVICE_ID, 2, 0x100E);
        set(PciConfig.REVISION_ID, 4, 0x0200_0003);
        set(PciConfig.INTERRUPT_PIN, 1, 1);
    }

    private void set(int off, int width, long v) { for (int i = 0; i < width; i++) config[off + i] = (byte) (v >>> (8 * i)); }

    private long get(int off) { long v = 0; for (int i = 3; i >= 0; i--) v = v << 8 | (config[off + i] & 0xFF); return v; }

    private long barBase() { return get(PciConfig.BAR0) & ~0xFL; }

    @Override public void send(Tlp tlp) {
        if (handler == null) throw new LinkDownException("no handler");
        int me = Bdf.of(bus, 0, 0);
        switch (tlp) {
            case CfgRead r when Bdf.device(r.target()) == 0 && Bdf.function(r.target()) == 0 -> {
                byte[] dw = new byte[4];
                System.arraycopy(config, r.register() & 0xFF, dw, 0, 4);
                handler.onTlp(Completions.readData(r, r.target(), dw));
            }
            case CfgWrite w when Bdf.device(w.target()) == 0 && Bdf.function(w.target()) == 0 -> {
                bus = Bdf.bus(w.target());
                for (int i = 0; i < 4; i++) {
                    if ((w.firstBe() & 1 << i) == 0) continue;
                    int off = w.register() + i;
                    byte b = w.data()[i];
                    if (off >= PciConfig.BAR0 && off < PciConfig.BAR0 + 4) b = (byte) (off == PciConfig.BAR0 ? b & 0xF0 & 0 : off == PciConfig.BAR0 + 1 ? b & 0xF0 : b);
                    else if (off >= 0x14 && off < 0x28) b = 0; // BARs 1..5 unimplemented
                    else if (off != PciConfig.COMMAND && off != PciConfig.INTERRUPT_LINE) continue;
                    config[off] = b;
                }
                handler.onTlp(Completions.writeDone(w, w.target()));
            }
            case MemRead r when r.address() >= barBase() && r.address() < barBase() + bar0.length -> {
                byte[] data = new byte[r.length() * 4];
                System.arraycopy(bar0, (int) (r.address() - barBase()), data, 0, data.length);
                for (var c : Completions.read(r, me, data, Completions.RCB_64, 128)) handler.onTlp(c);
            }
            case MemWrite w when w.address() >= barBase() && w.address() < barBase() + bar0.length -> {
                int lastBe = w.length() == 1 ? w.firstBe() : w.lastBe();
                for (int i = 0; i < w.data().length; i++) {
                    int dw = i / 4, be = dw == 0 ? w.firstBe() : dw == w.length() - 1 ? lastBe : 0xF;
                    if ((be & 1 << (i & 3)) != 0) bar0[(int) (w.address() - barBase()) + i] = w.data()[i];
                }
            }
            default -> {
                if (tlp.nonPosted()) handler.onTlp(Completions.unsupportedRequest(tlp, me));
            }
        }
    }

    @Override public void handler(TlpHandler h) { this.handler = h; }
    @Override public boolean isUp() { return true; }
    @Override public String describe() { return "test endpoint"; }
    @Override public void close() {}
}
