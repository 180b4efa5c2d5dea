package dev.vpcie.vrc;

import dev.vpcie.protocol.tlp.ByteEnables;
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
import dev.vpcie.vrc.trace.VrcPoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the root complex does with requests devices send it, on the link thread: memory reads
 * of host memory are answered with completions split at the device's MPS (and so at RCB
 * boundaries), memory writes land in the function's {@link DmaMemory} (host memory unless a
 * front-end gave it its own) or, inside the MSI window, raise interrupts,
 * INTx messages go to {@link Interrupts}. The DMA windows are enforced here: a read outside
 * them is answered UR, a write outside them is dropped; both are logged and counted.
 * Everything else a device might send a root complex (I/O, configuration, peer-to-peer, other
 * messages) is refused the same way.
 */
final class DeviceRequests implements EndpointLink.Inbound {
    private static final Logger log = LoggerFactory.getLogger(DeviceRequests.class);
    private final RootComplex rc;
    private final Interrupts interrupts;
    private final Counters counters;
    private final RareLog refusedRead = new RareLog(log), refusedWrite = new RareLog(log), unsupported = new RareLog(log);

    DeviceRequests(RootComplex rc, Interrupts interrupts, Counters counters) {
        this.rc = rc;
        this.interrupts = interrupts;
        this.counters = counters;
    }

    @Override public void onRequest(EndpointLink link, Tlp tlp) {
        switch (tlp) {
            case MemRead r -> read(link, r);
            case MemWrite w -> write(link, w);
            case Message m -> message(link, m);
            case IoRead r -> refuse(link, r, "I/O read");
            case IoWrite w -> refuse(link, w, "I/O write");
            case CfgRead r -> refuse(link, r, "configuration read");
            case CfgWrite w -> refuse(link, w, "configuration write");
            case Completion c -> link.tracker().onCompletion(c);
        }
    }

    /** True when the requester ID belongs to the bus behind this link (a device cannot speak for another link's). */
    private boolean ownBus(EndpointLink link, int requester) { return Bdf.bus(requester) == link.bus(); }

    private void read(EndpointLink link, MemRead r) {
        long first = r.address() + ByteEnables.firstByteOffset(r.firstBe());
        int byteCount = ByteEnables.byteCount(r.length(), r.firstBe(), r.lastBe());
        boolean zeroLength = r.length() == 1 && r.firstBe() == 0; // a flush: touches no memory
        DmaMemory mem = rc.dmaMemory(r.requester());
        if (!link.present()) { // removed and not restored yet: its DMA is of a device the host no longer drives
            counters.increment(Counter.DMA_READ_REFUSED);
            refusedRead.warn("DMA read refused (UR): {} is removed until its hot insertion completes", Bdf.toString(r.requester()));
            link.respond(Completions.unsupportedRequest(r, RootComplex.REQUESTER_ID));
            return;
        }
        if (!ownBus(link, r.requester()) || !zeroLength && (!mem.contains(first, byteCount)
                || !rc.dmaWindows().permits(r.requester(), first, byteCount))) {
            counters.increment(Counter.DMA_READ_REFUSED);
            if (ownBus(link, r.requester())) counters.add(r.requester(), FunctionCounters.Event.DMA_REFUSED, 1);
            refusedRead.warn("DMA read refused (UR): {} read {} bytes at 0x{} outside its DMA windows", Bdf.toString(r.requester()),
                    byteCount, Long.toHexString(first));
            link.respond(Completions.unsupportedRequest(r, RootComplex.REQUESTER_ID));
            return;
        }
        counters.increment(Counter.DMA_READ);
        counters.add(r.requester(), FunctionCounters.Event.DMA_BYTES_READ, zeroLength ? 0 : byteCount);
        // Only the enabled bytes are read; the rest of the first and last DW stay zero, so a
        // device never sees a byte outside what it was given.
        byte[] dws = new byte[r.length() * 4];
        if (!zeroLength) mem.read(first, dws, (int) (first - r.address()), byteCount);
        for (Completion c : Completions.read(r, RootComplex.REQUESTER_ID, dws, Completions.RCB_64, completionLimit(r))) {
            counters.increment(Counter.DMA_READ_COMPLETION);
            link.respond(c);
        }
        VrcPoint.DMA_READ.mark();
    }

    /** The largest CplD for {@code r}: the device's MPS, or the limit the root complex was given (see {@link RootComplex#dmaReadCompletionLimit(int)}). */
    private int completionLimit(MemRead r) {
        int limit = rc.dmaReadCompletionLimit();
        if (limit != 0) return r.firstBe() == 0xF ? limit : 4096;
        PcieDevice d = rc.addressMap().device(r.requester());
        return d == null ? 128 : d.maxPayloadSize();
    }

    private void write(EndpointLink link, MemWrite w) {
        int firstBe = w.firstBe(), lastBe = w.length() == 1 ? w.firstBe() : w.lastBe();
        if (!link.present()) {
            counters.increment(Counter.DMA_WRITE_REFUSED);
            refusedWrite.warn("DMA write dropped: {} is removed until its hot insertion completes", Bdf.toString(w.requester()));
            return;
        }
        if (interrupts.inWindow(w.address())) {
            long value = 0;
            for (int i = 0; i < 4; i++) if ((firstBe & 1 << i) != 0) value |= (long) (w.data()[i] & 0xFF) << (8 * i);
            interrupts.onMessageWrite(link, w.requester(), w.address(), w.length() == 1 ? value : -1);
            return;
        }
        if (w.length() == 1 && firstBe == 0) return; // zero-length write: nothing to store
        long first = w.address() + ByteEnables.firstByteOffset(firstBe);
        int byteCount = ByteEnables.byteCount(w.length(), w.firstBe(), w.lastBe());
        DmaMemory mem = rc.dmaMemory(w.requester());
        if (!ownBus(link, w.requester()) || !mem.contains(first, byteCount)
                || !rc.dmaWindows().permits(w.requester(), first, byteCount)) {
            counters.increment(Counter.DMA_WRITE_REFUSED);
            if (ownBus(link, w.requester())) counters.add(w.requester(), FunctionCounters.Event.DMA_REFUSED, 1);
            refusedWrite.warn("DMA write dropped: {} wrote {} bytes at 0x{} outside its DMA windows", Bdf.toString(w.requester()),
                    byteCount, Long.toHexString(first));
            return;
        }
        counters.increment(Counter.DMA_WRITE);
        counters.add(w.requester(), FunctionCounters.Event.DMA_BYTES_WRITTEN, byteCount);
        byte[] data = w.data();
        if (w.length() == 1) {
            writeEnabled(mem, w.address(), data, 0, firstBe);
            return;
        }
        writeEnabled(mem, w.address(), data, 0, firstBe);
        if (w.length() > 2) mem.write(w.address() + 4, data, 4, data.length - 8);
        writeEnabled(mem, w.address() + data.length - 4, data, data.length - 4, lastBe);
    }

    /** Writes the bytes of one DW its byte enables select (they may be non-contiguous in a QW-aligned request). */
    private static void writeEnabled(DmaMemory mem, long address, byte[] data, int offset, int be) {
        if (be == 0xF) {
            mem.write(address, data, offset, 4);
            return;
        }
        for (int i = 0; i < 4; i++) if ((be & 1 << i) != 0) mem.write(address + i, data, offset + i, 1);
    }

    private void message(EndpointLink link, Message m) {
        if (m.code() >= Message.ASSERT_INTA && m.code() <= Message.DEASSERT_INTD) {
            interrupts.onIntx(link, m);
            return;
        }
        counters.increment(Counter.REQUEST_UNSUPPORTED);
        unsupported.warn("message code 0x{} from {} dropped: not handled by this root complex", Integer.toHexString(m.code()),
                Bdf.toString(m.requester()));
    }

    private void refuse(EndpointLink link, Tlp request, String what) {
        counters.increment(Counter.REQUEST_UNSUPPORTED);
        if (ownBus(link, request.requester())) counters.add(request.requester(), FunctionCounters.Event.UNSUPPORTED, 1);
        unsupported.warn("{} from {} refused with UR: a root complex does not complete it", what, Bdf.toString(request.requester()));
        link.respond(Completions.unsupportedRequest(request, RootComplex.REQUESTER_ID));
    }
}
