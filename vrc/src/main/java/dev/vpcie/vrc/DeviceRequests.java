package dev.vpcie.vrc;

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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the root complex does with requests devices send it, on the link thread: memory reads
 * of host memory are answered with completions split at the device's MPS (and so at RCB
 * boundaries), memory writes land in host memory or, inside the MSI window, raise interrupts,
 * INTx messages go to {@link Interrupts}. The DMA windows are enforced here: a read outside
 * them is answered UR, a write outside them is dropped; both are logged and counted.
 * Everything else a device might send a root complex (I/O, configuration, peer-to-peer, other
 * messages) is refused the same way.
 */
final class DeviceRequests implements EndpointLink.Inbound {
    private static final Logger log = LoggerFactory.getLogger(DeviceRequests.class);
    /** Read Completion Boundary of the root complex: 64 bytes. */
    static final int RCB = 64;

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
            case IoRead r -> refuse(link, r, r.tag(), "I/O read");
            case IoWrite w -> refuse(link, w, w.tag(), "I/O write");
            case CfgRead r -> refuse(link, r, r.tag(), "configuration read");
            case CfgWrite w -> refuse(link, w, w.tag(), "configuration write");
            case Completion c -> link.tracker().onCompletion(c);
        }
    }

    /** True when the requester ID belongs to the bus behind this link (a device cannot speak for another link's). */
    private boolean ownBus(EndpointLink link, int requester) { return Bdf.bus(requester) == link.bus(); }

    private void read(EndpointLink link, MemRead r) {
        int firstBe = r.firstBe(), lastBe = r.length() == 1 ? r.firstBe() : r.lastBe();
        if (r.length() == 1 && firstBe == 0) { // zero-length read: a flush, answered with one DW, byte count 1
            link.respond(new Completion(RootComplex.REQUESTER_ID, CplStatus.SC, false, 1, r.requester(), r.tag(),
                    (int) (r.address() & 0x7F), completionAttributes(r.attributes()), new byte[4]));
            return;
        }
        long first = r.address() + Integer.numberOfTrailingZeros(firstBe);
        long end = r.address() + (r.length() - 1) * 4L + (32 - Integer.numberOfLeadingZeros(lastBe));
        int byteCount = (int) (end - first);
        if (!ownBus(link, r.requester()) || !rc.hostMemory().contains(first, byteCount)
                || !rc.dmaWindows().permits(r.requester(), first, byteCount)) {
            counters.increment(Counter.DMA_READ_REFUSED);
            refusedRead.warn("DMA read refused (UR): {} read {} bytes at 0x{} outside its DMA windows", Bdf.toString(r.requester()),
                    byteCount, Long.toHexString(first));
            link.respond(new Completion(RootComplex.REQUESTER_ID, CplStatus.UR, false, byteCount, r.requester(), r.tag(),
                    (int) (first & 0x7F), completionAttributes(r.attributes()), null));
            return;
        }
        counters.increment(Counter.DMA_READ);
        // Only the enabled bytes are read; the rest of the first and last DW stay zero, so a
        // device never sees a byte outside what it was given.
        byte[] dws = new byte[r.length() * 4];
        int skip = (int) (first - r.address());
        rc.hostMemory().read(first, dws, skip, byteCount);
        PcieDevice d = rc.addressMap().device(r.requester());
        int mps = d == null ? 128 : d.maxPayloadSize();
        Attributes attrs = completionAttributes(r.attributes());
        long chunkStart = r.address(), stop = r.address() + dws.length;
        while (chunkStart < stop) {
            long chunkEnd = Math.min((chunkStart / mps + 1) * mps, stop);
            long from = Math.max(first, chunkStart);
            byte[] payload = new byte[(int) (chunkEnd - chunkStart)];
            System.arraycopy(dws, (int) (chunkStart - r.address()), payload, 0, payload.length);
            link.respond(new Completion(RootComplex.REQUESTER_ID, CplStatus.SC, false, (int) (end - from), r.requester(),
                    r.tag(), (int) (from & 0x7F), attrs, payload));
            chunkStart = chunkEnd;
        }
    }

    private static Attributes completionAttributes(Attributes request) {
        // A completion carries its request's TC and attributes, never the request's poisoned bit.
        return request.poisoned() ? new Attributes(request.trafficClass(), request.relaxedOrdering(), request.noSnoop(),
                request.idBasedOrdering(), false) : request;
    }

    private void write(EndpointLink link, MemWrite w) {
        int firstBe = w.firstBe(), lastBe = w.length() == 1 ? w.firstBe() : w.lastBe();
        if (interrupts.inWindow(w.address())) {
            long value = 0;
            for (int i = 0; i < 4; i++) if ((firstBe & 1 << i) != 0) value |= (long) (w.data()[i] & 0xFF) << (8 * i);
            interrupts.onMessageWrite(link, w.requester(), w.address(), w.length() == 1 ? value : -1);
            return;
        }
        if (w.length() == 1 && firstBe == 0) return; // zero-length write: nothing to store
        long first = w.address() + Integer.numberOfTrailingZeros(firstBe);
        long end = w.address() + (w.length() - 1) * 4L + (32 - Integer.numberOfLeadingZeros(lastBe));
        int byteCount = (int) (end - first);
        if (!ownBus(link, w.requester()) || !rc.hostMemory().contains(first, byteCount)
                || !rc.dmaWindows().permits(w.requester(), first, byteCount)) {
            counters.increment(Counter.DMA_WRITE_REFUSED);
            refusedWrite.warn("DMA write dropped: {} wrote {} bytes at 0x{} outside its DMA windows", Bdf.toString(w.requester()),
                    byteCount, Long.toHexString(first));
            return;
        }
        counters.increment(Counter.DMA_WRITE);
        byte[] data = w.data();
        HostMemory mem = rc.hostMemory();
        if (w.length() == 1) {
            writeEnabled(mem, w.address(), data, 0, firstBe);
            return;
        }
        writeEnabled(mem, w.address(), data, 0, firstBe);
        if (w.length() > 2) mem.write(w.address() + 4, data, 4, data.length - 8);
        writeEnabled(mem, w.address() + data.length - 4, data, data.length - 4, lastBe);
    }

    /** Writes the bytes of one DW its byte enables select (they may be non-contiguous in a QW-aligned request). */
    private static void writeEnabled(HostMemory mem, long address, byte[] data, int offset, int be) {
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

    private void refuse(EndpointLink link, Tlp request, int tag, String what) {
        counters.increment(Counter.REQUEST_UNSUPPORTED);
        unsupported.warn("{} from {} refused with UR: a root complex does not complete it", what, Bdf.toString(request.requester()));
        link.respond(new Completion(RootComplex.REQUESTER_ID, CplStatus.UR, false, 4, request.requester(), tag, 0,
                Attributes.DEFAULT, null));
    }
}
