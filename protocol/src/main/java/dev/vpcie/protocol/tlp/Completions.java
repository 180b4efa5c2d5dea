package dev.vpcie.protocol.tlp;

import java.util.ArrayList;
import java.util.List;

/**
 * Completions made from their request (PCIe base spec 2.2.9, 2.3.1.1): the completion copies
 * the request's Requester ID, Tag, TC and attributes (never its poisoned bit). Memory reads
 * get Byte Count and Lower Address from the request's address and byte enables; I/O and
 * configuration requests complete with Byte Count 4 and Lower Address 0.
 */
public final class Completions {
    private Completions() {}

    /**
     * Read Completion Boundary values: an endpoint's is chosen by its Link Control RCB bit
     * (0 = 64, 1 = 128 bytes); a root port's is fixed by the root complex.
     */
    public static final int RCB_64 = 64, RCB_128 = 128;

    /**
     * The CplDs that return {@code data} for {@code request}: {@code data} is the whole DWs the
     * request names ({@code request.length() * 4} bytes, disabled bytes included). Each carries
     * at most {@code maxPayloadSize} bytes and every completion but the last ends on a naturally
     * aligned {@code rcb} boundary, so a requester may rely on RCB-sized pieces.
     */
    public static List<Completion> read(MemRead request, int completer, byte[] data, int rcb, int maxPayloadSize) {
        if (rcb != RCB_64 && rcb != RCB_128) throw new IllegalArgumentException("RCB must be 64 or 128: " + rcb);
        checkMaxPayload(maxPayloadSize);
        if (data.length != request.length() * 4)
            throw new IllegalArgumentException("read of " + request.length() + " DW needs " + request.length() * 4 + " bytes, got " + data.length);
        Attributes attributes = forCompletion(request.attributes());
        long start = request.address() + ByteEnables.firstByteOffset(request.firstBe());
        long end = start + ByteEnables.byteCount(request.length(), request.firstBe(), request.lastBe());
        long dwEnd = request.address() + data.length;
        List<Completion> out = new ArrayList<>();
        long from = start;
        while (true) {
            long dwFrom = from & ~3L;
            long to = dwFrom + maxPayloadSize >= dwEnd ? dwEnd : (dwFrom + maxPayloadSize) & -rcb;
            byte[] piece = java.util.Arrays.copyOfRange(data, (int) (dwFrom - request.address()), (int) (to - request.address()));
            out.add(new Completion(completer, CplStatus.SC, false, (int) (end - from), request.requester(), request.tag(),
                    (int) (from & 0x7F), attributes, piece));
            if (to == dwEnd) return out;
            from = to;
        }
    }

    /** The CplD for an I/O or configuration read, returning one DW. */
    public static Completion readData(Tlp request, int completer, byte[] dw) {
        checkIoOrConfigRead(request);
        return new Completion(completer, CplStatus.SC, false, 4, request.requester(), request.tag(), 0, Attributes.DEFAULT, dw);
    }

    /** The successful Cpl (no data) for an I/O or configuration write. */
    public static Completion writeDone(Tlp request, int completer) {
        if (!(request instanceof IoWrite || request instanceof CfgWrite))
            throw new IllegalArgumentException("only I/O and configuration writes complete without data: " + request);
        return new Completion(completer, CplStatus.SC, false, 4, request.requester(), request.tag(), 0, Attributes.DEFAULT, null);
    }

    /** Unsupported Request: the Cpl a completer returns for a request it does not claim or cannot do. */
    public static Completion unsupportedRequest(Tlp request, int completer) {
        return failed(request, completer, CplStatus.UR);
    }

    /** Completer Abort: the request was claimed but the completer could not carry it out. */
    public static Completion completerAbort(Tlp request, int completer) {
        return failed(request, completer, CplStatus.CA);
    }

    /** Configuration Request Retry Status: the function is not ready yet (only for configuration requests). */
    public static Completion configRetry(Tlp request, int completer) {
        if (!(request instanceof CfgRead || request instanceof CfgWrite))
            throw new IllegalArgumentException("CRS completes configuration requests only: " + request);
        return failed(request, completer, CplStatus.CRS);
    }

    /**
     * A Cpl without data with {@code status} for a non-posted request. For a memory read, Byte
     * Count is the whole request and Lower Address that of its first enabled byte.
     */
    public static Completion failed(Tlp request, int completer, CplStatus status) {
        return switch (request) {
            case MemRead r -> new Completion(completer, status, false, ByteEnables.byteCount(r.length(), r.firstBe(), r.lastBe()),
                    r.requester(), r.tag(), (int) (r.address() + ByteEnables.firstByteOffset(r.firstBe()) & 0x7F),
                    forCompletion(r.attributes()), null);
            case IoRead r -> ioOrConfig(r, completer, status);
            case IoWrite w -> ioOrConfig(w, completer, status);
            case CfgRead r -> ioOrConfig(r, completer, status);
            case CfgWrite w -> ioOrConfig(w, completer, status);
            case MemWrite w -> throw notNonPosted(w);
            case Message m -> throw notNonPosted(m);
            case Completion c -> throw notNonPosted(c);
        };
    }

    private static Completion ioOrConfig(Tlp request, int completer, CplStatus status) {
        return new Completion(completer, status, false, 4, request.requester(), request.tag(), 0, Attributes.DEFAULT, null);
    }

    private static IllegalArgumentException notNonPosted(Tlp tlp) {
        return new IllegalArgumentException("only non-posted requests get completions: " + tlp);
    }

    private static void checkIoOrConfigRead(Tlp request) {
        if (!(request instanceof IoRead || request instanceof CfgRead))
            throw new IllegalArgumentException("not an I/O or configuration read: " + request);
    }

    static void checkMaxPayload(int size) {
        if (size < 128 || size > 4096 || Integer.bitCount(size) != 1)
            throw new IllegalArgumentException("Max_Payload_Size must be a power of two in 128..4096: " + size);
    }

    /** The request's TC and attributes, without its poisoned bit. */
    private static Attributes forCompletion(Attributes a) {
        return a.poisoned() ? new Attributes(a.trafficClass(), a.relaxedOrdering(), a.noSnoop(), a.idBasedOrdering(), false) : a;
    }
}
